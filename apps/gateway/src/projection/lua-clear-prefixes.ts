/**
 * Lua shared by the apply scripts: deletes the fields of hash `rec` whose names start with any of
 * the comma-separated `prefixes` ('' = none), so a replaced set (scopes `s:`, limits `rl:`) leaves
 * no field of the old one behind.
 */
export const CLEAR_PREFIXES_LUA = `
local function clear_prefixes(rec, prefixes)
  if prefixes == '' then return end
  for _, field in ipairs(redis.call('HKEYS', rec)) do
    for prefix in string.gmatch(prefixes, '[^,]+') do
      if string.sub(field, 1, #prefix) == prefix then
        redis.call('HDEL', rec, field)
        break
      end
    end
  end
end
`;

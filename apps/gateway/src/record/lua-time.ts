/**
 * Lua shared by the scripts: the time is Redis's own (`TIME`), so every gateway replica and the
 * projection agree on it whatever their clocks say.
 */
export const LUA_TIME = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The credit refill period containing ms: UTC days since the epoch, or UTC months since year 0.
local function credit_period(ms, interval)
  local days = math.floor(ms / 86400000)
  if interval == 'daily' then return days end
  local z = days + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local month = mp < 10 and mp + 3 or mp - 9
  local year = yoe + era * 400 + (month <= 2 and 1 or 0)
  return year * 12 + month - 1
end
`;

import { CLEAR_PREFIXES_LUA } from './lua-clear-prefixes';

/** What the identity apply script did with an event (`stale`: of an older life, ignored). */
export type IdentityApplyOutcome = 'applied' | 'gap' | 'duplicate' | 'stale' | 'missing';

/**
 * Applies one identity event to the record of its external id (`keyway:identity:{tag}`),
 * atomically. The record holds one life of the external id at a time: `id` (the `idt_…` id),
 * `seq`, `crt` (created ms), `status` (`active` or `deleted`), `del` (deleted ms), `ws`, `ext`,
 * `pdel` (when the latest earlier life ended: keys created before it were that life's), then
 * scopes (`scopes`, `s:<scope>`), `meta` and shared limits (`rls`, `rl:<name>`).
 *
 * Events of the current life are judged by sequence: at or below the applied one is a no-op; a
 * deleted life keeps a tombstone (no scopes, no limits) that nothing of that life revives.
 * Another life's events: its `created` replaces the record when that life is newer (a later
 * `createdAt`; the id breaks a tie), anything else of another life is older (every event of a
 * life follows its `created` on the workspace's partition) and is ignored as `stale`. So a replay,
 * a duplicate or a partial history never brings an older life back over a newer one.
 *
 * KEYS[1] the identity record.
 * ARGV[1] identity id, ARGV[2] sequence, ARGV[3] kind (created, updated, deleted),
 * ARGV[4] createdAt ms (created) or deletedAt ms (deleted), ARGV[5] workspace id,
 * ARGV[6] external id, ARGV[7] field prefixes to clear first (comma-separated, '' = none),
 * ARGV[8..] field, value pairs to set.
 * Returns { outcome, the replaced life's limit names as JSON ('' when none was replaced) }.
 */
export const APPLY_IDENTITY_LUA = `${CLEAR_PREFIXES_LUA}
local rec = KEYS[1]
local id, seq, kind, at = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local cur = redis.call('HMGET', rec, 'id', 'seq', 'crt', 'status', 'rls', 'del', 'pdel')
local applied = 0
local replaced = ''
local pdel = tonumber(cur[7] or '0') or 0
if cur[1] == id then
  applied = tonumber(cur[2]) or 0
  if seq <= applied then return { 'duplicate', '' } end
elseif cur[1] then
  if kind ~= 'created' then return { 'stale', '' } end
  local crt = tonumber(cur[3]) or 0
  if at < crt or (at == crt and id <= cur[1]) then return { 'stale', '' } end
  replaced = cur[5] or '[]'
  -- The earlier life ended at its deletion; if that is not projected here yet, it ended before
  -- this life began. Keys created before then were the earlier life's.
  local ended = cur[4] == 'deleted' and (tonumber(cur[6]) or at) or at
  if ended > pdel then pdel = ended end
  redis.call('DEL', rec)
  cur = { false, false, false, false, false, false, false }
elseif kind == 'updated' then
  return { 'missing', '' }
end
local outcome = (seq == applied + 1) and 'applied' or 'gap'
if cur[4] == 'deleted' then
  redis.call('HSET', rec, 'seq', seq)
  return { outcome, '' }
end
if kind == 'deleted' then
  local crt, rls = cur[3] or '0', cur[5] or '[]'
  redis.call('DEL', rec)
  redis.call('HSET', rec, 'id', id, 'seq', seq, 'status', 'deleted', 'crt', crt, 'del', at,
    'ws', ARGV[5], 'ext', ARGV[6], 'rls', rls, 'pdel', pdel)
  return { outcome, '' }
end
if kind == 'created' then
  redis.call('HSET', rec, 'id', id, 'status', 'active', 'crt', at, 'ws', ARGV[5], 'ext', ARGV[6],
    'pdel', pdel)
end
clear_prefixes(rec, ARGV[7])
for i = 8, #ARGV, 2 do
  redis.call('HSET', rec, ARGV[i], ARGV[i + 1])
end
redis.call('HSET', rec, 'seq', seq)
return { outcome, replaced }
`;

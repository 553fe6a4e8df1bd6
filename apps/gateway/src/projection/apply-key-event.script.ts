import { LUA_TIME } from '../record/lua-time';
import { CLEAR_PREFIXES_LUA } from './lua-clear-prefixes';

/** What the apply script did with an event. */
export type ApplyOutcome = 'applied' | 'gap' | 'duplicate' | 'missing';

/**
 * Applies one key event to the key's record, atomically, judging `(subject, sequence)` itself:
 * an event at or below the applied sequence is a no-op; status only moves forward
 * (active → expired → revoked → deleted), so nothing brings a revoked key back; a deleted key
 * keeps only a tombstone (its sequence), so a replay of its history cannot resurrect it.
 *
 * KEYS[1] the key record.
 * ARGV[1] sequence, ARGV[2] event kind, ARGV[3] status to move to ('' = none),
 * ARGV[4] field prefixes to clear first (comma-separated, '' = none),
 * ARGV[5] '1' when the credit balance was set (its refill period starts now),
 * ARGV[6..] field, value pairs to set ('' value = remove the field).
 * Returns { outcome, current hash, previous hash } (the hashes only matter for `deleted`).
 */
export const APPLY_KEY_EVENT_LUA = `${LUA_TIME}${CLEAR_PREFIXES_LUA}
local rec = KEYS[1]
local seq = tonumber(ARGV[1])
local kind = ARGV[2]
local cur = redis.call('HMGET', rec, 'seq', 'status', 'h', 'ph')
local applied = tonumber(cur[1] or '0') or 0
if seq <= applied then return { 'duplicate', '', '' } end
local status = cur[2]
if kind ~= 'issued' and not status then return { 'missing', '', '' } end
local outcome = (seq == applied + 1) and 'applied' or 'gap'
if status == 'deleted' then
  redis.call('HSET', rec, 'seq', seq)
  return { outcome, '', '' }
end
if kind == 'deleted' then
  redis.call('DEL', rec)
  redis.call('HSET', rec, 'seq', seq, 'status', 'deleted')
  return { outcome, cur[3] or '', cur[4] or '' }
end
clear_prefixes(rec, ARGV[4])
for i = 6, #ARGV, 2 do
  if ARGV[i + 1] == '' then
    redis.call('HDEL', rec, ARGV[i])
  else
    redis.call('HSET', rec, ARGV[i], ARGV[i + 1])
  end
end
local RANK = { active = 0, expired = 1, revoked = 2, deleted = 3 }
local next_status = ARGV[3]
if next_status ~= '' and (not status or RANK[next_status] > RANK[status]) then
  redis.call('HSET', rec, 'status', next_status)
end
if ARGV[5] == '1' then
  local interval = redis.call('HGET', rec, 'crI')
  if interval and interval ~= '' then
    redis.call('HSET', rec, 'crP', credit_period(now_ms(), interval))
  end
end
redis.call('HSET', rec, 'seq', seq)
return { outcome, '', '' }
`;

/**
 * Records a member's role (or `removed`) at its sequence; an older or repeated event is a no-op.
 * KEYS[1] the member record. ARGV[1] sequence, ARGV[2] role. Returns 1 when applied.
 */
export const APPLY_MEMBER_LUA = `
local applied = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0') or 0
if tonumber(ARGV[1]) <= applied then return 0 end
redis.call('HSET', KEYS[1], 'seq', ARGV[1], 'role', ARGV[2])
return 1
`;

/**
 * Caps a member-owned key by its owner's role (`removed` stops it). Applies only while the key is
 * still owned by that member and the role is newer than the one it holds.
 * KEYS[1] the key record. ARGV[1] member id, ARGV[2] role, ARGV[3] the member's sequence.
 */
export const APPLY_OWNER_CAP_LUA = `
local f = redis.call('HMGET', KEYS[1], 'owner', 'capm', 'capseq', 'status')
if not f[4] or f[4] == 'deleted' or f[1] ~= ARGV[1] then return 0 end
if f[2] == ARGV[1] and (tonumber(f[3] or '0') or 0) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], 'cap', ARGV[2], 'capm', ARGV[1], 'capseq', ARGV[3])
return 1
`;

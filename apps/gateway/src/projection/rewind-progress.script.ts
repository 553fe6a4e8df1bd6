/**
 * Sets a recreated partition's progress back, if it is still what the caller compared.
 * KEYS: progress hash, rewinds hash, marks hash (one hash tag). ARGV: field, from, to.
 * Returns 1 when it set it back (noting `from`, forgetting the mark), 0 when the progress moved.
 */
export const REWIND_PROGRESS_LUA = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1
`;

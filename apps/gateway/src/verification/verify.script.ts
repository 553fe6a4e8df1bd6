import { LUA_TIME } from '../record/lua-time';
import { roleCapsLua } from '../record/role-caps';

/** Buckets per sliding window: memory per key and window is bounded by this, whatever the limit. */
export const WINDOW_BUCKETS = 60;

/**
 * The whole verification in one round trip: lookup, status, expiry, rotation grace, environment,
 * client address, scopes (with the owner's role cap, or the owning identity's scopes), credits and
 * every named rate limit (the key's own and its identity's shared one), all or nothing. Time is
 * Redis's.
 *
 * Sliding windows are exact in the safe direction: a window of `w` ms is kept as 60 buckets of
 * `g = ceil(w / 60)` ms, and a request counts every bucket that overlaps the last `w` ms, including
 * the oldest one in full. The hash also holds the running total `n` and the oldest live bucket
 * `o`, so a check reads three fields; buckets are visited only when the oldest one leaves. So no span of `w` ms ever admits more than the limit; the price is that
 * requests up to `g` ms older than the window may still count (denial at most `w/60` early).
 *
 * A key owned by an identity (ARGV[5] = '1') is judged with the identity's record, which shares
 * its hash tag: the identity must be projected (else NOT_FOUND: fail closed), alive, and the
 * current life of its external id (a key older than the identity's creation belonged to a deleted
 * one: REVOKED); every required scope must be granted by the key (a bare `*` grants all) and by
 * the identity's current scopes; each charged limit name charges the key's window and the
 * identity's shared one, whichever exist.
 *
 * KEYS[1] the key record; for a key owned by an identity KEYS[2] the identity record; then per
 * requested limit the key's window state and, for a key owned by an identity, the identity's.
 * ARGV[1] presented key hash ('' for a session token, which named the key itself),
 * ARGV[2] required environment or '', ARGV[3] client address as 32 hex digits or '',
 * ARGV[4] credit cost, ARGV[5] '1' for a key owned by an identity, else '',
 * ARGV[6] n = number of required scopes, ARGV[7 .. 6+n] the scopes,
 * then per requested limit: name, cost.
 *
 * Returns { code, now, workspace, environment, owner, cap, scopes json, metadata json,
 * expires ms, credits remaining, identity scopes json ('' unless owned by an identity),
 * window count, then per configured window: name, limit, window ms, remaining, reset ms,
 * passed (1/0), side (`key` or `identity`) }.
 */
export const VERIFY_LUA = `${LUA_TIME}
local CAPS = ${roleCapsLua()}
local rec = KEYS[1]
local shared = ARGV[5] == '1'
local idn = shared and KEYS[2] or nil
local now = now_ms()
local r = redis.call('HMGET', rec, 'status', 'h', 'ph', 'pexp', 'exp', 'env', 'ws', 'owner',
  'cap', 'cidr', 'cr', 'crA', 'crI', 'crP', 'scopes', 'meta', 'crt')
local status = r[1]
if not status or status == 'deleted' then return { 'NOT_FOUND', now } end
local ir = shared and redis.call('HMGET', idn, 'status', 'crt', 'del', 'ws', 'ext', 'scopes', 'pdel')
  or nil

local function answer(code, credits, limits)
  local out = { code, now, r[7] or '', r[6] or '', r[8] or '', r[9] or '', r[15] or '[]',
    r[16] or '{}', r[5] or '', credits or '', shared and (ir[6] or '[]') or '',
    limits and (#limits / 7) or 0 }
  if limits then for _, v in ipairs(limits) do out[#out + 1] = v end end
  return out
end

local presented = ARGV[1]
if presented ~= '' and presented ~= r[2] then
  if presented ~= r[3] then return { 'NOT_FOUND', now } end
  if now >= tonumber(r[4]) then return answer('EXPIRED') end
end
-- The key's identity, as this slot knows it: unknown (not projected yet, or an owner that is no
-- identity) fails closed, as an unknown key does. So does a key under its own id whose owner is
-- neither a member nor none (moved to an external owner after issue, before identities existed):
-- no identity caps it here.
if shared then
  if not ir[1] or ir[4] ~= r[7] or ir[5] ~= r[8] then return { 'NOT_FOUND', now } end
elseif r[8] and r[8] ~= '' and string.sub(r[8], 1, 4) ~= 'mem_' then
  return { 'NOT_FOUND', now }
end
if status == 'revoked' or r[9] == 'removed' then return answer('REVOKED') end
if shared then
  local created = tonumber(r[17] or '0') or 0
  -- Issued before an earlier life of the external id ended: it belonged to a deleted identity.
  -- (Compared with that end, not with this life's start, so a key issued right after its
  -- identity by a replica whose clock lags a little is not mistaken for an older life's.)
  if created < (tonumber(ir[7]) or 0) then return answer('REVOKED') end
  if ir[1] == 'deleted' then
    -- Issued after the deletion: it belongs to a later life not projected here yet.
    if created > (tonumber(ir[3]) or 0) then return { 'NOT_FOUND', now } end
    return answer('REVOKED')
  end
end
if status == 'expired' or (r[5] and r[5] ~= '' and now >= tonumber(r[5])) then
  return answer('EXPIRED')
end
if ARGV[2] ~= '' and ARGV[2] ~= r[6] then return answer('WRONG_ENVIRONMENT') end
if r[10] and r[10] ~= '' then
  local address = ARGV[3]
  local allowed = false
  if address ~= '' then
    for first, last in string.gmatch(r[10], '(%x+)%-(%x+)') do
      if address >= first and address <= last then allowed = true break end
    end
  end
  if not allowed then return answer('FORBIDDEN_ADDRESS') end
end

local n = tonumber(ARGV[6])
for i = 7, 6 + n do
  local scope = ARGV[i]
  if string.sub(scope, 1, 7) == 'keyway:' and r[9] and r[9] ~= '' then
    local allowed = CAPS[r[9]]
    if not allowed or not allowed[scope] then return answer('INSUFFICIENT_SCOPE') end
  end
  local resource = string.match(scope, '^(.*):[^:]*$')
  local wild = resource and ('s:' .. resource .. ':*') or 's:'
  if shared then
    -- The key grants it (a bare * inherits all) and so does its identity, now.
    local held = redis.call('HMGET', rec, 's:' .. scope, wild, 's:*')
    if not held[1] and not held[2] and not held[3] then return answer('INSUFFICIENT_SCOPE') end
    local granted = redis.call('HMGET', idn, 's:' .. scope, wild)
    if not granted[1] and not granted[2] then return answer('INSUFFICIENT_SCOPE') end
  else
    local held = redis.call('HMGET', rec, 's:' .. scope, wild)
    if not held[1] and not held[2] then return answer('INSUFFICIENT_SCOPE') end
  end
end

local credit_cost = tonumber(ARGV[4])
local balance = nil
local refilled = nil
if r[11] and r[11] ~= '' then
  balance = tonumber(r[11])
  if r[12] and r[12] ~= '' then
    local period = credit_period(now, r[13])
    if period > (tonumber(r[14] or '0') or 0) then
      balance = tonumber(r[12])
      refilled = period
    end
  end
end

local checked = {}
local denied = false

-- One sliding window: is there room for cost? Recorded in checked, charged only if all pass.
local function check(name, def, state, cost, side)
  if not def then return end
  local limit, w = string.match(def, '^(%d+):(%d+)$')
  limit, w = tonumber(limit), tonumber(w)
  local g = math.max(1, math.ceil(w / ${WINDOW_BUCKETS}))
  local first = math.floor((now - w) / g)
  local current = math.floor(now / g)
  -- The window's running total and its oldest live bucket, kept beside the buckets: the
  -- common check reads three fields, not every bucket.
  local st = redis.call('HMGET', state, 'w', 'n', 'o')
  local fresh = st[1] ~= false and (tonumber(st[1]) ~= w or not st[2])
  local used, oldest, expired = 0, nil, {}
  if st[1] and not fresh then
    used = tonumber(st[2])
    oldest = st[3] and tonumber(st[3])
  end
  if oldest and oldest < first then
    -- The oldest buckets left the window: drop them, find the oldest still in it. At most
    -- once per bucket width per window, and never more than 61 buckets to look at.
    local span = {}
    for b = oldest, current do span[#span + 1] = b end
    local counts = redis.call('HMGET', state, unpack(span))
    oldest = nil
    for j, b in ipairs(span) do
      local c = counts[j]
      if c then
        if b < first then
          used = used - tonumber(c)
          expired[#expired + 1] = b
        elseif not oldest then
          oldest = b
        end
      end
    end
  end
  local need = math.max(cost, 1)
  local passed = used + need <= limit
  if not passed then denied = true end
  checked[#checked + 1] = { name = name, limit = limit, w = w, g = g, used = used,
    cost = cost, need = need, passed = passed, oldest = oldest, expired = expired,
    fresh = fresh, state = state, current = current, side = side }
end

local k = shared and 3 or 2
for i = 7 + n, #ARGV, 2 do
  local name, cost = ARGV[i], tonumber(ARGV[i + 1])
  check(name, redis.call('HGET', rec, 'rl:' .. name), KEYS[k], cost, 'key')
  if shared then
    check(name, redis.call('HGET', idn, 'rl:' .. name), KEYS[k + 1], cost, 'identity')
    k = k + 2
  else
    k = k + 1
  end
end

local function reset_after(c, free)
  -- When the oldest buckets holding at least free units have left the window.
  if not c.oldest then return -1 end
  local span = {}
  for b = c.oldest, c.current do span[#span + 1] = b end
  local counts = redis.call('HMGET', c.state, unpack(span))
  local acc = 0
  for j, b in ipairs(span) do
    acc = acc + (tonumber(counts[j]) or 0)
    if acc >= free then return (b + 1) * c.g + c.w end
  end
  return -1
end

local function report(charged)
  local out = {}
  for _, c in ipairs(checked) do
    local used = c.used
    local oldest = c.oldest
    if charged and c.cost > 0 then
      used = used + c.cost
      oldest = oldest or c.current
    end
    local reset
    if c.passed then
      reset = (used == 0 or not oldest) and now or (oldest + 1) * c.g + c.w
    else
      reset = c.need > c.limit and -1 or reset_after(c, used + c.need - c.limit)
    end
    for _, v in ipairs({ c.name, c.limit, c.w, math.max(0, c.limit - used), reset, c.passed and 1 or 0, c.side }) do
      out[#out + 1] = v
    end
  end
  return out
end

if balance ~= nil and balance < math.max(credit_cost, 1) then
  return answer('USAGE_EXCEEDED', balance, report(false))
end
if denied then return answer('RATE_LIMITED', balance or '', report(false)) end

if balance ~= nil then
  balance = balance - credit_cost
  if refilled then redis.call('HSET', rec, 'cr', balance, 'crP', refilled)
  elseif credit_cost > 0 then redis.call('HSET', rec, 'cr', balance) end
end
for _, c in ipairs(checked) do
  if c.cost > 0 then
    if c.fresh then redis.call('DEL', c.state) end
    if #c.expired > 0 then redis.call('HDEL', c.state, unpack(c.expired)) end
    redis.call('HINCRBY', c.state, c.current, c.cost)
    redis.call('HSET', c.state, 'w', c.w, 'n', c.used + c.cost, 'o', c.oldest or c.current)
    redis.call('PEXPIRE', c.state, c.w + c.g)
  end
end
return answer('VALID', balance or '', report(true))
`;

// The Lua scripts of the Redis limit store. Each runs atomically on the server, so pods sharing a
// counter can never interleave a read and a write. Times come from the server's clock (TIME), so the
// pods' clocks do not have to agree for buckets and leases. The arithmetic is the pure core's
// (shared/src/limits/token-bucket.ts, budget.ts); redis-store.e2e.test.ts holds both to the same cases.

/** KEYS[1] bucket hash. ARGV: rate per second, burst. Returns {allowed 0|1, retryAfterMs, remaining}. */
export const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local s = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(s[1])
local at = tonumber(s[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
at = math.max(now, at)
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {allowed, retry, math.floor(tokens)}
`;

/** KEYS[1] slot zset (id → lease end). ARGV: id, max, leaseMs. Returns {ok 0|1, inFlight}. */
export const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local n = redis.call('ZCARD', KEYS[1])
if n >= tonumber(ARGV[2]) then
  return {0, n}
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) + 1000)
return {1, n + 1}
`;

// Budgets: KEYS[1] used hash (i, o, c), KEYS[2] reservation leases zset (id → lease end),
// KEYS[3] reservation amounts hash (id → "input output cost").
const RESERVED_SUMS = `
local function reserved_sums()
  local ri, ro, rc = 0, 0, 0
  local vals = redis.call('HVALS', KEYS[3])
  for _, v in ipairs(vals) do
    local a, b, c = string.match(v, '^(%d+) (%d+) (%d+)$')
    if a then
      ri = ri + tonumber(a)
      ro = ro + tonumber(b)
      rc = rc + tonumber(c)
    end
  end
  return ri, ro, rc
end
local function used()
  local u = redis.call('HMGET', KEYS[1], 'i', 'o', 'c')
  return tonumber(u[1]) or 0, tonumber(u[2]) or 0, tonumber(u[3]) or 0
end
`;

/**
 * ARGV: id, limits (input, output, tokens, cost; -1 = none), ask (input, output, cost), leaseMs, ttlMs.
 * Returns {1} or {0, dimension 1-4, why 1 exhausted | 2 tooLarge | 3 busy | 4 short, limit, used, ask}.
 */
export const RESERVE = `${RESERVED_SUMS}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lapsed = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, id in ipairs(lapsed) do redis.call('HDEL', KEYS[3], id) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local ui, uo, uc = used()
local ri, ro, rc = reserved_sums()
local ai, ao, ac = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local checks = {
  {tonumber(ARGV[2]), ui, ri, ai},
  {tonumber(ARGV[3]), uo, ro, ao},
  {tonumber(ARGV[4]), ui + uo, ri + ro, ai + ao},
  {tonumber(ARGV[5]), uc, rc, ac},
}
for d, c in ipairs(checks) do
  local limit, u, r, ask = c[1], c[2], c[3], c[4]
  if limit >= 0 then
    if u >= limit then return {0, d, 1, limit, u, ask} end
    if ask > limit then return {0, d, 2, limit, u, ask} end
    if u + ask > limit then return {0, d, 4, limit, u, ask} end
    if u + r + ask > limit then return {0, d, 3, limit, u, ask} end
  end
end
redis.call('HSET', KEYS[3], ARGV[1], ai .. ' ' .. ao .. ' ' .. ac)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[9]), ARGV[1])
local ttl = tonumber(ARGV[10])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ttl) end
return {1}
`;

/** ARGV: id, actual (input, output, cost). Returns {used i, o, c, reserved i, o, c} after settling. */
export const SETTLE = `${RESERVED_SUMS}
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HINCRBY', KEYS[1], 'i', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'o', ARGV[3])
redis.call('HINCRBY', KEYS[1], 'c', ARGV[4])
local ui, uo, uc = used()
local ri, ro, rc = reserved_sums()
return {ui, uo, uc, ri, ro, rc}
`;

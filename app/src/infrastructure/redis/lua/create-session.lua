-- Stores a new session, its index entry and its first refresh token in one step.
-- KEYS: session, user's session index, session's token set, refresh token
-- ARGV: session id, session JSON, session expiry (ms), token hash, token JSON,
--       token expiry (ms), now (ms)
local function extend(key, at)
  local current = redis.call('PEXPIRETIME', key)
  if current < 0 or current < tonumber(at) then redis.call('PEXPIREAT', key, at) end
end

redis.call('SET', KEYS[1], ARGV[2], 'PXAT', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
-- Ended sessions leave the index on every write, so it stays bounded by live sessions.
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[7])
local newest = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
if newest[2] then extend(KEYS[2], newest[2]) end

redis.call('SET', KEYS[4], ARGV[5], 'PXAT', ARGV[6])
redis.call('SADD', KEYS[3], ARGV[4])
extend(KEYS[3], math.max(tonumber(ARGV[3]), tonumber(ARGV[6])))
return 1

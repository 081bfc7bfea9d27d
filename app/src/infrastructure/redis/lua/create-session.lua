-- Stores a new session, its index entry and its first refresh token in one step. Past the cap
-- it ends the user's sessions closest to their end (index score = expiry: the least recently
-- used) with their refresh tokens, and returns their ids for the caller to revoke.
-- KEYS: session, user's session index, session's token set, refresh token
-- ARGV: session id, session JSON, session expiry (ms), token hash, token JSON,
--       token expiry (ms), now (ms), cap of live sessions per user (0: none),
--       key prefix of the user's keys (same hash tag)
local function extend(key, at)
  local current = redis.call('PEXPIRETIME', key)
  if current < 0 or current < tonumber(at) then redis.call('PEXPIREAT', key, at) end
end

local function endSession(sessionId)
  local sessionKey = ARGV[9] .. 'session:' .. sessionId
  redis.call('DEL', sessionKey)
  redis.call('ZREM', KEYS[2], sessionId)
  for _, hash in ipairs(redis.call('SMEMBERS', sessionKey .. ':tokens')) do
    redis.call('DEL', ARGV[9] .. 'refresh:' .. hash)
  end
  redis.call('DEL', sessionKey .. ':tokens')
end

redis.call('SET', KEYS[1], ARGV[2], 'PXAT', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
-- Ended sessions leave the index on every write, so it stays bounded by live sessions.
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[7])

local ended = {}
local cap = tonumber(ARGV[8])
local excess = cap > 0 and redis.call('ZCARD', KEYS[2]) - cap or 0
if excess > 0 then
  -- One candidate more than needed, in case the new session ties with the oldest.
  for _, sessionId in ipairs(redis.call('ZRANGE', KEYS[2], 0, excess)) do
    if sessionId ~= ARGV[1] and #ended < excess then
      endSession(sessionId)
      table.insert(ended, sessionId)
    end
  end
end

local newest = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
if newest[2] then extend(KEYS[2], newest[2]) end

redis.call('SET', KEYS[4], ARGV[5], 'PXAT', ARGV[6])
redis.call('SADD', KEYS[3], ARGV[4])
extend(KEYS[3], math.max(tonumber(ARGV[3]), tonumber(ARGV[6])))
return ended

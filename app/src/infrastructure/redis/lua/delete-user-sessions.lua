-- Deletes every session of a user with its refresh tokens and the index itself.
-- Returns the ids of the sessions that still existed.
-- KEYS: user's session index
-- ARGV: key prefix of the user's keys (same hash tag as the index)
local deleted = {}
for _, sessionId in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local sessionKey = ARGV[1] .. 'session:' .. sessionId
  if redis.call('DEL', sessionKey) == 1 then table.insert(deleted, sessionId) end
  local tokensKey = sessionKey .. ':tokens'
  for _, hash in ipairs(redis.call('SMEMBERS', tokensKey)) do
    redis.call('DEL', ARGV[1] .. 'refresh:' .. hash)
  end
  redis.call('DEL', tokensKey)
end
redis.call('DEL', KEYS[1])
return deleted

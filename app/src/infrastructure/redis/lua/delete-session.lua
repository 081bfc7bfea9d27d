-- Deletes one session, its index entry and its refresh tokens; 1 if the session existed.
-- KEYS: session, user's session index, session's token set
-- ARGV: session id, key prefix of the user's refresh tokens (same hash tag)
local existed = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
for _, hash in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  redis.call('DEL', ARGV[2] .. hash)
end
redis.call('DEL', KEYS[3])
return existed

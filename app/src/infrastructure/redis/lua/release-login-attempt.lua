-- Gives back one attempt of a key's open window (its login succeeded); the last one deletes
-- the key. A closed or missing window is left alone. Mirrors withOneReleased
-- (domain/login-attempt.ts).
-- KEYS: attempt window (hash: failures, resetsAt)
-- ARGV: now (ms)
local stored = redis.call('HMGET', KEYS[1], 'failures', 'resetsAt')
local failures = tonumber(stored[1])
local resetsAt = tonumber(stored[2])
if not failures or resetsAt <= tonumber(ARGV[1]) then return 0 end
if failures <= 1 then
  redis.call('DEL', KEYS[1])
  return 0
end
return redis.call('HINCRBY', KEYS[1], 'failures', -1)

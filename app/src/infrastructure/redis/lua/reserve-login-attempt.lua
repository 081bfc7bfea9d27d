-- Counts one login attempt in a key's window, before its password is checked; a closed window
-- reopens for the window length. Mirrors withFailure (domain/login-attempt.ts).
-- KEYS: attempt window (hash: failures, resetsAt)
-- ARGV: now (ms), window length (ms)
local now = tonumber(ARGV[1])
local stored = redis.call('HMGET', KEYS[1], 'failures', 'resetsAt')
local failures = tonumber(stored[1])
local resetsAt = tonumber(stored[2])
if not failures or resetsAt <= now then
  failures = 0
  resetsAt = now + tonumber(ARGV[2])
end
failures = failures + 1
redis.call('HSET', KEYS[1], 'failures', failures, 'resetsAt', string.format('%d', resetsAt))
redis.call('PEXPIREAT', KEYS[1], string.format('%d', resetsAt))
return {failures, string.format('%d', resetsAt)}

-- Spends a refresh token and stores its successor, sliding the session's idle expiry.
-- Mirrors classifyPresentedToken (domain/refresh-token.ts); only 'rotated' changes anything.
-- KEYS: presented token, session, user's session index, session's token set, successor token
-- ARGV: now (ms), idle timeout (ms), reuse grace (ms), successor hash, successor JSON,
--       successor expiry (ms), session id
local function extend(key, at)
  local current = redis.call('PEXPIRETIME', key)
  if current < 0 or current < tonumber(at) then redis.call('PEXPIREAT', key, at) end
end

local now = tonumber(ARGV[1])
local storedToken = redis.call('GET', KEYS[1])
if not storedToken then return {'unknown'} end
local token = cjson.decode(storedToken)

if type(token.spentAt) == 'number' then
  if now - token.spentAt < tonumber(ARGV[3]) then return {'spent-within-grace'} end
  return {'reused'}
end
if token.expiresAt <= now then return {'unknown'} end

local storedSession = redis.call('GET', KEYS[2])
if not storedSession then return {'session-ended'} end
local session = cjson.decode(storedSession)
if now >= math.min(session.idleExpiresAt, session.absoluteExpiresAt) then
  return {'session-ended'}
end

session.lastSeenAt = now
session.idleExpiresAt = math.min(now + tonumber(ARGV[2]), session.absoluteExpiresAt)
local sessionJson = cjson.encode(session)
redis.call('SET', KEYS[2], sessionJson, 'PXAT', session.idleExpiresAt)
redis.call('ZADD', KEYS[3], session.idleExpiresAt, ARGV[7])
extend(KEYS[3], session.idleExpiresAt)

-- The spent token stays until its own expiry so that a replay is recognised as reuse.
token.spentAt = now
redis.call('SET', KEYS[1], cjson.encode(token), 'KEEPTTL')
redis.call('SET', KEYS[5], ARGV[5], 'PXAT', ARGV[6])
redis.call('SADD', KEYS[4], ARGV[4])
extend(KEYS[4], ARGV[6])
return {'rotated', sessionJson}

-- Records revocations in the entries set and announces them on the feed, in one step.
-- KEYS: entries (sorted set, member = revocation without `until`, score = until), feed stream
-- ARGV: now (ms), feed max length, feed payload (JSON array), then pairs of until, member
local function extend(key, at)
  local current = redis.call('PEXPIRETIME', key)
  if current < 0 or current < tonumber(at) then redis.call('PEXPIREAT', key, at) end
end

-- Entries whose last token has expired are dropped on every write, keeping the set bounded.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
for i = 4, #ARGV, 2 do
  -- GT: a repeated revocation may lengthen an entry, never shorten it.
  redis.call('ZADD', KEYS[1], 'GT', ARGV[i], ARGV[i + 1])
end
local latest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if latest[2] then extend(KEYS[1], latest[2]) end

-- Each feed entry names the entry before it (`p`, '0-0' for the first of a stream), so a
-- reader sees any entry it missed (trimmed away, or never on this master) as a broken link.
local newest = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
local previous = '0-0'
if newest[1] then previous = newest[1][1] end
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'p', previous, 'r', ARGV[3])

-- Reads every entry in force together with the feed's newest id and the node's replication
-- state, in one step, so that reading the feed from that id afterwards misses nothing and
-- the reader knows whether this node may vouch for the snapshot (a master, not a replica).
-- KEYS: entries, feed
-- ARGV: now (ms)
local newest = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
local lastId = '0-0'
if newest[1] then lastId = newest[1][1] end
return {
  lastId,
  redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf', 'WITHSCORES'),
  redis.call('INFO', 'replication'),
}

"""The Lua scripts of :class:`~aircall_async.redis.RedisStreamInbox`: each step, atomically.

Keys of one inbox (``<stream>`` is the name given; on Redis Cluster put it in braces,
``{aircall:webhooks}``, so that all of them share a slot):

- ``<stream>``: deliveries ready or being handled, read by a consumer group; an entry
  is deleted (``XACK`` + ``XDEL``) once handled, retried later or dead-lettered, so the
  stream holds only unfinished deliveries;
- ``<stream>:retry`` (zset, delivery key -> due time) and ``<stream>:delayed`` (hash,
  delivery key -> "attempts\\nbody"): failed deliveries waiting for their next attempt,
  moved back into the stream when due;
- ``<stream>:dead``: dead letters (a stream, ``MAXLEN ~`` bounded);
- ``<stream>:seen:<key>``: one per accepted delivery, for a day (cross-node dedupe).

Times come from Redis's clock (``TIME``), so nodes never compare their own clocks.
"""

from __future__ import annotations

__all__ = ["CLAIM", "DEAD", "DONE", "LEAVE", "PROMOTE", "PUT", "RETRY", "TOUCH"]

_NOW = """
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

#: KEYS: stream, seen key, retry. ARGV: delivery key, body, dedupe ttl (ms), maxlen,
#: max pending. Returns "ACCEPTED", "DUPLICATE" or "FULL".
PUT = """
if redis.call('XLEN', KEYS[1]) + redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[5]) then
  if redis.call('EXISTS', KEYS[2]) == 1 then return 'DUPLICATE' end
  return 'FULL'
end
if not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[3]) then return 'DUPLICATE' end
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*',
           'key', ARGV[1], 'body', ARGV[2], 'attempts', '0')
return 'ACCEPTED'
"""

#: KEYS: stream, retry, delayed. ARGV: maxlen, at most how many to move.
#: Moves the due retries into the stream; returns ms until the next one is due (-1: none).
PROMOTE = (
    _NOW
    + """
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
for _, key in ipairs(due) do
  local stored = redis.call('HGET', KEYS[3], key)
  if stored then
    local cut = string.find(stored, '\\n', 1, true)
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'key', key,
               'body', string.sub(stored, cut + 1), 'attempts', string.sub(stored, 1, cut - 1))
  end
  redis.call('ZREM', KEYS[2], key)
  redis.call('HDEL', KEYS[3], key)
end
local nxt = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if nxt[2] then return math.max(0, math.ceil(tonumber(nxt[2]) - now)) end
return -1
"""
)

#: KEYS: stream. ARGV: group, consumer, min idle (ms), start id, count.
#: Takes over entries of consumers silent for min idle; returns
#: {next start id, {{id, fields, times delivered}, ...}}.
CLAIM = """
local r = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4],
                     'COUNT', ARGV[5])
local out = {}
for _, entry in ipairs(r[2]) do
  local id = entry[1]
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)
  local times = 1
  if p[1] then times = p[1][4] end
  out[#out + 1] = {id, entry[2], times}
end
return {r[1], out}
"""

#: KEYS: stream. ARGV: group, consumer, ids. Resets the idle time of the entries this
#: consumer still owns (not those another consumer has taken over meanwhile).
TOUCH = """
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if p[1] and p[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
  end
end
return 1
"""

#: KEYS: stream. ARGV: group, id. The delivery was handled.
DONE = """
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
return 1
"""

#: KEYS: stream, retry, delayed. ARGV: group, id, delivery key, attempts, body, delay (ms).
RETRY = (
    _NOW
    + """
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[3], ARGV[4] .. '\\n' .. ARGV[5])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[6]), ARGV[3])
return 1
"""
)

#: KEYS: stream, dead. ARGV: group, id, delivery key, attempts, body, dead maxlen.
DEAD = """
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[6], '*',
           'key', ARGV[3], 'body', ARGV[5], 'attempts', ARGV[4])
return 1
"""

#: KEYS: stream. ARGV: group, consumer. Removes the consumer from the group when it owns
#: no entry (deleting one that does would drop its entries from the group).
LEAVE = """
if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) == 0 then
  redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
end
return 1
"""

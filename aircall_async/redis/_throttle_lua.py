"""The Lua scripts of :class:`~aircall_async.redis.RedisThrottler`: every decision, atomically.

Redis runs each script alone, on its own clock (``TIME``), so the processes sharing a key
never disagree about what is free and no local clock is ever compared with another.
All times are milliseconds of Redis's clock. The keys of one budget (one hash tag, so
they live on one cluster slot):

- ``inflight`` (zset): tickets whose request is out; score = end of the ticket's lease,
  which its process renews while the request runs, so a dead process' slots expire;
- ``finished`` (zset): tickets whose answer came; score = finish time + ``per``;
- ``queue`` (zset): waiting processes in order of arrival (score = a sequence number);
- ``deadlines`` (zset): by when each waiter promised to poll again; one that misses it
  (its process died) leaves the queue;
- ``state`` (hash): what the server's headers said: ``limit`` (held until ``limit_until``),
  ``left`` requests in the server's window ``window`` (until ``left_until``),
  ``blocked_until`` after a 429; and ``seq``, the queue's counter.

A slot is taken while its ticket is in ``inflight`` or ``finished`` with a score in the
future, which is the in-process throttler's sliding log stamped when requests finish: no
window of ``per`` seconds, however aligned, sees more than ``limit`` arrivals.
"""

from __future__ import annotations

__all__ = ["ABANDON", "ACQUIRE", "CARRY", "RELEASE", "RENEW"]

_PRELUDE = """
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function keep(ttl)
  for _, key in ipairs(KEYS) do redis.call('PEXPIRE', key, ttl) end
end
"""

#: KEYS: inflight, finished, queue, deadlines, state.
#: ARGV: ticket, limit, lease, grace, max_poll, ttl, step (times in ms).
#: Returns {1, 0} when the ticket got a slot, else {0, ms to wait before asking again}.
ACQUIRE = (
    _PRELUDE
    + """
local ticket = ARGV[1]
local limit = tonumber(ARGV[2])
local lease, grace, max_poll = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local ttl, step = tonumber(ARGV[6]), tonumber(ARGV[7])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
for _, gone in ipairs(redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now)) do
  redis.call('ZREM', KEYS[3], gone)
end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
if not redis.call('ZSCORE', KEYS[3], ticket) then
  redis.call('ZADD', KEYS[3], redis.call('HINCRBY', KEYS[5], 'seq', 1), ticket)
end
local s = redis.call('HMGET', KEYS[5], 'limit', 'limit_until', 'left', 'left_until',
                     'blocked_until')
local learned, learned_until = tonumber(s[1]), tonumber(s[2])
if learned and learned_until and learned_until > now and learned < limit then
  limit = learned
end
local left, left_until = tonumber(s[3]), tonumber(s[4])
if not (left and left_until and left_until > now) then left = nil end
local wait = 0
local blocked = tonumber(s[5])
if blocked and blocked > now then wait = blocked - now end
if left and left <= 0 then wait = math.max(wait, left_until - now) end
local free = 0
if wait == 0 then
  local used = redis.call('ZCARD', KEYS[1]) + redis.call('ZCARD', KEYS[2])
  free = limit - used
  if left and left < free then free = left end
  if free <= 0 then
    -- Wait for the k-th slot to expire, k being how many must go before one is free.
    local k = used - limit + 1
    local ends = {}
    for i = 1, 2 do
      local r = redis.call('ZRANGE', KEYS[i], 0, k - 1, 'WITHSCORES')
      for j = 2, #r, 2 do ends[#ends + 1] = tonumber(r[j]) end
    end
    table.sort(ends)
    wait = math.max(ends[k] - now, 1)
  end
end
if wait == 0 then
  local rank = redis.call('ZRANK', KEYS[3], ticket)
  if rank < free then
    redis.call('ZREM', KEYS[3], ticket)
    redis.call('ZREM', KEYS[4], ticket)
    redis.call('ZADD', KEYS[1], now + lease, ticket)
    if left then redis.call('HSET', KEYS[5], 'left', left - 1) end
    keep(ttl)
    return {1, 0}
  end
  -- Slots are free but earlier waiters come first: ask again shortly.
  wait = step * (rank - free + 1)
end
if wait > max_poll then wait = max_poll end
wait = math.ceil(wait)
redis.call('ZADD', KEYS[4], now + wait + grace, ticket)
keep(ttl)
return {0, wait}
"""
)

#: KEYS: inflight, finished, state.
#: ARGV: ticket, per, header limit, header remaining, header reset (ms since the epoch),
#: rejected ("1" for a 429), longest believed reset, ttl, how long a lowered limit holds.
#: The header values are "" when absent.
RELEASE = (
    _PRELUDE
    + """
local ticket, per = ARGV[1], tonumber(ARGV[2])
local limit, remaining, reset = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local max_reset, ttl, hold = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
redis.call('ZREM', KEYS[1], ticket)
redis.call('ZADD', KEYS[2], now + per, ticket)
if limit then
  -- A lower limit wins at once; a higher one only once no answer said the lower one
  -- for a while (answers arrive out of order).
  local s = redis.call('HMGET', KEYS[3], 'limit', 'limit_until')
  local learned, learned_until = tonumber(s[1]), tonumber(s[2])
  if not learned or not learned_until or learned_until <= now or limit <= learned then
    redis.call('HSET', KEYS[3], 'limit', limit, 'limit_until', now + hold)
  end
end
local reset_at = nil
if reset then reset_at = math.min(reset, now + max_reset) end
if remaining and reset_at and reset_at > now then
  -- What the server counted when it answered; admissions decrement it from now on. Not
  -- minus the requests still out: most were counted already, and subtracting them
  -- would halt a burst half-way (the sliding log caps our own starts anyway). Within one
  -- window of the server a count only ever goes down (answers arrive out of order).
  local left = remaining
  local s = redis.call('HMGET', KEYS[3], 'left', 'window', 'left_until')
  local known, window, known_until = tonumber(s[1]), tonumber(s[2]), tonumber(s[3])
  if known and window == reset and known_until and known_until > now then
    left = math.min(left, known)
  end
  redis.call('HSET', KEYS[3], 'left', left, 'window', reset, 'left_until', reset_at)
end
if ARGV[6] == '1' then
  local hold_until = now + per
  if reset_at then hold_until = reset_at end
  local blocked = tonumber(redis.call('HGET', KEYS[3], 'blocked_until'))
  if not blocked or hold_until > blocked then
    redis.call('HSET', KEYS[3], 'blocked_until', hold_until)
  end
end
keep(ttl)
return 1
"""
)

#: KEYS: inflight. ARGV: lease, then the tickets still out. Extends their leases (only of
#: tickets still in flight: a renewal that lands after the release changes nothing).
RENEW = (
    _PRELUDE
    + """
local lease = tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now + lease, ARGV[i]) end
return 1
"""
)

#: KEYS: inflight, queue, deadlines. ARGV: ticket. A ticket given up (its task was
#: cancelled, or Redis failed mid-call): out of the queue, and its slot if it got one.
ABANDON = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return 1
"""

#: KEYS: finished. ARGV: per-slot remaining lifetimes (ms), with ticket names interleaved:
#: slots taken by a process on its fallback budget while Redis was away.
CARRY = (
    _PRELUDE
    + """
for i = 1, #ARGV, 2 do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[i]), ARGV[i + 1]) end
return 1
"""
)

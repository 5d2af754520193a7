"""Rate limits: token buckets (a sustained rate with room for short bursts)
and backoff after failed sign-ins.

One process keeps them in memory. With several processes (a message queue
configured) they live in Redis, so a limit holds whichever process a request
reaches. Redis being unreachable never refuses anyone: the limit is skipped
and the failure logged, as the message queue itself would fail loudly."""
from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)


class TokenBuckets:
    def __init__(self, rate: float, burst: int, clock=time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self._buckets: dict = {}
        self._lock = threading.Lock()

    def allow(self, key) -> bool:
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                return False
            self._buckets[key] = (tokens - 1, now)
            if len(self._buckets) > 100_000:  # forget idle keys rather than grow forever
                self._buckets.clear()
            return True


# Redis' own clock, so processes on several machines agree.
_BUCKET = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local v = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(v[1]) or burst
local at = tonumber(v[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local ok = 0
if tokens >= 1 then
  tokens = tokens - 1
  ok = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return ok
"""


class RedisTokenBuckets:
    """TokenBuckets shared by every process, one Redis hash per key."""

    def __init__(self, redis, prefix: str, rate: float, burst: int):
        self.redis, self.prefix = redis, prefix
        self.rate, self.burst = rate, burst
        self._script = redis.register_script(_BUCKET)

    def allow(self, key) -> bool:
        try:
            return bool(self._script(keys=[f"{self.prefix}:{key}"], args=[self.rate, self.burst]))
        except Exception:  # noqa: BLE001 - see the module's docstring
            log.exception("rate limit store unreachable; allowing")
            return True


class Backoff:
    """Failed attempts per key (a client address, an account): the first
    `free` go unhindered, then each further one must wait twice as long as the
    one before, up to `cap` seconds. A wait, never a lockout: whoever fails on
    purpose against someone's account delays them by at most `cap` seconds.
    Failures are forgotten `forget` seconds after the last one, or on success."""

    def __init__(self, free: int, cap: float, forget: float = 3600, clock=time.time):
        self.free, self.cap, self.forget, self.clock = free, cap, forget, clock
        self._failures: dict = {}
        self._lock = threading.Lock()

    def delay(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return float(min(self.cap, 2 ** (failures - self.free)))

    def _remaining(self, failures: int, last: float, now: float) -> float:
        return max(0.0, last + self.delay(failures) - now)

    def wait(self, key) -> float:
        """Seconds until `key` may try again (0: now)."""
        now = self.clock()
        with self._lock:
            failures, last = self._failures.get(key, (0, now))
            if now - last > self.forget:
                self._failures.pop(key, None)
                return 0.0
            return self._remaining(failures, last, now)

    def fail(self, key) -> None:
        now = self.clock()
        with self._lock:
            failures, last = self._failures.get(key, (0, now))
            if now - last > self.forget:
                failures = 0
            self._failures[key] = (failures + 1, now)
            if len(self._failures) > 100_000:
                self._failures.clear()

    def clear(self, key) -> None:
        with self._lock:
            self._failures.pop(key, None)


_FAIL = """
local t = redis.call('TIME')
redis.call('HINCRBY', KEYS[1], 'failures', 1)
redis.call('HSET', KEYS[1], 'at', t[1] .. '.' .. string.format('%06d', tonumber(t[2])))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1
"""

_STATE = """
local t = redis.call('TIME')
local v = redis.call('HMGET', KEYS[1], 'failures', 'at')
return {v[1] or '0', v[2] or '0', t[1] .. '.' .. string.format('%06d', tonumber(t[2]))}
"""


class RedisBackoff(Backoff):
    """Backoff shared by every process; Redis forgets a key by itself."""

    def __init__(self, redis, prefix: str, free: int, cap: float, forget: float = 3600):
        super().__init__(free, cap, forget)
        self.redis, self.prefix = redis, prefix
        self._fail = redis.register_script(_FAIL)
        self._state = redis.register_script(_STATE)

    def wait(self, key) -> float:
        try:
            failures, last, now = self._state(keys=[f"{self.prefix}:{key}"])
        except Exception:  # noqa: BLE001
            log.exception("sign-in backoff store unreachable; not slowing")
            return 0.0
        return self._remaining(int(failures), float(last), float(now))

    def fail(self, key) -> None:
        try:
            self._fail(keys=[f"{self.prefix}:{key}"], args=[int(self.forget)])
        except Exception:  # noqa: BLE001
            log.exception("sign-in backoff store unreachable")

    def clear(self, key) -> None:
        try:
            self.redis.delete(f"{self.prefix}:{key}")
        except Exception:  # noqa: BLE001
            log.exception("sign-in backoff store unreachable")

"""Presence and rate limits in Redis, as several processes share them:
each store object here stands for one process."""
import time
import uuid

import pytest

from sinkron.live.presence import Connection, RedisStore
from sinkron.live.ratelimit import RedisBackoff, RedisTokenBuckets
from tests.services import redis_url  # noqa: F401  (fixture)

pytestmark = pytest.mark.redis


@pytest.fixture
def shared(redis_url):  # noqa: F811
    import redis
    client = redis.Redis.from_url(redis_url)
    prefix = f"sinkron-test-{uuid.uuid4().hex[:8]}"
    yield client, prefix
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def test_a_join_limit_holds_across_processes(shared):
    client, prefix = shared
    one = RedisTokenBuckets(client, f"{prefix}:join", rate=1 / 60, burst=3)
    two = RedisTokenBuckets(client, f"{prefix}:join", rate=1 / 60, burst=3)
    assert [one.allow("192.0.2.1"), two.allow("192.0.2.1"), one.allow("192.0.2.1")] == [True] * 3
    assert two.allow("192.0.2.1") is False and one.allow("192.0.2.1") is False
    assert two.allow("192.0.2.2") is True  # another address has its own bucket
    assert client.pttl(f"{prefix}:join:192.0.2.1") > 0  # idle keys expire by themselves


def test_sign_in_backoff_holds_across_processes(shared):
    client, prefix = shared
    one = RedisBackoff(client, f"{prefix}:b", free=2, cap=30)
    two = RedisBackoff(client, f"{prefix}:b", free=2, cap=30)
    one.fail("rina")
    two.fail("rina")
    assert 0 < one.wait("rina") <= 1 and 0 < two.wait("rina") <= 1
    one.clear("rina")
    assert two.wait("rina") == 0


def test_unreachable_redis_limits_nobody():
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry
    down = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))
    assert RedisTokenBuckets(down, "x", 1, 1).allow("k") is True
    assert RedisBackoff(down, "x", 1, 1).wait("k") == 0


def test_presence_lists_every_process_and_drops_a_dead_one(shared):
    client, prefix = shared
    a = RedisStore(client, f"{prefix}:presence", ttl=1)
    b = RedisStore(client, f"{prefix}:presence", ttl=1)
    a.put("sid-a1", Connection(7, "facilitator", 1, 10, "LSM"))
    b.put("sid-b1", Connection(7, "participant", 2, 11, "OPD"))
    b.put("sid-b2", Connection(7, "projector", 2, None, None))
    b.put("sid-x", Connection(8, "participant", 2, 12, "OPD"))
    assert [sid for sid, _ in a.of_meeting(7)] == ["sid-a1", "sid-b1", "sid-b2"]
    assert a.of_meeting(7) == b.of_meeting(7)
    assert a.sids_of(11) == ["sid-b1"]
    b.pop("sid-b1")
    assert a.sids_of(11) == [] and len(a.of_meeting(7)) == 2
    # b stops renewing its heartbeat (killed): after the TTL, a drops it.
    time.sleep(1.2)
    assert a.heartbeat() == {7, 8}
    assert [sid for sid, _ in a.of_meeting(7)] == ["sid-a1"] and a.of_meeting(8) == []
    # a process that stalled past the TTL writes its connections back.
    time.sleep(1.2)
    b.heartbeat()  # b "wakes up": its own are in memory still
    assert {sid for sid, _ in a.of_meeting(7)} >= {"sid-b2"}

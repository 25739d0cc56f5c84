"""Watched counters in Redis (cms/cache.py): what the page cache's content generation is read
with on every request. Each `RedisCache` here stands for one app process: its own clients,
its own subscription."""

import time
import uuid

import pytest
import redis

from cms import backends, cache
from tests.conftest import TEST_REDIS_URL

pytestmark = pytest.mark.redis


def named_cache(prefix: str, name: str) -> cache.RedisCache:
    """One process's cache, its connections named `name` in Redis's CLIENT LIST."""
    config = backends.cache(TEST_REDIS_URL)
    config |= {"KEY_PREFIX": prefix, "OPTIONS": {**config["OPTIONS"], "client_name": name}}
    return cache.RedisCache(config["LOCATION"], config)


@pytest.fixture
def processes():
    """Two processes' caches sharing Redis under a prefix no other test uses."""
    prefix = f"test-{uuid.uuid4().hex}"
    first, second = (named_cache(prefix, f"{prefix}-{which}") for which in ("first", "second"))
    yield first, second
    first.close_connections()
    second.close_connections()
    with redis.Redis.from_url(TEST_REDIS_URL) as client:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


def refuse_reads(monkeypatch, process: cache.RedisCache) -> None:
    """Make a process's own reads from Redis fail, so that only its watch can answer."""
    client = process._cache.get_client()

    def no_round_trip(*args, **kwargs):
        raise AssertionError("read from Redis instead of the watch")

    monkeypatch.setattr(client, "get", no_round_trip)


def announcement_waiting(process: cache.RedisCache) -> bool:
    """Whether an announcement sits on the process's subscription now, without waiting."""
    (watch,) = process._watches.values()
    return watch.pubsub.connection.can_read(timeout=0)


def test_a_change_announced_by_one_process_is_seen_at_once_by_the_other(monkeypatch, processes):
    first, second = processes
    first.add_announced("generation", 10)
    assert second.get_watched("generation") == 10
    refuse_reads(monkeypatch, second)

    first.incr_announced("generation")
    first.incr_announced("generation")

    assert second.get_watched("generation") == 12
    assert second.get_watched("generation") == 12


def test_a_counter_started_while_watched_is_seen_at_once(monkeypatch, processes):
    first, second = processes
    assert second.get_watched("generation") is None  # subscribed, nothing there yet
    refuse_reads(monkeypatch, second)

    assert first.add_announced("generation", 500) == 500
    assert first.add_announced("generation", 7) == 500  # started once only

    assert second.get_watched("generation") == 500


def test_a_change_is_waiting_for_every_watcher_when_it_returns(processes):
    """Redis answers a change and announces it in one pass, in no set order: a few
    changes in a thousand came back before their announcement had gone out to the other
    process, on this loaded 2-core machine, until the change waited for a round trip."""
    first, second = processes
    first.add_announced("generation", 1)
    assert second.get_watched("generation") == 1

    late = 0
    for expected in range(2, 3002):
        first.incr_announced("generation")
        late += not announcement_waiting(second)
        assert second.get_watched("generation") == expected

    assert late == 0


def test_the_process_making_a_change_knows_it_without_its_announcement(monkeypatch, processes):
    first, _ = processes
    first.add_announced("generation", 1)
    assert first.get_watched("generation") == 1
    (watch,) = first._watches.values()
    monkeypatch.setattr(watch, "take_announcements", lambda: None)  # still on the wire
    refuse_reads(monkeypatch, first)

    first.incr_announced("generation")

    assert first.get_watched("generation") == 2


def test_incrementing_a_counter_that_does_not_exist_is_refused(processes):
    first, _ = processes

    with pytest.raises(ValueError):
        first.incr_announced("generation")

    assert first.get("generation") is None


def test_the_counter_is_the_cache_value_django_reads(processes):
    first, _ = processes
    first.add_announced("generation", 41)
    first.incr_announced("generation")

    assert first.get("generation") == 42
    assert first.incr("generation") == 43  # and Django's own incr() still works on it


def test_a_lost_subscription_falls_back_to_reading_redis(processes):
    first, second = processes
    first.add_announced("generation", 1)
    assert second.get_watched("generation") == 1
    with redis.Redis.from_url(TEST_REDIS_URL) as client:
        client.client_kill_filter(_type="pubsub", skipme=True)

    first.incr_announced("generation")

    assert second.get_watched("generation") == 2
    first.incr_announced("generation")
    assert second.get_watched("generation") == 3  # watching again, or reading: never stale


def test_an_unannounced_change_is_seen_within_the_recheck_interval(monkeypatch, processes):
    first, second = processes
    first.add_announced("generation", 1)
    assert second.get_watched("generation") == 1
    first.incr("generation")  # behind the watch's back (a person at redis-cli)
    assert second.get_watched("generation") == 1

    monkeypatch.setattr(cache, "WATCH_RECHECK_SECONDS", 0)

    assert second.get_watched("generation") == 2


def test_a_forked_process_watches_on_its_own(monkeypatch, processes, request):
    first, second = processes
    first.add_announced("generation", 1)
    second.get_watched("generation")
    request.getfixturevalue("parents_connections")  # the pools exist only now
    parents_watch = next(iter(second._watches.values()))

    monkeypatch.setattr(cache.os, "getpid", lambda: parents_watch.pid + 1)
    first.incr_announced("generation")

    assert second.get_watched("generation") == 2
    assert next(iter(second._watches.values())) is not parents_watch
    # Its copy of the parent's socket is closed, not left to the garbage collector.
    assert parents_watch.pubsub.connection is None


@pytest.fixture
def parents_connections(processes):
    """The connections of both caches' pools before a faked fork: redis-py's pools forget
    them when the pid changes, as they must after a real fork, so the test closes them."""
    connections = [
        connection
        for process in processes
        for pool in process._cache._pools.values()
        for connection in [*pool._available_connections, *pool._in_use_connections]
    ]
    yield connections
    for connection in connections:
        connection.disconnect()


def test_reads_go_on_when_redis_cannot_be_watched(monkeypatch, processes):
    first, second = processes
    first.add_announced("generation", 5)

    def cannot_subscribe(*args, **kwargs):
        raise redis.ConnectionError("refused")

    monkeypatch.setattr(cache, "_Watch", cannot_subscribe)

    assert second.get_watched("generation") == 5
    first.incr_announced("generation")
    assert second.get_watched("generation") == 6


def redis_clients(name: str, kind: str) -> int:
    """How many connections of `kind` (normal, pubsub) named `name` Redis has: only the
    ones a cache made with that name, whatever other tests leave closing meanwhile."""
    with redis.Redis.from_url(TEST_REDIS_URL) as client:
        return sum(1 for entry in client.client_list(_type=kind) if entry["name"] == name)


def test_closing_a_cache_closes_its_subscription_and_its_connections(processes):
    first, _ = processes
    name = f"{first.key_prefix}-first"
    first.add_announced("generation", 1)
    assert first.get_watched("generation") == 1
    assert redis_clients(name, "pubsub") == 1
    assert redis_clients(name, "normal") == 1

    first.close_connections()

    # Redis notices a closed socket on its next pass: wait for it a moment.
    deadline = time.monotonic() + 2
    while redis_clients(name, "pubsub") + redis_clients(name, "normal") and (
        time.monotonic() < deadline
    ):
        time.sleep(0.01)
    assert redis_clients(name, "pubsub") == 0
    assert redis_clients(name, "normal") == 0
    assert first.get_watched("generation") == 1  # and the cache still works afterwards

"""Django's Redis cache, keeping one Redis client per connection pool, with watched counters.

Django's `RedisCacheClient` makes a new `redis.Redis` for every call, and redis-py builds
its table of some 170 response handlers each time: about 80 µs, more than everything
else a page from the page cache costs (blog/pagecache.py). The client is safe to share
between threads (each command borrows a connection from the pool), so one is kept.

A watched counter is a number every process reads on every request and that changes
rarely (the page cache's content generation). Asking Redis each time costs a round trip,
on the page cache's fast path the largest part of what a kept page costs. Instead each
process subscribes once to the counter's channel; a change (`incr_announced`,
`add_announced`) is made and announced in one Lua script, so no change goes unannounced;
and a read (`get_watched`) first takes whatever announcements already sit on the
subscription's socket (one `poll`, no round trip). Redis sends an announcement to the
subscribers in the same pass of its event loop as its answer to the change, but in no set
order: now and then the answer comes back first. So a change is not called done until one
more round trip has come back, which Redis answers only after that pass: by then the
announcement sits in the socket of every process on the same host that watches the
counter, and the process that made the change has taken the new value itself. A reader's
request that follows a change (the editor's page answered, a link followed) finds it
waiting. When the subscription breaks, reads ask
Redis again until it is back, and a watched number is checked with Redis at least every
WATCH_RECHECK_SECONDS whatever happens, which bounds what a silently dead connection could
hide.

Django keeps one cache object per thread, so each thread that reads a watched counter
holds a subscription of its own: one per process under gunicorn's sync workers.

Redis's own client-side caching (CLIENT TRACKING) does the same, but redis-py supports it
only from Redis 7.4.
"""

import contextlib
import logging
import os
import threading
import time

from django.core.cache.backends import redis

logger = logging.getLogger(__name__)

WATCH_RECHECK_SECONDS = 1.0
_SUBSCRIBE_TIMEOUT_SECONDS = 2.0

# KEYS[1] the counter, ARGV[1] its channel. False (nil) when the counter does not exist,
# like Django's incr() raising ValueError.
_INCR_AND_ANNOUNCE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local value = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', ARGV[1], value)
return value
"""
# KEYS[1] the counter, ARGV[1] its channel, ARGV[2] the value to start from, unless it has one.
_ADD_AND_ANNOUNCE = """
if redis.call('SET', KEYS[1], ARGV[2], 'NX') then redis.call('PUBLISH', ARGV[1], ARGV[2]) end
return redis.call('GET', KEYS[1])
"""


class ReusingRedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client

    def close_connections(self) -> None:
        pools, self._pools, self._clients = list(self._pools.values()), {}, {}
        for pool in pools:
            pool.disconnect()


class _Watch:
    """One process's subscription to a counter's channel, and the last value it knows."""

    def __init__(self, client, key: str, channel: str):
        self.lock = threading.Lock()
        self.pid = os.getpid()
        self.pubsub = client.pubsub()
        self.pubsub.subscribe(channel)
        confirmation = self.pubsub.get_message(timeout=_SUBSCRIBE_TIMEOUT_SECONDS)
        if confirmation is None or confirmation["type"] != "subscribe":
            self.close()
            raise ConnectionError(f"Redis did not confirm the subscription to {channel}")
        # Read only now: any change after this value is announced on the subscription.
        self.value = _as_int(client.get(key))
        self.checked_at = time.monotonic()

    def take_announcements(self) -> None:
        if not self.pubsub.connection.can_read(timeout=0):
            return  # the usual case, found with one poll
        while (message := self.pubsub.get_message(timeout=0)) is not None:
            if message["type"] == "message":
                announced = _as_int(message["data"])
                # Announcements can arrive after a read that already saw them.
                self.value = announced if self.value is None else max(self.value, announced)

    def close(self) -> None:
        with contextlib.suppress(Exception):  # already broken: nothing left to release
            self.pubsub.close()


def _as_int(value) -> int | None:
    return None if value is None else int(value)


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self._watches: dict[str, _Watch] = {}
        self._watches_lock = threading.Lock()

    def _channel(self, key: str) -> str:
        return f"{key}:announced"

    def incr_announced(self, key: str, version=None) -> int:
        """`incr()` that tells every process watching the counter."""
        key = self.make_and_validate_key(key, version=version)
        client = self._cache.get_client(key, write=True)
        value = client.eval(_INCR_AND_ANNOUNCE, 1, key, self._channel(key))
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return self._announced(client, key, int(value))

    def add_announced(self, key: str, value: int, version=None) -> int:
        """Start the counter at `value` unless it exists; the counter's value either way."""
        key = self.make_and_validate_key(key, version=version)
        client = self._cache.get_client(key, write=True)
        current = int(client.eval(_ADD_AND_ANNOUNCE, 1, key, self._channel(key), value))
        return self._announced(client, key, current)

    def _announced(self, client, full_key: str, value: int) -> int:
        """Wait until the announcement of `value` is out; this process knows it at once."""
        # Answered only after the pass that sent the announcement (see the module's notes).
        client.ping()
        watch = self._watches.get(full_key)
        if watch is not None and watch.pid == os.getpid():
            with watch.lock:
                watch.value = value if watch.value is None else max(watch.value, value)
        return value

    def get_watched(self, key: str, version=None) -> int | None:
        """The counter's value as this process knows it, current to every announcement
        Redis has sent; read from Redis when the process cannot watch it."""
        full_key = self.make_and_validate_key(key, version=version)
        watch = self._watches.get(full_key)
        if watch is None or watch.pid != os.getpid():
            watch = self._watch(full_key)
        if watch is not None and watch.lock.acquire(blocking=False):
            lost = False
            try:
                if time.monotonic() - watch.checked_at < WATCH_RECHECK_SECONDS:
                    watch.take_announcements()
                    if watch.value is not None:
                        return watch.value
            except Exception:
                logger.warning("Lost the subscription to %s; reading it from Redis", full_key)
                lost = True
            finally:
                watch.lock.release()
            if lost:
                self._forget(full_key, watch)
                watch = None  # the next read subscribes again
        value = _as_int(self._cache.get_client(full_key).get(full_key))
        if watch is not None and watch.lock.acquire(blocking=False):
            try:
                watch.take_announcements()
                watch.value = value if watch.value is None else max(watch.value, value or 0)
                watch.checked_at = time.monotonic()
            except Exception:
                self._forget(full_key, watch)
            finally:
                watch.lock.release()
        return value

    def _watch(self, full_key: str) -> _Watch | None:
        with self._watches_lock:
            inherited = self._watches.get(full_key)
            if inherited is not None and inherited.pid == os.getpid():
                return inherited
            if inherited is not None:
                # A forked process shares its parent's socket: it closes its own copy (redis-py
                # leaves the parent's connection alone across a fork) and subscribes anew.
                del self._watches[full_key]
                inherited.close()
            try:
                watch = _Watch(self._cache.get_client(full_key), full_key, self._channel(full_key))
            except Exception:
                logger.warning("Cannot watch %s; reading it from Redis", full_key)
                return None
            self._watches[full_key] = watch
            return watch

    def close_connections(self) -> None:
        """Close this cache's subscriptions and its connections to Redis.

        Django never calls it (its `close()`, called after every request, must leave the
        pools open): a cache lives as long as its process. It is for whoever drops a cache
        before that, as the tests do between settings; a socket left to the garbage
        collector is closed at a moment nobody chose."""
        with self._watches_lock:
            watches, self._watches = list(self._watches.values()), {}
        for watch in watches:
            watch.close()
        self._cache.close_connections()

    def _forget(self, full_key: str, watch: _Watch) -> None:
        with self._watches_lock:
            if self._watches.get(full_key) is watch:
                del self._watches[full_key]
        watch.close()

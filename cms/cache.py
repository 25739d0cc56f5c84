"""Django's Redis cache, keeping one Redis client per connection pool.

Django's `RedisCacheClient` makes a new `redis.Redis` for every call, and redis-py builds
its table of some 170 response handlers each time: about 80 µs, more than everything
else a page from the page cache costs (blog/pagecache.py). The client is safe to share
between threads (each command borrows a connection from the pool), so one is kept.
"""

from django.core.cache.backends import redis


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


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

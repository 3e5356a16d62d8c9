"""Django's Redis cache, with one Redis client object per connection pool.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every cache command,
and building one fills its table of about 200 response callbacks: some 600 Python calls per
command, a tenth of a learner page's work when it reads the cache five or six times. A
`redis.Redis` is safe to share (it takes a connection from its pool for each command), so
one is kept per pool. Everything else is Django's backend unchanged.
"""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            # The pool of this index, as Django's client would have used.
            client = self._clients[index] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

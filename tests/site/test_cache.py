"""The Redis cache backend reuses its client objects and behaves as Django's."""

import uuid

import pytest
import redis

from lantern.cache import RedisCache

URL = "redis://127.0.0.1:6379/11"


@pytest.fixture
def backend():
    cache = RedisCache(URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    try:
        redis.Redis.from_url(URL, socket_connect_timeout=0.5).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server at 127.0.0.1:6379")
    yield cache
    cache.delete_many(["a", "b", "counter"])


def test_one_client_serves_every_command(backend):
    client = backend._cache.get_client()
    assert backend._cache.get_client(write=True) is client
    backend.set("a", {"lessons": [1, 2]}, 30)
    assert backend.add("b", "first", 30) and not backend.add("b", "second", 30)
    assert backend.get_many(["a", "b", "missing"]) == {"a": {"lessons": [1, 2]}, "b": "first"}
    backend.set("counter", 1, 30)
    assert backend.incr("counter") == 2
    backend.delete("a")
    assert backend.get("a") is None
    assert backend._cache.get_client() is client

"""The Redis cache backend (sotay_plugins.cache) against a real Redis: the one of REDIS_URL, and a
private one that the tests stop."""

import os
import threading

import pytest

from sotay_plugins.cache import RedisCache

needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs a Redis server (REDIS_URL)"
)


@pytest.fixture
def backend():
    cache = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "sotay-test-backend"})
    yield cache
    cache.delete_many(["a", "b", "n", "gone"])


@needs_redis
def test_behaves_as_djangos_backend(backend):
    backend.set("a", {"đảng viên": 1}, 60)
    assert backend.get("a") == {"đảng viên": 1}
    assert backend.add("a", 2) is False and backend.add("b", 2) is True
    assert backend.get_many(["a", "b", "gone"]) == {"a": {"đảng viên": 1}, "b": 2}
    backend.set("n", 1)
    assert backend.incr("n") == 2
    backend.delete("a")
    assert backend.get("a", "default") == "default"


@needs_redis
def test_one_client_per_pool_shared_by_threads(backend):
    first = backend._cache.get_client()
    assert backend._cache.get_client() is first
    results = []

    def work(n):
        backend.set(f"gone{n}", n)
        results.append(backend.get(f"gone{n}"))
        backend.delete(f"gone{n}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == list(range(20))


# --- Redis going away (a private server, stopped and started again) ----------------------------


@pytest.fixture
def private_redis():
    from tests.services import PrivateRedis, redis_server_binary

    if not redis_server_binary():
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = PrivateRedis().start()
    yield server
    server.stop()


def degrading(url):
    from sotay_plugins.cache import DegradingRedisCache

    cache = DegradingRedisCache(
        url, {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 2}}
    )
    cache.RETRY_AFTER = 0.2
    return cache


def test_without_redis_reads_miss_and_writes_are_skipped_quickly(private_redis):
    import time

    cache = degrading(private_redis.url)
    cache.set("kept", "đảng viên")
    assert cache.get("kept") == "đảng viên"
    private_redis.stop()
    started = time.monotonic()
    assert cache.get("kept", "miss") == "miss"
    assert cache.get_many(["kept"]) == {} and cache.has_key("kept") is False
    assert cache.add("new", 1) is False
    cache.set("other", 1)
    cache.delete("kept")
    with pytest.raises(ValueError):
        cache.incr("counter")
    assert time.monotonic() - started < 2.0  # refused at once, then not tried for a while


def test_writes_skipped_during_a_cut_are_replayed_in_order_when_redis_answers(private_redis):
    """A stale entry that Redis kept through a network cut must not outlive the delete that was
    skipped: the delete is replayed before anything is read again."""
    import time

    cache = degrading(private_redis.url)
    cache.set("grants", "old rights")
    cache.set("stamp", 1)
    # A cut: the client cannot reach Redis, Redis keeps its data.
    cache._down_until = time.monotonic() + 60
    cache.delete("grants")
    cache.set("stamp", 2)
    cache.set("stamp", 3)
    assert cache.get("grants", "miss") == "miss"
    cache._down_until = 0.0
    assert cache.get("grants", "miss") == "miss"  # the delete reached Redis first
    assert cache.get("stamp") == 3 and not cache._replay


def test_the_settings_use_the_degrading_backend():
    from django.conf import settings

    if os.environ.get("REDIS_URL"):
        assert settings.CACHES["default"]["BACKEND"] == "sotay_plugins.cache.DegradingRedisCache"

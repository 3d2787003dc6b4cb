"""The Redis cache backend (sotay_plugins.cache) against the real Redis of REDIS_URL."""

import os
import threading

import pytest

from sotay_plugins.cache import RedisCache

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs a Redis server (REDIS_URL)"
)


@pytest.fixture
def backend():
    cache = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "sotay-test-backend"})
    yield cache
    cache.delete_many(["a", "b", "n", "gone"])


def test_behaves_as_djangos_backend(backend):
    backend.set("a", {"đảng viên": 1}, 60)
    assert backend.get("a") == {"đảng viên": 1}
    assert backend.add("a", 2) is False and backend.add("b", 2) is True
    assert backend.get_many(["a", "b", "gone"]) == {"a": {"đảng viên": 1}, "b": 2}
    backend.set("n", 1)
    assert backend.incr("n") == 2
    backend.delete("a")
    assert backend.get("a", "default") == "default"


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

"""Django's Redis cache backend, with one redis-py client per connection pool.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` object for every cache
operation; with redis-py 8 that costs about as much as the round trip itself, and a member's
page makes several (session, rights, stamps). A ``redis.Redis`` object is safe to share between
threads (each command takes a connection from the pool), so one per pool is kept and reused.
Nothing else changes: same pools, same serializer, same options.

``DegradingRedisCache`` (the one the settings use) adds what a member needs when Redis goes
away: no 500, pages computed without the cache until it is back.
"""

import collections
import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
#: What Redis raises when it is not there (refused, reset, timed out).
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient


class DegradingRedisCache(RedisCache):
    """The Redis cache, surviving Redis going away: a member gets a page, never a 500.

    While Redis cannot be reached (a refused or timed-out connection), a read is a miss and a
    write is skipped; after a failure the backend does not try Redis again for ``RETRY_AFTER``
    seconds, so requests do not each wait for a connection timeout. Nothing here may be the only
    copy of anything: sessions are ``cached_db`` (the database has them), rights and pages are
    recomputed on a miss, and a version stamp lost with the cache comes back as a new value
    (``sotay_plugins.versions``). The one danger is a write that says "this is stale" (a stamp
    moved on, a key deleted) being skipped while Redis kept the stale entry (a network cut
    rather than a restart): such writes are kept, in order, and replayed before this process's
    next use of Redis once it answers again.
    """

    RETRY_AFTER = 1.0
    #: Writes kept for replay at most (older ones are dropped, and the drop is logged).
    REPLAY_LIMIT = 1000
    _REPLAYED = ("set", "set_many", "delete", "delete_many")

    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0
        self._replay = collections.deque()
        self._lock = threading.Lock()

    # -- plumbing ------------------------------------------------------------------------------

    def _call(self, name, default, args, kwargs):
        now = time.monotonic()
        if now < self._down_until:
            self._keep(name, args, kwargs)
            return default
        try:
            if self._replay:
                self._flush_replay()
            return getattr(super(), name)(*args, **kwargs)
        except UNREACHABLE:
            if not self._down_until:
                log.warning("Redis cache unreachable; serving without it", exc_info=True)
            self._down_until = time.monotonic() + self.RETRY_AFTER
            self._keep(name, args, kwargs)
            return default

    def _keep(self, name, args, kwargs):
        if name not in self._REPLAYED:
            return
        with self._lock:
            if len(self._replay) >= self.REPLAY_LIMIT:
                self._replay.popleft()
                log.error(
                    "Redis cache: more than %d writes skipped; the oldest is dropped",
                    self.REPLAY_LIMIT,
                )
            self._replay.append((name, args, kwargs))

    def _flush_replay(self):
        with self._lock:
            while self._replay:
                name, args, kwargs = self._replay[0]
                getattr(super(), name)(*args, **kwargs)  # raises while Redis is still away
                self._replay.popleft()
        if self._down_until:
            log.warning("Redis cache reachable again")
            self._down_until = 0.0

    # -- Django's cache API ----------------------------------------------------------------------

    def get(self, key, default=None, version=None):
        return self._call("get", default, (key, default, version), {})

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, (keys, version), {})

    def has_key(self, key, version=None):
        return self._call("has_key", False, (key, version), {})

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, (key, value, timeout, version), {})

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, (key, value, timeout, version), {})

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", [], (data, timeout, version), {})

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, (key, timeout, version), {})

    def delete(self, key, version=None):
        return self._call("delete", False, (key, version), {})

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, (keys, version), {})

    def incr(self, key, delta=1, version=None):
        # A counter that cannot be read cannot be moved on: say so, as for a missing key.
        result = self._call("incr", None, (key, delta, version), {})
        if result is None:
            raise ValueError(f"Key '{key}' not found (Redis unreachable)")
        return result

    def clear(self):
        return self._call("clear", False, (), {})

"""The two caches of settings.CACHES and what each must survive.

- "shared" (`PostgresCache`): the rate-limit counters, in PostgreSQL whatever else is
  configured. Every process counts in the same rows; a counter is never evicted to make
  room (only rows past their expiry are ever deleted); and a Redis outage does not touch
  them, so the limits keep counting while it lasts.
- "default" (`ResilientRedisCache` with REDIS_URL, else each process's memory): copies
  that can be made again — the public version, names, the page cache. When Redis cannot
  be reached, every operation is answered from this process's memory instead (as
  without Redis), with a log line and a metric, and Redis is tried again after
  REDIS_RETRY_SECONDS: a page never fails because Redis is gone, and the shared cache
  fills again once it is back.
"""

from __future__ import annotations

import base64
import logging
import pickle
import threading
import time
from datetime import UTC, datetime

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import connections, router, transaction
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class PostgresCache(DatabaseCache):
    """Django's database cache for counters that must hold: an atomic `add` and `incr`
    (django-ratelimit's two operations) and no eviction.

    Django's DatabaseCache increments by reading and writing the value back, so two app
    servers counting the same address at once could both read 4 and both write 5; and
    when it holds more than MAX_ENTRIES rows it deletes a third of them, live or not, so
    that anyone sending from enough addresses could wipe everyone's counters. Here `add`
    is one INSERT … ON CONFLICT, `incr` locks the row for its read and write, and a full
    table only loses rows whose time is up. The table is created by the migration
    kotolupaus/0001 (the layout of `manage.py createcachetable`); the job
    `purge_expired_counters` removes expired rows.
    """

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        timeout = self.get_backend_timeout(timeout)
        expires = datetime.max if timeout is None else datetime.fromtimestamp(timeout, tz=UTC)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        expires = connection.ops.adapt_datetimefield_value(expires)
        with connection.cursor() as cursor:
            # A live row wins; an expired one is taken over, as if it were not there.
            cursor.execute(
                f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s) "  # noqa: S608 - table name from settings
                f"ON CONFLICT (cache_key) DO UPDATE SET value = EXCLUDED.value, "
                f"expires = EXCLUDED.expires WHERE {table}.expires <= now() RETURNING 1",
                [key, self._encode(value), expires],
            )
            return cursor.fetchone() is not None

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        with transaction.atomic(using=db), connection.cursor() as cursor:
            # The row lock serialises concurrent increments of the same key.
            cursor.execute(
                f"SELECT value FROM {table} WHERE cache_key = %s AND expires > now() FOR UPDATE",  # noqa: S608 - table name from settings
                [key],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            value = self._decode(row[0]) + delta
            cursor.execute(
                f"UPDATE {table} SET value = %s WHERE cache_key = %s",  # noqa: S608
                [self._encode(value), key],
            )
        return value

    def _cull(self, db, cursor, now, num):
        """Over MAX_ENTRIES: only the rows whose time is up go, never a live counter."""
        table = connections[db].ops.quote_name(self._table)
        cursor.execute(f"DELETE FROM {table} WHERE expires < now()")  # noqa: S608

    def purge_expired(self) -> int:
        db = router.db_for_write(self.cache_model_class)
        table = connections[db].ops.quote_name(self._table)  # type: ignore[attr-defined]
        with connections[db].cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE expires < now()")  # noqa: S608
            return cursor.rowcount

    def _decode(self, value):
        return pickle.loads(base64.b64decode(value.encode()))  # noqa: S301 - our own rows

    def _encode(self, value):
        return base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")


# --- Redis that cannot take a page down ---------------------------------------------------

# The operations Django and the site use; each falls back to the process's memory.
OPERATIONS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "set_many",
    "delete_many",
    "has_key",
    "incr",
    "decr",
    "clear",
)
UNREACHABLE = (ConnectionInterrupted, RedisError, OSError)


class ResilientRedisCache(RedisCache):
    """django-redis, answered from this process's memory while Redis cannot be reached.

    OPTIONS["RETRY_SECONDS"] (REDIS_RETRY_SECONDS): after a failure, Redis is left alone
    this long, so a page does not wait for a dead server once per cache lookup; then the
    next operation tries it again. The first failure of an outage is logged as a warning
    ("cache unavailable"), the recovery as information; every operation answered from
    memory is counted (kotolupaus_cache_unavailable_total). What memory kept during an
    outage is forgotten when Redis answers again, so nothing from before a change
    made meanwhile is served afterwards.
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.retry_seconds = float(options.pop("RETRY_SECONDS", 2))
        self.alias = options.pop("ALIAS", "default")
        super().__init__(server, {**params, "OPTIONS": options})
        self._ignore_exceptions = False  # handled here, with the fallback
        self.memory = LocMemCache(
            f"kotolupaus-fallback-{self.alias}",
            {
                "TIMEOUT": params.get("TIMEOUT", 300),
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "OPTIONS": {"MAX_ENTRIES": 300},
            },
        )
        self._state = threading.Lock()
        self._down_since: float | None = None
        self._retry_at = 0.0

    @property
    def available(self) -> bool:
        return self._down_since is None

    def _failed(self, error) -> None:
        now = time.monotonic()
        with self._state:
            first = self._down_since is None
            if first:
                self._down_since = now
            self._retry_at = now + self.retry_seconds
        if first:
            log.warning(
                "cache unavailable: Redis (%s) cannot be reached (%s): answering from this "
                "process's memory, trying Redis again every %g s",
                self.alias,
                type(getattr(error, "__cause__", None) or error).__name__,
                self.retry_seconds,
            )

    def _answered(self) -> None:
        with self._state:
            since, self._down_since = self._down_since, None
        if since is not None:
            self.memory.clear()
            log.info(
                "cache back: Redis (%s) answers again after %.1f s",
                self.alias,
                time.monotonic() - since,
            )

    def _call(self, name, *args, **kwargs):
        from .metrics import CACHE_UNAVAILABLE

        if self._down_since is None or time.monotonic() >= self._retry_at:
            try:
                result = getattr(RedisCache, name)(self, *args, **kwargs)
            except UNREACHABLE as error:
                self._failed(error)
            else:
                if self._down_since is not None:
                    self._answered()
                return result
        CACHE_UNAVAILABLE.labels(self.alias).inc()
        return getattr(self.memory, name)(*args, **kwargs)


def _operation(name):
    def operation(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    operation.__name__ = name
    operation.__doc__ = getattr(RedisCache, name).__doc__
    return operation


for _name in OPERATIONS:
    setattr(ResilientRedisCache, _name, _operation(_name))

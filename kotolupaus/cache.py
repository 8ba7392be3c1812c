"""A cache in PostgreSQL whose counters every process shares: Django's database cache
with an atomic `incr`, for the rate limits when no Redis is configured.

Django's DatabaseCache increments by reading and writing the value back, so two app
servers counting the same address at once can both read 4 and both write 5. Here the
row is locked (SELECT … FOR UPDATE) for the read and the write, so concurrent
increments queue up and none is lost. The table is created by the migration
kotolupaus/0001 (the same layout as `manage.py createcachetable`).
"""

import base64
import pickle

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction


class PostgresCache(DatabaseCache):
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

    def _decode(self, value):
        return pickle.loads(base64.b64decode(value.encode()))  # noqa: S301 - our own rows

    def _encode(self, value):
        return base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")

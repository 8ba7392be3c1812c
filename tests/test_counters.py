"""Rate-limit counters that cannot be evicted (kotolupaus/cache.py): in PostgreSQL, apart
from the page cache; an atomic add and increment; never removed while live, however many
addresses are counted."""

import pytest
from django.core.cache import caches
from django.db import connection

from kotolupaus.cache import PostgresCache
from kotolupaus.tasks import purge_expired_counters

pytestmark = pytest.mark.django_db


@pytest.fixture
def counters():
    cache = PostgresCache("kotolupaus_cache", {"OPTIONS": {"MAX_ENTRIES": 5}})
    cache.clear()
    return cache


def rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM kotolupaus_cache")
        return cursor.fetchone()[0]


def test_add_counts_once_and_takes_over_an_expired_counter(counters):
    assert counters.add("rl:1", 1, 60) is True
    assert counters.add("rl:1", 1, 60) is False  # live: the caller increments instead
    assert counters.incr("rl:1") == 2
    assert counters.add("rl:gone", 1, -1) is True  # already past its time

    assert counters.add("rl:gone", 1, 60) is True
    assert counters.get("rl:gone") == 1


def test_live_counters_are_never_evicted_to_make_room(counters):
    """Django's database cache deletes a third of its rows when full, live or not:
    thousands of addresses would then wipe everyone's counts."""
    for n in range(12):  # more than MAX_ENTRIES (5), each set and add culls
        counters.add(f"rl:address-{n}", 1, 3600)
        counters.set(f"rl:other-{n}", 1, 3600)

    assert rows() == 24
    assert all(counters.get(f"rl:address-{n}") == 1 for n in range(12))


def test_a_full_table_loses_only_expired_counters(counters):
    for n in range(6):
        counters.add(f"rl:old-{n}", 1, -1)
    for n in range(6):
        counters.add(f"rl:live-{n}", 1, 3600)

    counters.set("rl:one-more", 1, 3600)  # over MAX_ENTRIES: the table is culled

    assert all(counters.get(f"rl:live-{n}") == 1 for n in range(6))
    assert rows() == 7


def test_the_hourly_job_removes_expired_counters(counters):
    counters.add("rl:old", 1, -1)
    counters.add("rl:live", 1, 3600)

    removed = purge_expired_counters(timestamp=0)

    assert removed == 1
    assert counters.get("rl:live") == 1
    assert rows() == 1


def test_rate_limits_count_in_their_own_store(settings):
    assert settings.RATELIMIT_USE_CACHE == "shared"
    assert isinstance(caches["shared"], PostgresCache)
    assert settings.CACHES["shared"]["BACKEND"] != settings.CACHES["default"]["BACKEND"]

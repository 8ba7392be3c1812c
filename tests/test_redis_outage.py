"""Redis is not a single point of failure (kotolupaus/cache.py): with the page cache in a
Redis of the test's own that is then stopped, every public page still answers from the
database, the forms still work, the rate limits (in PostgreSQL) still count; a log line
and a metric say so; when Redis is back the page cache fills it again."""

import logging

import pytest
from django.core.cache import caches
from prometheus_client import REGISTRY

from kotolupaus.cache import ResilientRedisCache
from ops.redis_server import RedisServer, binary

from .conftest import entry_form_data, make_entry
from .test_page_cache import public_cache_views

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        binary() is None, reason="redis-server is not installed (apt-get install redis-server)"
    ),
]


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis(redis_server):
    """Running and empty at the start of each test (a test may have stopped it)."""
    if not redis_server.answers():
        redis_server.start()
    redis_server.client().flushdb()
    return redis_server


@pytest.fixture
def redis_cache(redis, settings):
    """The site's "default" cache in the test's Redis, as production configures it;
    Redis is tried again on every operation (no waiting in tests)."""
    settings.REDIS_URL = redis.url
    settings.PAGE_CACHE_SECONDS = 300
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "kotolupaus.cache.ResilientRedisCache",
            "LOCATION": redis.url,
            "KEY_PREFIX": "kotolupaus",
            "OPTIONS": {"RETRY_SECONDS": 0, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 1},
        },
    }
    yield caches["default"]
    caches["default"].memory.clear()


def unavailable_count():
    return (
        REGISTRY.get_sample_value("kotolupaus_cache_unavailable_total", {"cache": "default"}) or 0
    )


def test_the_cache_answers_from_memory_while_redis_is_down_and_from_redis_after(redis, caplog):
    cache = ResilientRedisCache(redis.url, {"OPTIONS": {"RETRY_SECONDS": 0}})
    cache.set("public-state", "kept in Redis")
    assert redis.client().keys("*public-state") != []
    before = unavailable_count()

    redis.stop()
    with caplog.at_level(logging.INFO, logger="kotolupaus.cache"):
        assert cache.get("public-state") is None  # not in memory: made again by the caller
        cache.set("public-state", "kept in memory")
        assert cache.get("public-state") == "kept in memory"
        assert cache.get_or_set("names", lambda: "built") == "built"
        assert cache.add("counter", 1) is True
        assert cache.incr("counter") == 2
        assert cache.delete("names") is True
        redis.start()
        assert cache.get("public-state") is None  # from Redis again, which was emptied
        cache.set("public-state", "in Redis again")

    assert redis.client().keys("*public-state") != []
    assert cache.memory.get("public-state") is None  # memory was forgotten on recovery
    # get, set, get, get_or_set (get, add, get), add, incr, delete: each from memory
    assert unavailable_count() - before == 9
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2
    assert messages[0].startswith("cache unavailable: Redis (default) cannot be reached")
    assert messages[1].startswith("cache back: Redis (default) answers again after")
    assert [record.levelname for record in caplog.records] == ["WARNING", "INFO"]


def test_a_dead_redis_is_left_alone_between_retries(redis):
    cache = ResilientRedisCache(redis.url, {"OPTIONS": {"RETRY_SECONDS": 3600}})
    cache.set("a", 1)
    redis.stop()
    assert cache.get("a") is None
    redis.start()

    cache.set("a", 2)  # still within the hour: memory, Redis is not asked

    assert cache.get("a") == 2
    assert redis.client().get(cache.make_key("a")) is None  # Redis was not asked
    assert not cache.available


# The pages of one entry: its page, its badge and its share image.
PER_ENTRY = {
    "publishing:entry_detail",
    "publishing:badge_svg",
    "publishing:badge_png",
    "publishing:share_image",
}


def public_pages(site):
    """Every page behind the page cache (found in the URLconf), in Finnish."""
    from django.urls import reverse
    from django.utils import translation

    with translation.override("fi"):
        return [
            reverse(name, args=[site.pk] if name in PER_ENTRY else [])
            for name in sorted(public_cache_views())
        ]


@pytest.fixture
def site(campaign, coordinator):
    from publishing import services as publishing

    entry = make_entry(campaign, "Kesätöitä nuorille")
    publishing.approve(entry, coordinator)
    return entry


def test_with_redis_stopped_every_page_and_form_works_and_limits_count(
    client, site, redis, redis_cache, django_assert_num_queries
):
    pages = public_pages(site)
    for url in pages:  # kept in Redis
        assert client.get(url).status_code == 200
    assert redis.client().keys("kotolupaus:*page:*") != []

    redis.stop()

    for url in pages:
        assert client.get(url).status_code == 200, url
    assert client.get("/fi/submit/pledge/").status_code == 200
    sent = client.post("/fi/submit/pledge/", entry_form_data(contact_email="uusi@example.fi"))
    assert sent.status_code == 302
    assert sent["Location"] == "/fi/submit/thank-you/"
    lost_link = [
        client.post("/en/manage/lost-link/", {"email": "uusi@example.fi"}).status_code
        for _n in range(11)
    ]
    assert lost_link == [302] * 10 + [429]  # counted in PostgreSQL all the while

    redis.start()
    visitor = type(client)()  # without the flash message the form left

    visitor.get("/fi/entries/")  # rendered and kept in Redis again
    assert redis.client().keys("kotolupaus:*page:*") != []
    with django_assert_num_queries(0):
        assert visitor.get("/fi/entries/").status_code == 200

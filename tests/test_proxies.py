"""The visitor's address from a configured number of trusted proxies (TRUSTED_PROXY_COUNT,
kotolupaus/middleware.py): never simply the last X-Forwarded-For hop, never an address
the visitor wrote. Rate limits and login lockouts count that address."""

import pytest
from axes.helpers import get_client_ip_address
from django.test import RequestFactory

from kotolupaus.checks import proxies
from kotolupaus.middleware import client_ip

pytestmark = pytest.mark.django_db

NGINX = "10.0.0.2"  # what gunicorn sees as REMOTE_ADDR behind nginx
CDN = "198.51.100.7"  # the CDN's address, appended by nginx
VISITOR = "203.0.113.50"  # appended by the first proxy of ours
FAKE = "192.0.2.99"  # what a visitor writes into X-Forwarded-For themselves


def request(forwarded=None, remote=NGINX):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/fi/", **extra)


@pytest.mark.parametrize(
    ("count", "forwarded", "remote", "expected"),
    [
        # No proxy: the connection's address; X-Forwarded-For is the visitor's own words.
        (0, None, VISITOR, VISITOR),
        (0, FAKE, VISITOR, VISITOR),
        # nginx in front: the address nginx appended, whatever the visitor wrote before it.
        (1, VISITOR, NGINX, VISITOR),
        (1, f"{FAKE}, {VISITOR}", NGINX, VISITOR),
        (1, f"{FAKE}, 10.9.9.9, {VISITOR}", NGINX, VISITOR),
        # A CDN and nginx: the CDN appended the visitor, nginx appended the CDN.
        (2, f"{VISITOR}, {CDN}", NGINX, VISITOR),
        (2, f"{FAKE}, {VISITOR}, {CDN}", NGINX, VISITOR),
        (2, f"{FAKE},{FAKE}, {VISITOR} ,{CDN}", NGINX, VISITOR),
        # Past the CDN straight to nginx: nginx appended the only address there is.
        (2, VISITOR, NGINX, VISITOR),
        # Through no proxy at all (gunicorn reached directly): the connection.
        (1, None, VISITOR, VISITOR),
        (2, "", VISITOR, VISITOR),
        # A proxy that writes something else than an address: the connection's.
        (1, "unknown", NGINX, NGINX),
        # IPv6 as written by nginx.
        (1, f"{FAKE}, 2001:db8::1", NGINX, "2001:db8::1"),
    ],
)
def test_the_visitor_is_counted_from_the_right(settings, count, forwarded, remote, expected):
    settings.TRUSTED_PROXY_COUNT = count

    assert client_ip(request(forwarded, remote)) == expected


@pytest.mark.parametrize(
    ("networks", "remote", "expected"),
    [
        # Straight to gunicorn from the internet: the header is the visitor's own words.
        (None, "198.51.100.20", "198.51.100.20"),
        # From nginx on the private network: nginx appended the visitor.
        (None, NGINX, VISITOR),
        # Only 127.0.0.1 is the proxy: another local address is a client of its own.
        (["127.0.0.1/32"], "127.0.0.35", "127.0.0.35"),
        (["127.0.0.1/32"], "127.0.0.1", VISITOR),
    ],
)
def test_only_a_connection_from_the_proxies_network_is_read_past(
    settings, networks, remote, expected
):
    settings.TRUSTED_PROXY_COUNT = 1
    if networks is not None:
        import ipaddress

        settings.TRUSTED_PROXY_NETWORKS = [ipaddress.ip_network(n) for n in networks]

    assert client_ip(request(f"{FAKE}, {VISITOR}", remote)) == expected


def test_login_lockouts_count_the_same_address(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert get_client_ip_address(request(f"{FAKE}, {VISITOR}, {CDN}")) == VISITOR


def lost_link_posts(client, forwarded_values, remote=NGINX):
    return [
        client.post(
            "/en/manage/lost-link/",
            {"email": "someone@example.fi"},
            REMOTE_ADDR=remote,
            HTTP_X_FORWARDED_FOR=forwarded,
        ).status_code
        for forwarded in forwarded_values
    ]


def test_a_visitor_cannot_leave_their_rate_limit_by_writing_addresses(client, settings):
    """The lost-link form allows 10 posts an hour per address: made-up hops on the left
    of X-Forwarded-For give the eleventh no new bucket."""
    settings.TRUSTED_PROXY_COUNT = 1

    codes = lost_link_posts(client, [f"192.0.2.{n}, {VISITOR}" for n in range(11)])

    assert codes == [302] * 10 + [429]


def test_visitors_behind_one_proxy_keep_buckets_of_their_own(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    first = lost_link_posts(client, [VISITOR] * 11)
    other = lost_link_posts(client, ["203.0.113.51"])

    assert first[-1] == 429
    assert other == [302]


def test_without_trusted_proxies_x_forwarded_for_changes_nothing(client, settings):
    """gunicorn reached directly: whatever the visitor writes, their connection counts."""
    settings.TRUSTED_PROXY_COUNT = 0

    codes = lost_link_posts(client, [f"192.0.2.{n}" for n in range(11)], remote=VISITOR)

    assert codes == [302] * 10 + [429]


def test_deploy_check_warns_behind_a_tls_proxy_without_trusted_proxies(settings):
    settings.BEHIND_TLS_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 0
    assert [warning.id for warning in proxies(None)] == ["kotolupaus.W010"]

    settings.TRUSTED_PROXY_COUNT = 1
    assert proxies(None) == []

"""Hostile input: random, malformed and malicious requests to every public endpoint.

Property-based (hypothesis): each property sends many generated requests through the
test client to the real PostgreSQL. Every generated example runs in a savepoint that is
rolled back afterwards, with the rate-limit cache cleared, so examples cannot see each
other's rows or use up each other's rate limits; counts are compared with the counts
just before the request.

Inputs that once broke the site (a non-ASCII digit as an id, NUL bytes in drafts and
queries, a protocol-relative path on a 404 page) are kept as explicit examples.
"""

import io
import re
import struct
import tempfile
import traceback
import zipfile
import zlib
from contextlib import contextmanager
from html import unescape
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes, urlsplit

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils.http import url_has_allowed_host_and_scheme
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from PIL import Image, ImageFile

from publishing.cooperation.requests import relay_join_request
from publishing.models import JoinRequest
from publishing.services import approve
from submissions import images
from submissions.forms import LIMITS
from submissions.models import (
    Draft,
    Entry,
    ManagementLink,
    Organisation,
    OrganisationType,
    Partnership,
)
from submissions.services import save_draft
from submissions.tokens import new_token

from .conftest import (
    CommittingClient,
    entry_form_data,
    form_url,
    make_entry,
    manage_token,
    seek_partners,
    with_partners,
)

pytestmark = pytest.mark.django_db

# Hypothesis caches (Unicode tables, constants) outside the checkout; no example database
# is kept either (database=None below): a failure prints its own minimal example.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "kotolupaus-hypothesis")

NOT_AN_IMAGE = "This file is not an image we can use. Upload a JPEG, PNG, GIF or WebP image."
TOO_MANY_PIXELS = "The image has too many pixels. Use an image of at most 12 megapixels."
CSRF_FAILURE = "The form expired"
THANK_YOU = "/en/submit/thank-you/"
LOST_LINK = "/en/manage/lost-link/"


# --- Helpers ------------------------------------------------------------------------------


def hostile_client(**kwargs):
    """A fresh client that returns 500 responses (with exc_info) instead of raising."""
    return CommittingClient(raise_request_exception=False, **kwargs)


@contextmanager
def isolated_example():
    """One generated example: a fresh rate-limit cache and a savepoint rolled back after."""
    cache.clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def assert_no_server_error(response):
    detail = ""
    if response.exc_info:
        detail = "".join(traceback.format_exception_only(response.exc_info[1])).strip()
    path = response.request.get("PATH_INFO")
    assert response.status_code < 500, f"{response.status_code} for {path!r}: {detail}"


def counts():
    return {
        "entries": Entry.objects.count(),
        "organisations": Organisation.objects.count(),
        "partnerships": Partnership.objects.count(),
        "drafts": Draft.objects.count(),
        "join_requests": JoinRequest.objects.count(),
    }


def last(value):
    """What request.POST.get() sees of a posted value (the last one of a list)."""
    if isinstance(value, list):
        return last(value[-1]) if value else None
    return value if isinstance(value, str) else None


def apply_overrides(data, overrides):
    data = dict(data)
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def without_nul(value):
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    return value.replace("\x00", "") if isinstance(value, str) else value


def safe_location(location):
    """A link or redirect target on this site: a path or this host, also as a browser reads
    it (tabs and line breaks dropped, backslashes taken as slashes)."""
    as_browser = re.sub(r"[\t\n\r]", "", location).strip().replace("\\", "/")
    return (
        url_has_allowed_host_and_scheme(location, allowed_hosts={"testserver"})
        and not as_browser.startswith("//")
        and urlsplit(as_browser).scheme in ("", "http", "https")
        and urlsplit(as_browser).netloc in ("", "testserver")
    )


SWITCHER = re.compile(r'<nav class="language-switcher".*?</nav>', re.S)


def switcher_links(response):
    nav = SWITCHER.search(response.content.decode(errors="replace"))
    return [unescape(href) for href in re.findall(r'href="([^"]*)"', nav.group(0))] if nav else []


def get_raw(client, raw):
    """GET a path exactly as written (a real server decodes %xx in PATH_INFO; so do we)."""
    path, _sep, query = raw.partition("?")
    return client.get(
        "/",
        PATH_INFO=unquote_to_bytes(path).decode("iso-8859-1"),
        QUERY_STRING=quote(query, safe="=&%+/:?@;,"),
    )


# --- Strategies ---------------------------------------------------------------------------

# Lone surrogates cannot travel in UTF-8 (HTTP), so they are left out everywhere.
CHARACTERS = st.characters(exclude_categories=("Cs",))

EDGE_PIECES = [
    "\x00",  # NUL
    "\x01",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b[31m",  # an ANSI escape
    "\x7f",
    "\x85",
    "\xa0",
    "\u200b",  # zero width space
    "\u200d",
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u2066",
    "\u2069",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufffd",
    "\uffff",
    "\U0010ffff",
    "\U0001f600",  # emoji
    "\U0001f469\u200d\U0001f467\u200d\U0001f466",  # a ZWJ family
    "\U0001f1eb\U0001f1ee",  # a flag
    "e\u0301",  # combining acute
    "\u0301\u0301\u0301",  # combining marks with no base
    "Z\u0351\u0352\u0353\u0354\u0355",
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629",  # Arabic
    "\u05e2\u05d1\u05e8\u05d9\u05ea",  # Hebrew
    "\r\n",
    "\r",
    "\n",
    "\t",
    " ",
    "'",
    '"',
    "\\",
    "%",
    "_",
    "%00",
    "%s",
    "<script>alert(1)</script>",
    "{{ request }}",
    "{% debug %}",
    "&amp;",
    "'; DROP TABLE submissions_entry; --",
    "\r\n--BoUnDaRyStRiNg\r\n",  # the test client's multipart boundary
    "²",  # a digit that int() refuses
    "①",
    "١٢٣",  # Arabic-Indic digits
    "0x1F",
    "1e9",
    "-1",
    "NaN",
    "Infinity",
    "99999999999999999999",
    "https://evil.example/",
    "javascript:alert(1)",
    "maija@example.fi",
]

edge_text = st.lists(
    st.sampled_from(EDGE_PIECES) | st.text(CHARACTERS, max_size=3), max_size=12
).map("".join)
random_text = st.text(CHARACTERS, max_size=300)
number_text = st.one_of(
    st.integers(-(2**70), 2**70).map(str), st.floats().map(repr), st.decimals().map(str)
)
# Up to 100 000 characters, built by repetition (generating them one by one is slow).
long_text = st.builds(
    lambda piece, times: (piece * times)[:100_000],
    st.sampled_from(EDGE_PIECES) | st.text(CHARACTERS, min_size=1, max_size=5),
    st.integers(1_000, 100_000),
)
hostile_text = st.one_of(st.just(""), edge_text, random_text, number_text, long_text)
short_hostile_text = st.one_of(st.just(""), edge_text, random_text, number_text)

# A posted value: one string, several (a list where one is expected) or a file.
hostile_value = st.one_of(
    hostile_text,
    st.lists(short_hostile_text, min_size=2, max_size=3),
    st.binary(max_size=64).map(lambda data: SimpleUploadedFile("x.txt", data)),
)
# Field names nobody expects (the test client writes them into the multipart headers as
# they are, quotes and line breaks included).
unknown_key = st.text(CHARACTERS, min_size=1, max_size=20)


def mutations(field_names, *, max_size=6):
    """Changes to a valid POST: a field set to a hostile value, removed (None) or added."""
    known = sorted(field_names)
    key = st.one_of(
        st.sampled_from(known),
        unknown_key.filter(lambda name: name not in known),
    )
    return st.dictionaries(key, st.one_of(st.none(), hostile_value), max_size=max_size)


COMMON_FIELDS = [
    "action",
    "submission_key",
    "challenge_of",
    "org_name",
    "org_business_id",
    "org_type",
    "org_municipality",
    "org_website",
    "org_logo",
    "org_logo_pending",
    "title",
    "summary",
    "description",
    "themes",
    "target_groups",
    "whole_country",
    "municipalities",
    "original_language",
    "image",
    "image_pending",
    "contact_name",
    "contact_email",
    "contact_phone",
    "consent_publish",
    "consent_contact",
    "authorised",
    "homepage",
    "partners-TOTAL_FORMS",
    "partners-INITIAL_FORMS",
    "partners-MIN_NUM_FORMS",
    "partners-MAX_NUM_FORMS",
    "partners-0-name",
    "partners-0-email",
    "partners-0-role",
    "partners-1-email",
    "partners-10-name",
]
KIND_FIELDS = {
    "pledge": ["promise", "target", "pledge_deadline"],
    "initiative": ["goal", "plan", "timetable", "partners_sought"],
}
ENTRY_FIELDS = {kind: [*COMMON_FIELDS, *extra] for kind, extra in KIND_FIELDS.items()}
REQUIRED_TEXT = {
    "pledge": ["org_name", "title", "summary", "description", "promise", "target", "contact_name"],
    "initiative": ["org_name", "title", "summary", "description", "goal", "plan", "timetable"],
}
MAX_LENGTH = {**LIMITS, "org_name": 200, "contact_name": 200}


def broken_required_text(field):
    return st.one_of(
        st.just({field: None}),
        st.sampled_from(["", " ", " \t\r\n "]).map(lambda value: {field: value}),
        short_hostile_text.map(lambda value: {field: f"{value}\x00{value}"}),
        st.integers(1, 100_000 - MAX_LENGTH[field]).map(
            lambda extra: {field: "x" * (MAX_LENGTH[field] + extra)}
        ),
    )


def breakers(kind):
    """Overrides that certainly make the entry form invalid (one broken thing each)."""
    not_an_email = short_hostile_text.filter(lambda value: "@" not in value)
    options = [
        st.sampled_from(REQUIRED_TEXT[kind]).flatmap(broken_required_text),
        st.one_of(st.none(), not_an_email).map(lambda value: {"contact_email": value}),
        st.one_of(st.none(), short_hostile_text)
        .filter(lambda value: value not in OrganisationType.values)
        .map(lambda value: {"org_type": value}),
        st.sampled_from(["0000000-1", "1234567", "x", "\x00"]).map(
            lambda value: {"org_business_id": value}
        ),
        st.sampled_from(["javascript:alert(1)", "data:text/html,<script>", "http://", "\x00"]).map(
            lambda value: {"org_website": value}
        ),
        st.sampled_from(["040", "abc", "+358 40 123 4567 \x00", "①②③④⑤⑥"]).map(
            lambda value: {"contact_phone": value}
        ),
        st.sampled_from(["themes", "target_groups"]).flatmap(
            lambda field: st.one_of(
                st.just({field: None}),
                st.sampled_from(["0", "-1", "abc", "99999999999999999999", "\x00", "²"]).map(
                    lambda value: {field: value}
                ),
            )
        ),
        st.just({"municipalities": None, "whole_country": None}),
        st.sampled_from(["xx", "", "FI", "\x00"]).map(lambda value: {"original_language": value}),
        st.sampled_from([None, "", "false", "0"]).map(lambda value: {"authorised": value}),
        st.sampled_from([None, "", "not-a-uuid", "\x00"]).map(
            lambda value: {"submission_key": value}
        ),
        short_hostile_text.filter(lambda value: value.strip()).map(
            lambda value: {"homepage": value}
        ),
        st.binary(min_size=1, max_size=256).map(
            lambda data: {"org_logo": SimpleUploadedFile("logo.png", b"\x00" + data)}
        ),
        st.just(
            {
                "partners-TOTAL_FORMS": "1",
                "partners-0-name": "Yhdistys ry",
                "partners-0-email": "not an e-mail",
            }
        ),
    ]
    if kind == "pledge":
        options.append(
            st.sampled_from([None, "", "tomorrow", "2027-02-30", "2027-13-01", "\x00"]).map(
                lambda value: {"pledge_deadline": value}
            )
        )
    return st.one_of(options)


# --- Fixtures -----------------------------------------------------------------------------


@pytest.fixture
def published(campaign, staff_user):
    """A published pledge and a published initiative that seeks partners."""
    pledge = make_entry(campaign, "O'Reilly \\ 100% _kotoutuminen_ & co: (testi) 😀")
    initiative = make_entry(
        campaign, "Yhteinen aloite", kind="initiative", partners_sought="Kuntia ja yhdistyksiä."
    )
    for entry in (pledge, initiative):
        approve(entry, staff_user)
    seek_partners(initiative)
    return {"pledge": pledge, "initiative": initiative}


@pytest.fixture
def no_truncated_images(monkeypatch):
    # Pillow's default. WeasyPrint turns it on for the whole process once a PDF has been made
    # (a known bug, see test_uploads.py), which would let some truncated images through.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", False)


# --- 1. Public forms: random posts ------------------------------------------------------------


ACTIONS = ["preview", "submit", "edit", "add_partner", "draft"]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    database=None,
)
@given(
    kind=st.sampled_from(["pledge", "initiative"]),
    # The fields of both kinds: those of the other kind are unknown fields.
    overrides=mutations({*ENTRY_FIELDS["pledge"], *ENTRY_FIELDS["initiative"]}, max_size=4),
    action=st.one_of(
        st.sampled_from(ACTIONS),
        st.sampled_from(ACTIONS),
        short_hostile_text,
        st.lists(st.sampled_from(ACTIONS), min_size=2, max_size=3),
    ),
)
@example(
    kind="pledge",
    overrides={"title": "\u202eKesätyöt\u200f 😀 e\u0301\x01", "summary": "\x1b[31m" * 100},
    action="submit",
)
@example(kind="initiative", overrides={"plan": "x" * 100_000, "\u05e2": "1"}, action="draft")
@example(kind="pledge", overrides={"title": None, "org_logo_pending": "x:y:z"}, action="draft")
def test_entry_form_post_never_fails_and_saves_only_on_success_with_random_input(
    campaign, kind, overrides, action
):
    posted = apply_overrides(entry_form_data(kind), {**overrides, "action": action})

    with isolated_example():
        before, outbox = counts(), len(mail.outbox)
        response = hostile_client().post(form_url(kind, "en"), posted)
        assert_no_server_error(response)
        after = counts()

        location = response.get("Location", "")
        event(f"{kind}: {response.status_code} {location.split('/')[3] if location else ''}")
        if response.status_code == 302 and location == THANK_YOU:
            assert last(action) == "submit"
            assert after["entries"] == before["entries"] + 1
            assert after["drafts"] == before["drafts"]
        elif response.status_code == 302 and location.startswith("/en/submit/draft/"):
            assert last(action) == "draft"
            assert after == {**before, "drafts": before["drafts"] + 1}
            # The saved draft can be continued, whatever it holds.
            assert_no_server_error(hostile_client().get(location))
        else:
            assert not 300 <= response.status_code < 400, location
            assert after == before
            assert len(mail.outbox) == outbox


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    database=None,
)
@given(kind=st.sampled_from(["pledge", "initiative"]), data=st.data())
def test_entry_form_post_saves_nothing_with_a_broken_field(campaign, kind, data):
    broken = data.draw(breakers(kind), label="broken")
    noise_fields = [
        name
        for name in ENTRY_FIELDS[kind]
        if name not in broken
        and name != "action"
        and not (name.startswith("partners-") and any(k.startswith("partners-") for k in broken))
    ]
    noise = data.draw(mutations(noise_fields, max_size=4), label="noise")
    action = data.draw(st.sampled_from(["preview", "submit"]), label="action")
    posted = apply_overrides(entry_form_data(kind, action=action), {**noise, **broken})

    with isolated_example():
        before, outbox = counts(), len(mail.outbox)
        response = hostile_client().post(form_url(kind, "en"), posted)
        assert_no_server_error(response)

        assert response.status_code in (200, 400)
        if response.status_code == 200:
            content = response.content.decode()
            assert 'id="error-summary"' in content
            assert f"Check your {kind} before sending" not in content
        assert counts() == before
        assert len(mail.outbox) == outbox


JOIN_FIELDS = ["organisation", "organisation_type", "name", "email", "message", "homepage"]


def join_data(**overrides):
    data = {
        "organisation": "Yhdistys ry",
        "name": "Pekka Esimerkki",
        "email": "pekka@yhdistys.example.fi",
        "message": "Haluaisimme tulla mukaan.",
    }
    return apply_overrides(data, overrides)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    database=None,
)
@given(
    overrides=mutations(JOIN_FIELDS),
    email=st.one_of(st.none(), st.emails(), short_hostile_text),
)
@example(overrides={"homepage": "http://spam.example"}, email=None)
@example(overrides={"message": "x" * 3001}, email=None)
@example(overrides={"name": "Pekka\r\nBcc: victim@example.com"}, email=None)
@example(overrides={}, email="pekka@example.fi\r\nBcc: victim@example.com")
def test_join_form_post_never_fails_and_saves_only_on_success_with_random_input(
    published, overrides, email
):
    if email is not None:
        overrides = {**overrides, "email": email}
    url = f"/en/entries/{published['initiative'].pk}/join/"

    with isolated_example():
        before, outbox = counts(), len(mail.outbox)
        response = hostile_client().post(url, join_data(**overrides))
        assert_no_server_error(response)
        after = counts()

        sent = response.status_code == 200 and "publishing/cooperation/join_sent.html" in [
            t.name for t in response.templates
        ]
        event("sent" if sent else f"refused ({response.status_code})")
        if sent:
            assert after == {**before, "join_requests": before["join_requests"] + 1}
            (message,) = mail.outbox[outbox:]
            assert "\n" not in message.subject and "\r" not in message.subject
        else:
            assert response.status_code in (200, 400)
            assert after == before
            assert len(mail.outbox) == outbox


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    database=None,
)
@given(
    overrides=mutations(["email"]),
    email=st.one_of(st.none(), st.emails(), short_hostile_text),
)
@example(overrides={}, email="MAIJA@example.fi")
@example(overrides={}, email="maija@example.fi\x00")
@example(overrides={}, email=" maija@example.fi\r\nBcc: victim@example.com")
@example(overrides={"email": ["maija@example.fi", "x"]}, email=None)
def test_lost_link_post_never_fails_and_changes_nothing_unless_accepted(
    published, overrides, email
):
    if email is not None:
        overrides = {**overrides, "email": email}
    entry = published["pledge"]

    with isolated_example():
        before, outbox = counts(), len(mail.outbox)
        links = set(entry.management_links.values_list("token_hash", flat=True))
        response = hostile_client().post(LOST_LINK, apply_overrides({}, overrides))
        assert_no_server_error(response)

        assert counts() == before
        event(f"status {response.status_code}")
        if response.status_code == 302:
            assert response["Location"] == LOST_LINK
        else:
            assert response.status_code in (200, 400)
            assert len(mail.outbox) == outbox
            # The private links are the ones from before: none added, none lost.
            assert links
            assert set(entry.management_links.values_list("token_hash", flat=True)) == links


# Known bugs of the public forms.


@pytest.mark.parametrize(
    "overrides",
    [
        {"challenge_of": "abc", "title": None},  # an invalid form is shown again
        {"challenge_of": "1.5", "action": "edit"},  # "back to the form" from the preview
        {"challenge_of": "x", "action": "add_partner"},
    ],
    ids=["invalid", "edit", "add_partner"],
)
def test_pledge_form_is_shown_again_with_a_non_numeric_challenge_of(campaign, overrides):
    response = hostile_client().post(form_url("pledge", "en"), entry_form_data(**overrides))

    assert_no_server_error(response)
    assert response.status_code == 200
    assert Entry.objects.count() == 0


@pytest.mark.parametrize(
    "overrides",
    [{"title": "Kesätyöt\x00"}, {"extra\x00field": "x"}],
    ids=["in-a-value", "in-a-field-name"],
)
def test_draft_is_saved_with_a_nul_character(campaign, overrides):
    response = hostile_client().post(
        form_url("pledge", "en"), entry_form_data(action="draft", **overrides)
    )

    assert_no_server_error(response)
    assert response.status_code == 302
    assert Draft.objects.count() == 1


# --- 2. GET parameters of the catalogue and the similar-titles endpoint -----------------------

CATALOGUE_KEYS = [
    "q",
    "kind",
    "theme",
    "target_group",
    "org_type",
    "region",
    "programme",
    "award",
    "campaign",
    "page",
]
VALID_PARAMETERS = [
    "pledge",
    "initiative",
    "working-life",
    "newly-arrived",
    "company",
    "091",
    "all",
    "on",
    "any",
    "1",
    "2",
    "last",
    "0",
    "test-campaign",
    "kotoutuminen",
    "kesätöitä",
]
QUERY_PIECES = ["'", "''", "&", "|", "!", ":*", "(", ")", "\\", "%", "_", "<->", "*", ":", "\x00"]
query_text = st.one_of(
    st.lists(
        st.sampled_from(QUERY_PIECES) | st.sampled_from(VALID_PARAMETERS) | edge_text,
        max_size=12,
    ).map(" ".join),
    st.lists(st.sampled_from(QUERY_PIECES) | st.text(CHARACTERS, max_size=4), max_size=30).map(
        "".join
    ),
    short_hostile_text,
    # Long, but within what a server accepts in a request line (gunicorn: 4094 bytes); the
    # 100 000-character query is an explicit example.
    st.builds(
        lambda piece, times: (piece * times)[:4000],
        st.sampled_from(QUERY_PIECES) | st.text(CHARACTERS, min_size=1, max_size=5),
        st.integers(50, 4000),
    ),
)
query_value = st.one_of(
    st.sampled_from(VALID_PARAMETERS),
    query_text,
    st.lists(short_hostile_text | st.sampled_from(VALID_PARAMETERS), min_size=2, max_size=3),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    database=None,
)
@given(
    params=st.dictionaries(
        st.sampled_from(CATALOGUE_KEYS) | unknown_key, query_value, min_size=1, max_size=6
    )
)
@example(params={"q": "kotoutuminen & !(työ | :*) \\' %_"})
@example(params={"q": "o'reilly's \\ c:\\temp\\ 'quoted':* &amp; | !x"})
@example(params={"q": "'" * 200})
@example(params={"q": "x" * 100_000})
@example(params={"q": "\x00", "page": "\x00"})
@example(params={"page": "9" * 5000, "region": "all", "programme": "on"})
@example(params={"award": "99999999999", "theme": "x" * 300})
def test_catalogue_never_fails_with_random_query_parameters(published, params):
    with isolated_example():
        response = hostile_client().get("/en/entries/", params)

        assert_no_server_error(response)
        assert response.status_code in (200, 400)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    database=None,
)
@given(title=st.one_of(query_text, st.lists(short_hostile_text, min_size=2, max_size=3)))
@example(title="Kesätöitä nuorille")
@example(title="O'Reilly \\ 100% _kotoutuminen_ & co:*")
@example(title="%" * 150)
def test_similar_titles_never_fail_with_a_random_title(published, title):
    with isolated_example():
        make_entry(published["pledge"].campaign, "Kesätöitä nuorille tulijoille")
        response = hostile_client().get("/en/submit/similar/", {"title": title})

        assert_no_server_error(response)
        assert response.status_code == 200
        assert isinstance(response.json()["similar"], list)


# Known bugs of the GET parameters.


def test_catalogue_accepts_a_prize_of_superscript_digits(published):
    response = hostile_client().get("/en/entries/", {"award": "²"})

    assert_no_server_error(response)


def test_similar_titles_accept_a_nul_character(campaign):
    response = hostile_client().get("/en/submit/similar/", {"title": "abcd\x00"})

    assert_no_server_error(response)
    assert response.json() == {"similar": []}


def test_pledge_form_accepts_a_challenge_of_superscript_digits(campaign):
    response = hostile_client().get("/en/submit/pledge/", {"challenge": "²"})

    assert_no_server_error(response)
    assert response.status_code == 200


def test_programme_accepts_a_campaign_with_a_nul_character(campaign):
    response = hostile_client().get("/en/programme/", {"campaign": "\x00"})

    assert_no_server_error(response)
    assert response.status_code == 404


# --- 3. Uploads ---------------------------------------------------------------------------


def image_bytes(image_format, size, color, mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format=image_format)
    return buffer.getvalue()


def png_chunk(kind, payload):
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    )


def png_claiming(width, height):
    """A tiny PNG whose header claims width × height pixels (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def preview_with_logo(content, name="logo.png", content_type="image/png"):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    data = entry_form_data(action="preview", org_logo=upload)
    return hostile_client().post(form_url("pledge", "en"), data)


def pending_reference(content):
    tag = re.search(r'<input type="hidden" name="org_logo_pending"[^>]*>', content)
    value = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
    return unescape(value.group(1)) if value else ""


def assert_refused(response, message):
    content = response.content.decode()
    assert response.status_code == 200
    summary = re.search(r'<div class="error-summary".*?</div>', content, re.S).group(0)
    assert 'href="#id_org_logo"' in summary
    assert message in summary
    assert pending_reference(content) == ""


HTML_PAYLOADS = [
    b"<html><body><script>alert(document.domain)</script></body></html>",
    b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
    b"<?php echo shell_exec($_GET['c']); ?>",
    b"/*<!--*/ alert(document.cookie) //-->",
]


def zip_payload(marker):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("index.html", b"<script>" + marker + b"</script>")
        archive.writestr("payload.js", marker)
    return buffer.getvalue()


KNOWN_MAGIC = (b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"RIFF", b"BM", b"II*", b"MM\x00*")
IMAGE_HEADERS = [
    b"GIF89a",
    b"GIF87a\x01\x00\x01\x00",
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    b"\x89PNG\r\n\x1a\n",
    b"RIFF\x00\x00\x00\x00WEBPVP8 ",
]


@st.composite
def truncated_png(draw):
    """A real PNG (noisy pixels, any mode) cut off before its end."""
    width, height = draw(st.integers(1, 300)), draw(st.integers(1, 300))
    mode = draw(st.sampled_from(["RGB", "RGBA", "L", "P"]))
    noise = draw(st.binary(min_size=16, max_size=16))
    pixels = (noise * (width * height // 16 + 1))[: width * height]
    buffer = io.BytesIO()
    Image.frombytes("L", (width, height), pixels).convert(mode).save(buffer, format="PNG")
    whole = buffer.getvalue()
    # Cut inside the pixel data: before the final IEND chunk (12 bytes), the last IDAT's
    # CRC (4) and the zlib stream's Adler-32 (4), and at least one byte of compressed data
    # more. (Cutting only the CRC's last byte left a whole image, which Pillow rightly read.)
    return whole[: draw(st.integers(1, len(whole) - 21))]


not_an_image = st.one_of(
    st.binary(min_size=1, max_size=4096).filter(lambda data: not data.startswith(KNOWN_MAGIC)),
    truncated_png(),
    st.builds(
        bytes.__add__,
        st.sampled_from(IMAGE_HEADERS),
        st.sampled_from(HTML_PAYLOADS) | st.binary(max_size=512),
    ),
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    database=None,
)
@given(content=not_an_image)
@example(content=b"\x00" * 4096)
@example(content=b"<?php system($_GET['c']); ?>")
@example(content=b"GIF89a<html><script>alert(1)</script></html>")
def test_upload_of_random_bytes_or_a_truncated_image_is_refused_as_not_an_image(
    campaign, no_truncated_images, content
):
    with isolated_example():
        before = counts()
        response = preview_with_logo(content)

        assert_no_server_error(response)
        assert_refused(response, NOT_AN_IMAGE)
        assert counts() == before


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    database=None,
)
@given(
    size=st.integers(1, 2**31 - 1).flatmap(
        lambda width: st.tuples(
            st.just(width), st.integers(images.MAX_PIXELS // width + 1, 2**31 - 1)
        )
    )
)
@example(size=(8000, 5001))
@example(size=(2**31 - 1, 2**31 - 1))
@example(size=(1, 40_000_001))
def test_upload_claiming_too_many_pixels_is_refused_without_decoding(campaign, size):
    with isolated_example():
        response = preview_with_logo(png_claiming(*size))

        assert_no_server_error(response)
        assert_refused(response, TOO_MANY_PIXELS)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    database=None,
)
@given(
    image_format=st.sampled_from(["GIF", "JPEG", "PNG", "WEBP"]),
    size=st.tuples(st.integers(1, 64), st.integers(1, 64)),
    color=st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)),
    payload=st.sampled_from(HTML_PAYLOADS),
    marker=st.binary(min_size=8, max_size=32).map(lambda b: b"POLYGLOT-" + b.hex().encode()),
    as_zip=st.booleans(),
)
def test_polyglot_upload_is_stored_re_encoded_without_its_payload(
    campaign, image_format, size, color, payload, marker, as_zip
):
    appended = zip_payload(marker) if as_zip else payload + marker
    content = image_bytes(image_format, size, color) + appended

    with isolated_example():
        response = preview_with_logo(content, f"logo.{image_format.lower()}", "image/png")
        assert_no_server_error(response)
        text = response.content.decode()
        assert response.status_code == 200
        assert "Check your pledge before sending" in text  # accepted: Pillow decodes it

        stored = images.open_pending(pending_reference(text))
        assert stored is not None
        data = stored.read()

    assert marker not in data
    assert payload not in data
    assert not zipfile.is_zipfile(io.BytesIO(data))
    assert data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"))  # re-encoded PNG or JPEG
    assert Image.open(io.BytesIO(data)).size == size


# --- 4. CSRF ------------------------------------------------------------------------------


@pytest.fixture
def csrf_target(campaign, staff_user):
    """(url, body) of a public POST endpoint, with a body accepted when the CSRF token is right."""

    def build(endpoint):
        if endpoint == "pledge":
            return form_url("pledge", "en"), entry_form_data("pledge")
        if endpoint == "initiative":
            data = with_partners(entry_form_data("initiative"), ("Kunta", "kunta@example.fi", ""))
            return form_url("initiative", "en"), data
        if endpoint == "draft":
            _draft, token = save_draft(campaign=campaign, kind="pledge", data={}, language="en")
            return f"/en/submit/draft/{token}/", entry_form_data("pledge")
        if endpoint == "lost_link":
            make_entry(campaign)
            return LOST_LINK, {"email": "maija@example.fi"}
        if endpoint == "join":
            entry = make_entry(campaign, kind="initiative", partners_sought="Kuntia.")
            approve(entry, staff_user)
            seek_partners(entry)
            return f"/en/entries/{entry.pk}/join/", join_data()
        if endpoint == "answer_join_request":
            entry = make_entry(campaign, kind="initiative", partners_sought="Kuntia.")
            join = relay_join_request(entry, **join_data())
            path = f"/en/manage/{manage_token(entry)}/requests/{join.pk}/"
            return path, {"action": "accept"}
        if endpoint == "admin_login":
            credentials = {"username": "coordinator-alice", "password": "correct horse battery"}
            return "/en/admin/login/", credentials
        entry = make_entry(campaign, partners=[("Yhdistys ry", "yhdistys@example.fi")])
        token = manage_token(entry)
        if endpoint == "manage":
            return f"/en/manage/{token}/", {"action": "withdraw_entry", "confirm": "yes"}
        if endpoint == "manage_edit":
            return f"/en/manage/{token}/edit/", entry_form_data("pledge", title="Uusi otsikko")
        assert endpoint == "partner"
        partnership = entry.partnerships.get()
        token, partnership.token_hash = new_token()
        partnership.save(update_fields=["token_hash"])
        return f"/en/partner/{token}/", {"answer": "confirm"}

    return build


CSRF_ENDPOINTS = [
    "pledge",
    "initiative",
    "draft",
    "lost_link",
    "manage",
    "manage_edit",
    "partner",
    "join",
    "answer_join_request",
    "admin_login",
]


def site_state(client):
    """Everything a public POST can change, to compare before and after."""
    return {
        **counts(),
        "entries": sorted(
            Entry.objects.values_list("pk", "status", "consent_publish", "updated_at")
        ),
        "links": ManagementLink.objects.count(),
        "confirmed": sorted(
            Partnership.objects.filter(confirmed_at__isnull=False).values_list("pk", flat=True)
        ),
        "mails": len(mail.outbox),
        "logged_in": "_auth_user_id" in client.session,
    }


@pytest.mark.parametrize("endpoint", CSRF_ENDPOINTS)
def test_post_is_refused_without_a_csrf_token(csrf_target, endpoint):
    url, data = csrf_target(endpoint)
    strict = Client(enforce_csrf_checks=True, raise_request_exception=False)
    before = site_state(strict)

    response = strict.post(url, data)

    assert response.status_code == 403
    assert CSRF_FAILURE in response.content.decode()
    assert site_state(strict) == before
    # The same post without the CSRF check is accepted: the 403 was the CSRF check.
    accepted = CommittingClient().post(url, data)
    assert accepted.status_code in (200, 302)
    if endpoint == "admin_login":
        assert accepted.wsgi_request.user.is_authenticated
    else:
        assert site_state(strict) != before


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    database=None,
)
@given(
    endpoint=st.sampled_from(CSRF_ENDPOINTS),
    form_token=st.none() | st.text(st.sampled_from("abcdefXYZ0123456789"), max_size=64),
    header_token=st.none() | st.text(st.sampled_from("abcdefXYZ0123456789"), max_size=64),
    cookie=st.none() | st.text(st.sampled_from("abcdefXYZ0123456789"), max_size=64),
    origin=st.none() | st.sampled_from(["https://evil.example", "null", "http://testserver.evil"]),
)
def test_post_is_refused_with_a_forged_csrf_token(
    csrf_target, endpoint, form_token, header_token, cookie, origin
):
    # A token equal to the cookie is the double-submit a third-party site cannot make.
    assume(cookie is None or cookie not in (form_token, header_token))
    strict = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if cookie is not None:
        strict.cookies["csrftoken"] = cookie
    headers = {}
    if header_token is not None:
        headers["X-CSRFToken"] = header_token
    if origin is not None:
        headers["Origin"] = origin

    with isolated_example():
        url, data = csrf_target(endpoint)
        if form_token is not None:
            data = {**data, "csrfmiddlewaretoken": form_token}
        before = site_state(strict)
        response = strict.post(url, data, headers=headers)

        assert response.status_code == 403
        assert CSRF_FAILURE in response.content.decode()
        assert site_state(strict) == before


# --- 5. No open redirects -------------------------------------------------------------------

REDIRECT_PROBES = [
    "/?next=https://evil.example",
    "/?next=//evil.example",
    "/fi/?next=https://evil.example",
    "//evil.example",
    "//evil.example/",
    "///evil.example/",
    "/fi//evil.example",
    "/fi//evil.example/",
    "/en//evil.example/entries/",
    "/%2F%2Fevil.example",
    "/%2F%2Fevil.example/?next=x",
    "/fi/%2F%2Fevil.example",
    "/\\evil.example",
    "/\\\\evil.example/",
    "/fi/\\evil.example",
    "/%5Cevil.example",
    "/%5C%5Cevil.example/",
    "/%09/evil.example",
    "/%0d%0a//evil.example",
    "/http://evil.example",
    "/https:evil.example/",
    "/@evil.example",
    "/fi/@evil.example",
    "/fi",
    "/en/entries",
    "/en/submit/thank-you/",
    "/en/entries/999999/challenge/",
    "/en/admin/?next=https://evil.example",
    "/en/admin/login/?next=//evil.example",
]


def assert_no_open_redirect(response):
    assert_no_server_error(response)
    if 300 <= response.status_code < 400:
        assert safe_location(response["Location"]), response["Location"]
    for href in switcher_links(response):
        assert href.startswith("/") and not href.startswith(("//", "/\\")), href
        assert safe_location(href), href


@pytest.mark.parametrize("raw", REDIRECT_PROBES)
def test_redirect_stays_on_the_site_for_a_malicious_path(published, raw):
    response = get_raw(hostile_client(), raw)

    assert_no_open_redirect(response)


def test_challenge_redirect_stays_on_the_site(published):
    pk = published["pledge"].pk

    response = hostile_client().get(f"/en/entries/{pk}/challenge/")

    assert response.status_code == 302
    assert response["Location"] == f"/en/submit/pledge/?challenge={pk}"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example", "/\\evil.example", "https:evil.example", "\t//x.y"],
)
def test_admin_login_redirect_stays_on_the_site(staff_user, target):
    response = hostile_client().post(
        f"/en/admin/login/?next={quote(target)}",
        {"username": "coordinator-alice", "password": "correct horse battery", "next": target},
    )

    assert response.status_code == 302
    assert safe_location(response["Location"]), response["Location"]


PATH_PIECES = [
    "",
    "fi",
    "sv",
    "en",
    "entries",
    "1",
    "challenge",
    "join",
    "admin",
    "login",
    "submit",
    "pledge",
    "manage",
    "lost-link",
    "thank-you",
    "programme",
    "evil.example",
    "@evil.example",
    "evil.example:80",
    "\\",
    "%2F",
    "%5C",
    "%09",
    "%0A",
    "%00",
    ".",
    "..",
    "%2e%2e",
    "http:",
    "https:",
    "javascript:alert(1)",
    "?next=https://evil.example",
    "?next=//evil.example",
]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    database=None,
)
@given(
    pieces=st.lists(
        st.sampled_from(PATH_PIECES) | st.text(CHARACTERS, max_size=6), min_size=1, max_size=6
    ),
    separators=st.lists(st.sampled_from(["/", "//", "\\", "/\\"]), min_size=6, max_size=6),
    trailing_slash=st.booleans(),
)
@example(pieces=["fi", "", "evil.example"], separators=["/"] * 6, trailing_slash=True)
@example(pieces=["en", "\\evil.example"], separators=["/"] * 6, trailing_slash=False)
@example(pieces=["entries", "1", "challenge"], separators=["/"] * 6, trailing_slash=True)
def test_redirects_and_language_links_stay_on_the_site_for_random_paths(
    published, pieces, separators, trailing_slash
):
    raw = "/" + "".join(
        piece + separator for piece, separator in zip(pieces, separators, strict=False)
    )
    raw = (raw if trailing_slash else raw.rstrip("/\\")) or "/"
    with isolated_example():
        response = get_raw(hostile_client(), raw)

        assert_no_open_redirect(response)
        if response.status_code == 200 and "text/html" in response["Content-Type"]:
            assert len(switcher_links(response)) == 3

"""The badge to show (issue 25, point 5; publishing/cooperation/badges.py): the SVG is
valid and labelled in Finnish, Swedish and English for each achievement, a hostile
organisation name stays text, the PNG and the share image open at their sizes, the
addresses answer as public files do (cache, 404, 410, embeddable elsewhere), the
management page offers the HTML to paste, and the entry page's Open Graph image is the
share image."""

import io
import re
from datetime import datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from defusedxml import ElementTree
from PIL import Image

from publishing import services as publishing
from publishing.cooperation import badge_images
from publishing.models import PublicEntry
from submissions import services as submissions
from submissions.models import Campaign

from .conftest import make_entry, manage_token

pytestmark = pytest.mark.django_db

SITE = "https://kotolupaus.example"
SVG = "{http://www.w3.org/2000/svg}"
LANGUAGES = ["fi", "sv", "en"]

TEXTS = {
    "pledge": {
        "fi": "Teimme lupauksen · #kotolupaus",
        "sv": "Vi har gett ett löfte · #kotolupaus",
        "en": "We pledged · #kotolupaus",
    },
    "initiative": {
        "fi": "Aloitteemme · #kotolupaus",
        "sv": "Vårt initiativ · #kotolupaus",
        "en": "Our initiative · #kotolupaus",
    },
    "programme": {
        "fi": "Valittu yhteistyöohjelmaan",
        "sv": "Utvald till samarbetsprogrammet",
        "en": "Selected into the cooperation programme",
    },
    "prize": {
        "fi": "Palkinnon voittaja 2026",
        "sv": "Prisvinnare 2026",
        "en": "Prize winner 2026",
    },
}
CAMPAIGN_NAMES = {
    "fi": "Kotolupaus-testikampanja",
    "sv": "Kotolupaus testkampanj",
    "en": "Kotolupaus test campaign",
}


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def pledge(campaign, coordinator):
    entry = make_entry(campaign, "Kesätöitä nuorille", organisation="Esimerkki Oy")
    publishing.approve(entry, coordinator)
    return entry


def achieved(entry, level):
    """The entry's public row as having reached `level` (the campaign opened in 2026)."""
    Campaign.objects.filter(pk=entry.campaign_id).update(
        opens_at=datetime(2026, 11, 2, 8, tzinfo=ZoneInfo("Europe/Helsinki"))
    )
    if level == "programme":
        PublicEntry.objects.filter(pk=entry.pk).update(in_programme=True)
    if level == "prize":
        PublicEntry.objects.filter(pk=entry.pk).update(
            in_programme=True, prizes=[{"category": 1, "citation": {"fi": "Hyvä."}}]
        )


def parsed(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    return ElementTree.fromstring(response.content)


def texts_of(root):
    return [element.text for element in root.iter(f"{SVG}text")]


def assert_labelled(root, language):
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("lang") == language
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == language
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("aria-labelledby").split() == [title.get("id"), desc.get("id")]
    # Nothing that runs or loads: no script, no event handler, no style, no link.
    for element in root.iter():
        assert element.tag not in (f"{SVG}script", f"{SVG}style", f"{SVG}a", f"{SVG}image")
        assert not [name for name in element.attrib if name.lower().startswith("on")]
        assert not [name for name in element.attrib if name.endswith("href")]
    return title.text, desc.text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("level", ["pledge", "initiative", "programme", "prize"])
def test_the_svg_says_what_the_entry_achieved_in_the_addresses_language(
    client, campaign, coordinator, level, language
):
    kind = "initiative" if level == "initiative" else "pledge"
    entry = make_entry(campaign, "Kielikahvila", kind=kind, organisation="Esimerkki Oy")
    publishing.approve(entry, coordinator)
    achieved(entry, level)

    root = parsed(client.get(f"/{language}/entries/{entry.pk}/badge.svg"))

    title, desc = assert_labelled(root, language)
    words = TEXTS[level][language]
    assert texts_of(root) == [words, "Esimerkki Oy", CAMPAIGN_NAMES[language]]
    assert title == f"{words} – Esimerkki Oy"
    assert desc == f"{CAMPAIGN_NAMES[language]}: Kielikahvila"


def test_the_hashtag_is_the_campaigns(client, campaign, pledge):
    Campaign.objects.filter(pk=campaign.pk).update(hashtag="#kotoutumislupaus")
    root = parsed(client.get(f"/fi/entries/{pledge.pk}/badge.svg"))
    assert texts_of(root)[0] == "Teimme lupauksen · #kotoutumislupaus"


HOSTILE = "</text><script>x</script>&amp;\x07\u202e\"'<!--"


def test_a_hostile_organisation_name_stays_text(client, pledge):
    PublicEntry.objects.filter(pk=pledge.pk).update(organisation_name=HOSTILE)
    response = client.get(f"/en/entries/{pledge.pk}/badge.svg")
    root = parsed(response)

    assert_labelled(root, "en")
    expected = "</text><script>x</script>&amp; \"'<!--"
    assert texts_of(root)[1] == expected
    assert root.find(f"{SVG}title").text == f"We pledged · #kotolupaus – {expected}"
    assert b"<script" not in response.content
    assert b"\x07" not in response.content


def test_a_long_organisation_name_is_cut_to_the_badge(client, pledge):
    PublicEntry.objects.filter(pk=pledge.pk).update(organisation_name="Pitkänimi " * 20)
    root = parsed(client.get(f"/fi/entries/{pledge.pk}/badge.svg"))
    name = texts_of(root)[1]
    assert name.endswith("…")
    assert badge_images.width_of(name, 12) <= 460 - 102 - 14
    assert len(root.find(f"{SVG}title").text) < 130  # capped at 80 characters


def contrast(foreground, background):
    def luminance(colour):
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    lighter, darker = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_every_text_has_enough_contrast():
    for colour in badge_images.TEXT_COLOURS.values():
        assert contrast(colour, badge_images.BACKGROUND) >= 4.5, colour
    for band in badge_images.BANDS.values():  # the mark on the band (3:1 would do)
        assert contrast(badge_images.WHITE, band) >= 4.5, band


# --- Serving --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "content_type", "filename"),
    [
        ("badge.svg", "image/svg+xml", "kotolupaus-{reference}-sv.svg"),
        ("badge.png", "image/png", "kotolupaus-{reference}-sv.png"),
        ("share.png", "image/png", "kotolupaus-{reference}-sv-share.png"),
    ],
)
def test_the_images_are_public_files_that_other_sites_may_show(
    client, pledge, suffix, content_type, filename
):
    url = f"/sv/entries/{pledge.pk}/{suffix}"
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    name = filename.format(reference=pledge.reference)
    assert response["Content-Disposition"] == f'inline; filename="{name}"'
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == (
        "public, max-age=60, s-maxage=60, stale-while-revalidate=30"
    )
    assert response["ETag"] and response["Last-Modified"]
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    # From the page cache the second time, with the same headers.
    cached = client.get(url)
    assert cached.content == response.content
    assert cached["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert cached["Content-Disposition"] == response["Content-Disposition"]


@pytest.mark.parametrize("suffix", ["badge.svg", "badge.png", "share.png"])
def test_an_entry_never_public_is_not_found_and_a_withdrawn_one_is_gone(
    client, campaign, pledge, suffix
):
    never = make_entry(campaign, "Ei julkaistu")
    assert client.get(f"/fi/entries/{never.pk}/{suffix}").status_code == 404
    assert client.get(f"/fi/entries/999999/{suffix}").status_code == 404

    submissions.withdraw_entry(pledge)
    response = client.get(f"/en/entries/{pledge.pk}/{suffix}")
    assert response.status_code == 410
    assert "This pledge was withdrawn" in response.content.decode()


def test_a_number_beyond_any_entry_is_not_found_and_head_has_no_body(client, pledge):
    assert client.get(f"/fi/entries/{'9' * 30}/badge.svg").status_code == 404
    head = client.head(f"/fi/entries/{pledge.pk}/badge.svg")
    assert (head.status_code, head.content) == (200, b"")
    assert head["Content-Type"] == "image/svg+xml"


def test_the_png_badge_and_the_share_image_open_at_their_sizes(client, pledge):
    badge = Image.open(io.BytesIO(client.get(f"/fi/entries/{pledge.pk}/badge.png").content))
    assert (badge.format, badge.size) == ("PNG", (920, 200))
    share = Image.open(io.BytesIO(client.get(f"/fi/entries/{pledge.pk}/share.png").content))
    assert (share.format, share.size) == ("PNG", (1200, 630))


def test_without_any_font_file_the_png_is_drawn_all_the_same(client, pledge, monkeypatch):
    monkeypatch.setattr(badge_images, "FONT_FILES", {False: ("/nowhere.ttf",), True: ()})
    badge_images.font.cache_clear()
    try:
        response = client.get(f"/fi/entries/{pledge.pk}/badge.png")
        assert Image.open(io.BytesIO(response.content)).size == (920, 200)
    finally:
        badge_images.font.cache_clear()


@pytest.mark.parametrize(
    ("suffix", "queries"), [("badge.svg", 1), ("badge.png", 1), ("share.png", 1)]
)
def test_an_image_costs_a_fixed_number_of_queries(
    client, pledge, settings, django_assert_num_queries, suffix, queries
):
    settings.PAGE_CACHE_SECONDS = 0  # drawn every time
    achieved(pledge, "prize")
    url = f"/fi/entries/{pledge.pk}/{suffix}"
    client.get(url)
    # The entry with its campaign; the public version and the campaign's names are kept
    # in the cache.
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


# --- The management page and the entry page ---------------------------------------------------


def snippet_of(page, language):
    match = re.search(
        rf'<textarea[^>]*id="badge-snippet-{language}"[^>]*>(.*?)</textarea>', page, re.S
    )
    return unescape(match.group(1))


def test_the_management_page_offers_the_badge_in_three_languages(client, pledge):
    page = client.get(f"/en/manage/{manage_token(pledge)}/").content.decode()

    assert "A badge for your website" in page
    pk = pledge.pk
    assert snippet_of(page, "fi") == (
        f'<a href="{SITE}/fi/entries/{pk}/"><img src="{SITE}/fi/entries/{pk}/badge.svg" '
        'alt="Teimme lupauksen · #kotolupaus – Esimerkki Oy" width="460" height="100"></a>'
    )
    assert snippet_of(page, "sv") == (
        f'<a href="{SITE}/sv/entries/{pk}/"><img src="{SITE}/sv/entries/{pk}/badge.svg" '
        'alt="Vi har gett ett löfte · #kotolupaus – Esimerkki Oy" width="460" height="100"></a>'
    )
    assert snippet_of(page, "en") == (
        f'<a href="{SITE}/en/entries/{pk}/"><img src="{SITE}/en/entries/{pk}/badge.svg" '
        'alt="We pledged · #kotolupaus – Esimerkki Oy" width="460" height="100"></a>'
    )
    assert (
        '<label class="form-label" for="badge-snippet-sv">HTML code of the badge in Swedish' in page
    )
    assert "readonly" in re.search(r'<textarea[^>]*id="badge-snippet-en"[^>]*>', page).group(0)
    assert f'<img class="img-fluid" src="/sv/entries/{pk}/badge.svg" alt="Vi har gett' in page
    assert f'href="/fi/entries/{pk}/badge.png" download' in page
    assert f'href="/fi/entries/{pk}/badge.svg" download' in page
    assert "Download the badge as PNG (920 × 200 pixels)" in page
    assert 'role="status"' in page
    assert re.search(r'<button type="button"[^>]*data-copy="badge-snippet-fi"[^>]*hidden>', page)
    assert '<script src="/static/js/badge.js' in page
    # The English section is open, the others closed.
    assert re.search(r"<details [^>]*open>\s*<summary>The badge in English", page)


def test_the_management_page_in_finnish(client, pledge):
    page = client.get(f"/fi/manage/{manage_token(pledge)}/").content.decode()
    assert "Merkki verkkosivuillesi" in page
    assert "Merkin HTML-koodi ruotsiksi" in page
    assert "Kopioi koodi" in page


def test_the_snippet_escapes_a_hostile_organisation_name(client, pledge):
    PublicEntry.objects.filter(pk=pledge.pk).update(organisation_name='"><script>x</script>')
    page = client.get(f"/en/manage/{manage_token(pledge)}/").content.decode()
    assert "<script>x" not in page
    snippet = snippet_of(page, "en")
    assert 'alt="We pledged · #kotolupaus – &quot;&gt;&lt;script&gt;x&lt;/script&gt;"' in snippet


def test_the_badge_costs_the_management_page_one_query(client, pledge, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from publishing.cooperation import badges

    achieved(pledge, "prize")
    url = f"/fi/manage/{manage_token(pledge)}/"
    client.get(url)  # caches warm (the campaign's names)
    with CaptureQueriesContext(connection) as with_badge:
        assert "Palkinnon voittaja 2026" in client.get(url).content.decode()
    monkeypatch.setattr(badges, "public_entry", lambda pk: None)
    with CaptureQueriesContext(connection) as without:
        assert "Palkinnon voittaja 2026" not in client.get(url).content.decode()
    # The public entry with its campaign, in three languages: one query.
    assert len(with_badge) == len(without) + 1


def test_no_badge_before_the_entry_is_public_nor_after(client, campaign):
    entry = make_entry(campaign, "Odottaa")
    token = manage_token(entry)
    assert "A badge for your website" not in client.get(f"/en/manage/{token}/").content.decode()
    submissions.withdraw_entry(entry)
    assert "A badge for your website" not in client.get(f"/en/manage/{token}/").content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_entry_pages_open_graph_image_is_the_share_image(client, pledge, language):
    page = client.get(f"/{language}/entries/{pledge.pk}/").content.decode()
    url = f"{SITE}/{language}/entries/{pledge.pk}/share.png"
    assert f'<meta property="og:image" content="{url}">' in page
    assert '<meta property="og:image:width" content="1200">' in page
    assert '<meta property="og:image:height" content="630">' in page
    alt = f"{TEXTS['pledge'][language]} – Esimerkki Oy: Kesätöitä nuorille"
    assert f'<meta property="og:image:alt" content="{alt}">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert f'<meta name="twitter:image" content="{url}">' in page

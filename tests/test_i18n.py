import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [("sv-FI,sv;q=0.9", "/sv/"), ("en-GB,en;q=0.8", "/en/"), ("fi", "/fi/"), ("de", "/fi/")],
)
def test_root_redirects_to_the_visitors_preferred_language(client, accept_language, expected):
    response = client.get("/", headers={"accept-language": accept_language})

    assert response.status_code == 302
    assert response["Location"] == expected


def test_root_without_preference_redirects_to_finnish(client):
    response = client.get("/")

    assert response["Location"] == "/fi/"


@pytest.mark.parametrize(
    ("language", "home_word", "skip_text"),
    [
        ("fi", "Etusivu", "Siirry pääsisältöön"),
        ("sv", "Startsida", "Hoppa till huvudinnehållet"),
        ("en", "Home", "Skip to main content"),
    ],
)
def test_each_language_prefix_serves_the_page_in_that_language(
    client, campaign, language, home_word, skip_text
):
    response = client.get(f"/{language}/")
    content = response.content.decode()

    assert response.status_code == 200
    assert f'<html lang="{language}">' in content
    assert f">{home_word}</a>" in content
    assert skip_text in content


def test_unknown_language_prefix_is_not_found(client):
    assert client.get("/de/").status_code == 404


def test_language_switcher_links_to_the_same_page_and_query_in_each_language(client):
    response = client.get("/fi/privacy/?from=footer")
    switcher = re.search(
        r'<nav class="language-switcher".*?</nav>', response.content.decode(), re.S
    ).group(0)

    assert 'href="/sv/privacy/?from=footer" lang="sv" hreflang="sv"' in switcher
    assert 'href="/en/privacy/?from=footer" lang="en" hreflang="en"' in switcher
    assert 'href="/fi/privacy/?from=footer" lang="fi" hreflang="fi" aria-current="true"' in switcher
    # Each language is named in itself, so a reader finds their own.
    assert ">Svenska<" in switcher
    assert ">Suomi<" in switcher
    assert ">English<" in switcher


def test_language_switcher_on_a_missing_page_still_links_somewhere_safe(client):
    response = client.get("/en/no-such-page/")

    assert response.status_code == 404
    assert 'href="/sv/no-such-page/"' in response.content.decode()


@pytest.mark.parametrize("path", ["", "about/", "privacy/", "accessibility/"])
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_public_pages_have_skip_link_landmarks_and_footer_links(client, language, path):
    response = client.get(f"/{language}/{path}")
    content = response.content.decode()

    assert response.status_code == 200
    assert 'href="#main"' in content
    assert '<main id="main"' in content
    assert content.count("<h1") == 1
    assert f'href="/{language}/privacy/"' in content
    assert f'href="/{language}/accessibility/"' in content


def test_current_page_is_marked_in_the_navigation(client):
    content = client.get("/en/about/").content.decode()

    assert 'href="/en/about/" aria-current="page"' in content
    assert 'href="/en/" aria-current="page"' not in content

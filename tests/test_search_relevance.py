"""Search finds what people type: the relevance test set.

A small catalogue in Finnish, Swedish and English, and queries in each language with the
entries they must return, the entries they must not return, and whether the page says
that it shows results for similar words. Speed never buys a failure here: `make bench`
measures speed, this file says what a search must find.
"""

import re

import pytest

from publishing import search
from publishing import services as publishing
from publishing.queries import cards, published
from publishing.search import Listing
from submissions import services as submissions

from .conftest import make_entry

pytestmark = pytest.mark.django_db

# key: (language, organisation, title, description)
CORPUS = {
    "placements": (
        "fi",
        "Rakennus Oy",
        "Työharjoittelua maahanmuuttajille",
        "Tarjoamme kymmenen työharjoittelupaikkaa ja jokaiselle harjoittelijalle mentorin. "
        "Työharjoittelupaikkoja on rakennuksilla ja toimistossa.",
    ),
    "language_cafe_fi": (
        "fi",
        "Vaasan kaupunginkirjasto",
        "Kielikahvila kirjastossa",
        "Vapaaehtoiset järjestävät kielikahvilan joka torstai, ja suomea harjoitellaan "
        "arjen tilanteissa.",
    ),
    "integration": (
        "fi",
        "Perhetuki ry",
        "Kotoutumisen tukea perheille",
        "Kotoutuminen alkaa arjesta: autamme asunnon ja päivähoidon löytämisessä.",
    ),
    "football_school": (
        "fi",
        "Palloseura PS",
        "Jalkapallokoulu lapsille",
        "Jalkapallokoulussa pelataan kahdesti viikossa, ja varusteet lainataan seuralta.",
    ),
    "swimming_school": (
        "fi",
        "Uimaseura Aalto",
        "Uimakoulu naisille",
        "Uimakoulu on tarkoitettu erityisesti naisille ja tytöille.",
    ),
    "immigrants_sv": (
        "sv",
        "Företagarna i Vasa",
        "Praktikplatser för invandrarna",
        "Vi erbjuder invandrare praktik och en egen mentor i tre månader.",
    ),
    "language_cafe_sv": (
        "sv",
        "Biblioteket i Jakobstad",
        "Språkcafé i Jakobstad",
        "Varje vecka ordnar frivilliga ett språkcafé där man övar vardagssvenska.",
    ),
    "cycling": (
        "sv",
        "Cykelföreningen",
        "Cykelkurs för vuxna",
        "På cykelkursen lär sig vuxna att cykla tryggt i trafiken.",
    ),
    "football_en": (
        "en",
        "Newcomers United",
        "Football for newcomers",
        "Weekly football sessions for refugee children, with coaches from the club.",
    ),
    "choir": (
        "en",
        "Community Choir",
        "A choir for everyone",
        "The choir rehearses every Thursday and sings at the local festival.",
    ),
    "parents": (
        "en",
        "Family Centre",
        "Support for parents",
        "Advice for parents of young children in their first year in Finland.",
    ),
}

# (query, page language, must return, must not return, says "similar words")
CASES = [
    # Inflected forms find each other (stems as prefixes).
    ("kotoutumista", "fi", {"integration"}, {"placements", "language_cafe_fi"}, False),
    ("kielikahvilaan", "fi", {"language_cafe_fi"}, {"language_cafe_sv"}, False),
    ("refugees", "en", {"football_en"}, {"choir"}, False),
    ("choirs", "en", {"choir"}, {"football_en"}, False),
    ("invandrarna", "sv", {"immigrants_sv"}, {"language_cafe_sv"}, False),
    ("invandrare", "fi", {"immigrants_sv"}, set(), False),
    # A part of a Finnish compound finds the compound.
    ("harjoittelupaikkoja", "fi", {"placements"}, {"language_cafe_fi", "integration"}, False),
    ("harjoittelupaikka", "fi", {"placements"}, {"language_cafe_fi"}, False),
    ("työharjoittelupaikkoja", "fi", {"placements"}, {"language_cafe_fi"}, False),
    ("kahvila", "fi", {"language_cafe_fi"}, {"integration"}, False),
    ("koulu", "fi", {"football_school", "swimming_school"}, {"language_cafe_fi"}, False),
    ("kirjasto", "fi", {"language_cafe_fi"}, {"placements"}, False),
    # … but only where a part can begin: the town of Oulu is not in "koulu".
    ("oulu", "fi", set(), {"football_school", "swimming_school"}, False),
    # … and of a Swedish one.
    ("café", "sv", {"language_cafe_sv"}, {"language_cafe_fi"}, False),
    ("kurs", "sv", {"cycling"}, {"language_cafe_sv"}, False),
    # English has no such compounds: "rent" is not part of "parents".
    ("rent", "en", set(), {"parents"}, False),
    # One typo is forgiven in every language, and the page says so.
    ("invandarre", "sv", {"immigrants_sv"}, {"language_cafe_sv", "cycling"}, True),
    ("imvandrare", "sv", {"immigrants_sv"}, set(), True),
    ("fotball", "en", {"football_en"}, {"choir"}, True),
    ("chidlren", "en", {"football_en", "parents"}, {"choir"}, True),
    ("kielikahvla", "fi", {"language_cafe_fi"}, {"language_cafe_sv"}, True),
    # Accents do not count: a plain keyboard finds the word.
    ("sprakcafe", "en", {"language_cafe_sv"}, {"language_cafe_fi"}, True),
    ("tyoharjoittelua", "fi", {"placements"}, {"integration"}, True),
    # A typo in the first part of a compound.
    ("jalkapalo", "fi", {"football_school"}, {"swimming_school"}, True),
    # Two typos are too many, and short words have too many neighbours to guess.
    ("imvamdrare", "sv", set(), {"immigrants_sv"}, False),
    ("kuro", "fi", set(), {"choir"}, False),
    # Every word must match; stop words of any language are left out.
    ("kielikahvila kirjastossa", "fi", {"language_cafe_fi"}, {"integration"}, False),
    ("kielikahvila jalkapallo", "fi", set(), {"language_cafe_fi", "football_school"}, False),
    ("the choir", "en", {"choir"}, {"football_en"}, False),
    ("språkcafé och invandrare", "sv", set(), {"language_cafe_sv", "immigrants_sv"}, False),
    ("invandarre mentor", "sv", {"immigrants_sv"}, {"placements"}, True),
    # Organisation names are searched too.
    ("palloseura", "fi", {"football_school"}, {"swimming_school"}, False),
    ("Newcomers United", "en", {"football_en"}, {"choir"}, False),
    # Operators and quotes typed are words, never syntax.
    ("choir | football", "en", set(), {"choir", "football_en"}, False),
    ("o'reilly's !choir", "en", set(), {"choir"}, False),
]


@pytest.fixture
def corpus(campaign, staff_user):
    entries = {}
    for key, (language, organisation, title, description) in CORPUS.items():
        entry = make_entry(
            campaign, title, language=language, organisation=organisation, description=description
        )
        publishing.approve(entry, staff_user)
        entries[key] = entry
    return entries


def shown(client, query, language):
    content = client.get(f"/{language}/entries/", {"q": query}).content.decode()
    ids = {int(pk) for pk in re.findall(r'href="/[a-z]{2}/entries/(\d+)/"', content)}
    return ids, content


SIMILAR = {
    "fi": "näytetään tulokset samankaltaisilla sanoilla",
    "sv": "visar resultat för liknande ord",
    "en": "showing results for similar words",
}


def test_search_finds_what_people_type(client, corpus):
    problems = []
    for query, language, must, must_not, similar in CASES:
        ids, content = shown(client, query, language)
        found = {key for key, entry in corpus.items() if entry.pk in ids}
        if missing := must - found:
            problems.append(f"{query!r} ({language}) did not find {sorted(missing)}")
        if wrong := must_not & found:
            problems.append(f"{query!r} ({language}) found {sorted(wrong)}")
        if (SIMILAR[language] in content) is not similar:
            problems.append(f"{query!r} ({language}) similar-words notice {not similar}")
    assert not problems, "\n".join(problems)


def test_the_page_names_the_words_it_replaced_in_each_language(client, corpus):
    for language, text in [
        ("fi", "Sanaa ”invandarre” ei löytynyt"),
        ("sv", "Ordet ”invandarre” finns inte"),
        ("en", "No entry has the word “invandarre”"),
    ]:
        _ids, content = shown(client, "invandarre", language)
        assert text in content, language
        assert SIMILAR[language] in content


def test_nothing_similar_says_nothing_was_found(client, corpus):
    ids, content = shown(client, "zzzyyyxxx", "en")

    assert not ids
    assert "Nothing found." in content
    assert SIMILAR["en"] not in content


def test_a_title_match_ranks_above_a_match_in_the_text(client, campaign, staff_user):
    in_text = make_entry(
        campaign, "Lukupiiri", description="Luemme yhdessä, ja välillä on kuorolaulua."
    )
    in_title = make_entry(campaign, "Kuoro kaikille", description="Laulamme yhdessä.")
    for entry in (in_title, in_text):
        publishing.approve(entry, staff_user)

    ids = Listing({}, "kuoro", cap=1000)[0:20]

    assert ids == [in_title.pk, in_text.pk]


def test_filters_and_search_together(client, corpus, campaign):
    ids, _content = shown(client, "koulu", "en")
    both = client.get("/en/entries/", {"q": "koulu", "kind": "initiative"}).content.decode()

    assert {corpus["football_school"].pk, corpus["swimming_school"].pk} <= ids
    assert "Nothing found." in both  # the corpus has pledges only


def test_the_listing_shows_exactly_the_published_entries(campaign, staff_user):
    """The listing's SQL agrees with queries.published(), the one definition, with and
    without a search (a search reads the search documents, which only published entries
    have)."""
    shown = publishing.approve(make_entry(campaign, "Kuoro julkaistu"), staff_user).entry
    withdrawn = make_entry(campaign, "Kuoro peruttu")
    publishing.approve(withdrawn, staff_user)
    submissions.withdraw_entry(withdrawn)
    no_consent = make_entry(campaign, "Kuoro ilman lupaa")
    publishing.approve(no_consent, staff_user)
    submissions.set_consent(no_consent, False)
    make_entry(campaign, "Kuoro odottaa")  # not moderated
    publishing.reject(make_entry(campaign, "Kuoro hylätty"), staff_user)
    expected = set(published().values_list("pk", flat=True))

    assert expected == {shown.pk}
    for text in ("", "kuoro"):
        listing = Listing({}, text, cap=1000)
        assert listing.total == 1, text
        assert set(listing[0:20]) == expected, text
        assert [card.pk for card in cards([*expected, withdrawn.pk, no_consent.pk])] == [shown.pk]


def test_a_wrong_estimate_never_shows_a_wrong_count(client, campaign, staff_user, monkeypatch):
    """Past BROAD times the cap the planner's estimate stands for "more than the cap"; a
    first page with room to spare shows the exact count instead."""
    for n in range(3):
        publishing.approve(make_entry(campaign, f"Kuoro {n}"), staff_user)
    monkeypatch.setattr(search, "BROAD", 0)  # every estimate counts as broad

    content = client.get("/en/entries/", {"q": "kuoro"}).content.decode()

    assert "3 pledges and initiatives" in content
    assert "More than" not in content


def test_a_broad_search_says_more_than_the_cap(client, campaign, staff_user, monkeypatch):
    from publishing import views

    monkeypatch.setattr(views, "MAX_RESULTS", 2)
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    for n in range(4):
        publishing.approve(make_entry(campaign, f"Kuoro {n}"), staff_user)

    first = client.get("/en/entries/", {"q": "kuoro"}).content.decode()
    second = client.get("/en/entries/", {"q": "kuoro", "page": "2"}).content.decode()

    assert "More than 2 pledges and initiatives" in first
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert re.findall(r'href="/en/entries/(\d+)/"', first) != re.findall(
        r'href="/en/entries/(\d+)/"', second
    )


@pytest.mark.parametrize("count", [1, 25])
def test_a_search_page_runs_a_fixed_number_of_queries(
    client, campaign, staff_user, count, django_assert_max_num_queries
):
    for n in range(count):
        publishing.approve(make_entry(campaign, f"Kuorolaulua {n}"), staff_user)
    client.get("/fi/entries/", {"q": "kuoro"})  # the names of the filters' options, cached

    with django_assert_max_num_queries(10):
        response = client.get("/fi/entries/", {"q": "kuorolaulua", "theme": "working-life"})
    with django_assert_max_num_queries(13):  # and a typo looked up
        typo = client.get("/fi/entries/", {"q": "kuorolaulau", "theme": "working-life"})

    assert response.content.decode().count('class="entry-card"') == min(count, 20)
    assert typo.content.decode().count('class="entry-card"') == min(count, 20)


def test_a_withdrawn_entrys_own_word_is_no_longer_found_nor_known(client, corpus, staff_user):
    """Its words leave the vocabulary with it: a word only it had is not found, and is
    taken for a typo again (similar words are looked for instead)."""
    from publishing.models import SearchTerm

    shared = make_entry(
        corpus["choir"].campaign,
        "Kuorolaulua ja saunailta",
        language="fi",
        organisation="Laulajat ry",
        description="Saunailta joka kuukausi.",
    )
    unique = make_entry(
        corpus["choir"].campaign,
        "Kantelepiiri kaikille",
        language="fi",
        organisation="Soittajat ry",
        description="Saunailta ja kanteleensoittoa.",
    )
    for entry in (shared, unique):
        publishing.approve(entry, staff_user)
    assert shown(client, "kantelepiiri", "fi")[0] == {unique.pk}
    assert search.understand("kantelepiiri").similar == []  # known
    assert SearchTerm.objects.get(config="finnish", word="saunailta").entries == 2

    submissions.withdraw_entry(unique)

    assert shown(client, "kantelepiiri", "fi")[0] == set()
    assert "Nothing found" in shown(client, "kantelepiiri", "en")[1]
    assert not SearchTerm.objects.filter(word__in=["kantelepiiri", "soittajat"]).exists()
    # No longer known: a typo of another word now (none is one letter away).
    word = search._look_up(["kantelepiiri"])[0]
    assert not word.known
    # A word another public entry still has stays, counted once.
    assert SearchTerm.objects.get(config="finnish", word="saunailta").entries == 1
    assert shown(client, "saunailta", "fi")[0] == {shared.pk}


def test_an_entry_taken_down_and_published_again_is_found_again(client, corpus, staff_user):
    entry = corpus["cycling"]
    submissions.set_consent(entry, False)
    assert shown(client, "cykelkurs", "sv")[0] == set()

    submissions.set_consent(entry, True)

    assert shown(client, "cykelkurs", "sv")[0] == {entry.pk}

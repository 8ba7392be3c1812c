"""Every visible string exists in fi, sv and en, and the compiled .mo files match the .po."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["fi", "sv", "en"]
SOURCE_DIRS = ["kotolupaus", "submissions", "review", "publishing", "templates"]


def catalogue(language):
    return polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))


def messages(entries):
    return {(entry.msgctxt, entry.msgid): entry for entry in entries if not entry.obsolete}


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete_without_fuzzy_entries(language):
    po = catalogue(language)

    assert po.metadata["Language"] == language
    assert [entry.msgid for entry in po.untranslated_entries()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_finnish_and_swedish_are_translations_not_copies(language):
    po = catalogue(language)
    copies = [
        entry.msgid for entry in po if entry.msgstr == entry.msgid and len(entry.msgid.split()) > 2
    ]

    assert copies == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language):
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
    broken = [
        entry.msgid
        for entry in catalogue(language)
        if entry.msgstr
        and sorted(placeholder.findall(entry.msgid)) != sorted(placeholder.findall(entry.msgstr))
    ]

    assert broken == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_mo_matches_the_po(language):
    po = catalogue(language)
    mo = polib.mofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.mo"))

    def table(entries):
        return {
            (entry.msgctxt, entry.msgid): (entry.msgstr, tuple(sorted(entry.msgstr_plural.items())))
            for entry in entries
            if entry.msgid and not entry.obsolete and not getattr(entry, "fuzzy", False)
        }

    assert table(mo) == table(po), "run `make messages` and commit the .mo files"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext (xgettext) not installed")
def test_catalogues_hold_exactly_the_strings_in_the_source(tmp_path):
    """A string added to (or removed from) the code without `make messages` fails here."""
    for name in SOURCE_DIRS:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    environment = {**os.environ, "KOTOLUPAUS_ENV": "test", "PYTHONPATH": str(tmp_path)}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fi", "--no-obsolete", "--no-location"],
        cwd=tmp_path,
        env=environment,
        check=True,
        capture_output=True,
    )

    regenerated = polib.pofile(str(tmp_path / "locale" / "fi" / "LC_MESSAGES" / "django.po"))
    in_source = set(messages(regenerated))
    in_catalogue = set(messages(catalogue("fi")))

    assert sorted(in_source - in_catalogue, key=str) == [], "new strings: run `make messages`"
    assert sorted(in_catalogue - in_source, key=str) == [], "stale strings: run `make messages`"


# --- Every visible word in a template is marked for translation ---------------------------

NOT_WORDS = {"Kotolupaus", "K"}  # the service's name and its brand mark


def unmarked_words(template):
    """Words a reader would see or hear that are not inside a translation tag."""
    import re

    text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", " ", template, flags=re.S)
    text = re.sub(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", " ", text, flags=re.S)
    text = re.sub(r"<(script|style|code)\b.*?</\1>", " ", text, flags=re.S)
    chunks = [
        value
        for _name, value in re.findall(r'\b(alt|title|aria-label|placeholder)="([^"]*)"', text)
    ]
    chunks.append(re.sub(r"<[^>]*>", " ", text))
    words = []
    for chunk in chunks:
        chunk = re.sub(r"{%.*?%}|{{.*?}}|#\w+", " ", chunk, flags=re.S)
        words += [w for w in re.findall(r"[^\W\d_][\w'’-]*", chunk) if w not in NOT_WORDS]
    return words


def test_the_template_scanner_finds_unmarked_text():
    assert unmarked_words('<p>Hello {{ name }}</p><img alt="Logo">') == ["Logo", "Hello"]
    assert unmarked_words('<p>{% translate "Hello" %}</p><a title="{{ t }}">–</a>') == []


def test_templates_have_no_unmarked_visible_text():
    templates = [
        path
        for pattern in ("templates/**/*.html", "*/templates/**/*.html", "*/templates/**/*.txt")
        for path in ROOT.glob(pattern)
        if ".venv" not in path.parts
    ]
    unmarked = {
        str(path.relative_to(ROOT)): words
        for path in templates
        if (words := unmarked_words(path.read_text()))
    }

    assert len(templates) > 50
    assert unmarked == {}


# --- The terminology list (locale/TERMS.md) is followed -----------------------------------

# Words TERMS.md rules out (regular expressions), with the word to use instead.
NOT_IN_FINNISH = {
    r"osoitus": "jako",
    r"\bOsoita\b": "Jaa",
    r"moderoi": "tarkastaa",
    r"päättäjä": "päätöksen tekijä",
    r"kiistanalai": "arvioissa suuri hajonta",
    r"\bUutuus": "Uudenlaisuus",
    r"kotoutumisen edistämisen yhteistyöohjelma": "yhteistyöohjelma kotoutumisen edistämiseksi",
    r"Viesti kuuluu": "Viesti:",
    r"lupauksestasi tai aloitteestasi": "kind-specific wording",
    # Issue 24, from a translator's reading of every catalogue:
    r"[Ll]ähetyks|^Lähetys\b": "lupaus tai aloite (lähetys is also a parcel)",
    r"[Tt]allenne\b|[Tt]allentee": "lupaus tai aloite (tallenne is a recording)",
    r"\b([Vv]ahvistakaa|[Kk]ieltäytykää|[Jj]ättäkää|[Oo]ttakaa|[Tt]eidän|[Tt]eille|ette)\b": "sinä",
    r"(organisaatio|organisaatiota|kiinnostukse|mielestä|rooli)nne\b": "sinä (organisaatiosi)",
    r"niin (lupauksesi|aloitteesi) lähtee": "jotta … lähetetään",
    r"[Mm]ääräajassa pysymiseen": "Määräaikaan lasketaan",
    r"[Pp]eruutusta ei voi perua": "ei voi kumota",
    r"[Hh]enkilökunn": "henkilöstö",
    r"osoitetut": "jaetut",
    r"arviointiperuste": "arviointikriteeri",
    r"Heidän kommenttinsa": "Henkilöstön kommentti",
    r"pysyvää kirjausta": "tallennettu lopullisesti",
    r"Suomalainen Y-tunnus": "Y-tunnus",
    r"henkilöstö tarkista|on tarkistanut (sen|ne|muutoksesi)": "tarkastaa (moderation is tarkastus)",
}
NOT_IN_SWEDISH = {
    r"samarbetsorganisation": "partnerorganisation",
    r"samarbetspartner": "partnerorganisation",
    r"[Rr]eturner": "skicka tillbaka",
    r"någon ny slags": "en ny sorts",
    r"Konkretion": "Konkrethet",
    r"minst antal": "färst",
    r"Dela med %": "Dela under hashtaggen",
    r"omstrid": "stor spridning i bedömningarna",
    r"beslut och pris\b(?!er)": "beslut och priser",
    r"^Tas (inte )?med": "Har (inte) tagits med",
    # Issue 24, from a translator's reading of every catalogue:
    r"strunta i": "bortse från",
    r"på uppdrag av": "i namn av",
    r"\bhen\b": "a noun (kontaktpersonen) or a rephrasing",
    r"\b([Ee]rt?|[Ee]ra|ni)\b": "du (the partner is addressed as du)",
    r"[Ii]nlämnare": "den som har lämnat in bidraget",
    r"Kotolupaus-kampanjen": "kampanjen Kotolupaus",
    r"kontaktspråk": "kommunikationsspråk",
    r"^Inställt$": "Annullerat",
    r"hälsningar,$": "Med vänliga hälsningar (no comma)",
    r"[Ff]ramsteg": "hur det går",
    r"har uppnåtts": "har uppfyllts",
}


@pytest.mark.parametrize(("language", "banned"), [("fi", NOT_IN_FINNISH), ("sv", NOT_IN_SWEDISH)])
def test_catalogues_follow_the_terminology_list(language, banned):
    import re

    assert (ROOT / "locale" / "TERMS.md").exists()
    found = [
        (pattern, entry.msgid)
        for entry in catalogue(language)
        for text in [entry.msgstr, *entry.msgstr_plural.values()]
        for pattern in banned
        if re.search(pattern, text)
    ]

    assert found == []

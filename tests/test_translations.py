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

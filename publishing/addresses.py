"""Absolute addresses of public pages in every language (for hreflang alternates,
feeds and open data)."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import override

_PK = 987654321  # a stand-in id: the addresses are reversed once, not once per entry


def in_each_language(name, *args) -> dict:
    """{language code: absolute address of the named page in that language}."""
    urls = {}
    for code, _name in settings.LANGUAGES:
        with override(code):
            urls[code] = settings.SITE_URL + reverse(name, args=args)
    return urls


def entry_url_patterns() -> dict:
    return in_each_language("publishing:entry_detail", _PK)


def entry_urls(entry_pk, patterns=None) -> dict:
    """The entry's public page in every language, as absolute addresses."""
    patterns = patterns or entry_url_patterns()
    return {code: url.replace(str(_PK), str(int(entry_pk))) for code, url in patterns.items()}

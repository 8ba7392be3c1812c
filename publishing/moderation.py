"""Automatic moderation hints: flags that draw staff attention to likely spam or hate.

They never publish or hide anything by themselves; staff decide. Extra words can be
added with the MODERATION_EXTRA_WORDS setting (comma-separated in the environment).
"""

import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Spam vocabulary and widely used slurs and hate slogans in Finnish, Swedish and English.
FLAGGED_WORDS = {
    "viagra",
    "cialis",
    "casino",
    "kasino",
    "bitcoin",
    "crypto",
    "forex",
    "porn",
    "porno",
    "escort",
    "loan offer",
    "pikavippi",
    "neekeri",
    "mutakuono",
    "ryssä",
    "vinkkeli",
    "neger",
    "svartskalle",
    "blatte",
    "zigenarjävel",
    "nigger",
    "sieg heil",
    "white power",
    "88 heil",
    "rapefugee",
    "rapefugees",
    "invaders go home",
}

FLAG_LABELS = {
    "links": _("many links"),
    "words": _("blocked words"),
    "shouting": _("written in capitals"),
    "repetition": _("repeated characters"),
}

LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
REPEATED = re.compile(r"(.)\1{5,}")


def _shouting(text):
    letters = [c for c in text or "" if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.7


def check(texts: list[str]) -> list[str]:
    """Flag names for the given public texts (see FLAG_LABELS)."""
    joined = "\n".join(t for t in texts if t)
    lowered = joined.lower()
    words = FLAGGED_WORDS | {
        w.strip().lower() for w in settings.MODERATION_EXTRA_WORDS if w.strip()
    }
    flags = []
    if len(LINK.findall(joined)) >= 3:
        flags.append("links")
    if any(re.search(rf"\b{re.escape(word)}\b", lowered) for word in words):
        flags.append("words")
    if any(_shouting(text) for text in texts):
        flags.append("shouting")
    if REPEATED.search(joined):
        flags.append("repetition")
    return flags

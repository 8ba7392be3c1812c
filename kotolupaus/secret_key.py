"""How production judges a SECRET_KEY: long, and random-looking rather than patterned.

Length alone lets "abcde" × 11 through. A random key hardly compresses, so the key's
size under zlib (what remains once repeats and a small alphabet are squeezed out) must
stay near its length; runs through the alphabet ("abcdef…", "987654…") and too few
different characters are refused as well. Django's get_random_secret_key(),
secrets.token_urlsafe(50) and secrets.token_hex(32) all pass, with a wide margin.
"""

import zlib
from itertools import pairwise

MIN_LENGTH = 50
# Bytes left after zlib: random 50-character keys give 39 (hex) to 50 (Django's own).
MIN_COMPRESSED_BYTES = 32
MIN_DISTINCT_CHARACTERS = 10
# Share of characters in runs of three or more that step through the alphabet ("abc",
# "4321"): a few per cent in a random key (even in hex), nearly all of an alphabet walk.
MAX_RUN_SHARE = 0.25
_EMPTY = len(zlib.compress(b"", 9))


def problem(key: str) -> str | None:
    """Why the key is not safe for production, or None when it is."""
    if len(key) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters long (it has {len(key)})"
    if key.startswith("django-insecure") or key.startswith("dev-only-"):
        return "is a development key"
    if len(set(key)) < MIN_DISTINCT_CHARACTERS:
        return f"uses only {len(set(key))} different characters"
    if len(zlib.compress(key.encode(), 9)) - _EMPTY < MIN_COMPRESSED_BYTES:
        return "repeats itself (a pattern, not a random value)"
    if _in_runs(key) > MAX_RUN_SHARE * len(key):
        return "runs through the alphabet (a pattern, not a random value)"
    return None


def _in_runs(key: str) -> int:
    """How many characters belong to runs of 3+ that step by one ("abc", "987")."""
    counted, run, step = 0, 1, 0
    for a, b in pairwise(key):
        difference = ord(b) - ord(a)
        if abs(difference) == 1 and difference == step:
            run += 1
        else:
            counted += run if run >= 3 else 0
            run, step = (2, difference) if abs(difference) == 1 else (1, 0)
    return counted + (run if run >= 3 else 0)

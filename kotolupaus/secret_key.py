"""How production judges a SECRET_KEY: long, random, and nowhere anyone can read it.

Length alone lets "abcde" × 11 through. A random key hardly compresses, so the key's
size under zlib (what remains once repeats and a small alphabet are squeezed out) must
stay near its length; runs through the alphabet ("abcdef…", "987654…") and too few
different characters are refused as well. Then:

- **Published**: a key that appears anywhere in the repository — a test's settings,
  the README, any file git tracks — is refused, random as it may look. Every long,
  random-looking string in the tracked files has its SHA-256 in
  kotolupaus/published_keys.py (the installed package has no repository to search);
  `python -m kotolupaus.secret_key` writes that file again, and a test fails when a
  tracked file holds a string it lacks.
- **Entropy**: what the key is worth to someone guessing it is estimated, and it must
  be at least MIN_BITS (200) bits. The estimate is deliberately pessimistic: it counts
  every chance word or pattern as found, so a truly random key of 256 bits or more is
  judged at 220–450 (Django's get_random_secret_key(), 282 true bits: never under 223 in
  20,000 draws), while phrases people make up stay under 170. zxcvbn finds what a guesser tries first (dictionary
  words and names, also in l33t, keyboard walks, sequences, repeats, dates, the project's
  own words); each of those of four characters or more costs what zxcvbn says it does
  (shorter ones turn up by chance in any random string), any other run of 5+ letters
  that reads like a word (vowels and consonants as in Finnish, Swedish or English) the
  cost of a word from a vocabulary of 2¹⁷, a separator used again between words one
  bit, and every remaining character log2 of the alphabet the key draws from (lower
  case, upper case, digits, other characters).
  A phrase such as "kotolupaus-production-secret-key-ministry-2026" is worth about
  150 bits; secrets.token_urlsafe(50) about 440 and secrets.token_hex(32) about 320.
"""

import hashlib
import math
import re
import string
import subprocess
import sys
import zlib
from itertools import pairwise
from pathlib import Path

MIN_LENGTH = 50
# Bytes left after zlib: random 50-character keys give 39 (hex) to 50 (Django's own).
MIN_COMPRESSED_BYTES = 32
MIN_DISTINCT_CHARACTERS = 10
# Share of characters in runs of three or more that step through the alphabet ("abc",
# "4321"): a few per cent in a random key (even in hex), nearly all of an alphabet walk.
MAX_RUN_SHARE = 0.25
_EMPTY = len(zlib.compress(b"", 9))
MIN_BITS = 200
WORD_BITS = 17  # a word from a vocabulary of 131,072
# Words a guesser of this site's key tries first, besides zxcvbn's dictionaries.
PROJECT_WORDS = (
    "kotolupaus",
    "kotoutuminen",
    "kotoutumisen",
    "lupaus",
    "aloite",
    "ministeriö",
    "ministerio",
    "tem",
    "anm",
    "työ",
    "elinkeino",
    "tuotanto",
    "salainen",
    "avain",
    "salasana",
    "integration",
    "pledge",
    "initiative",
    "ministry",
    "production",
    "secret",
    "key",
    "django",
    "insecure",
    "löfte",
    "hemlig",
    "nyckel",
    "produktion",
    "helsinki",
    "helsingfors",
    "suomi",
    "finland",
)
VOWELS = set("aeiouyäöå")
CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits)


def problem(key: str) -> str | None:
    """Why the key is not safe for production, or None when it is."""
    weakness = pattern_problem(key)
    if weakness:
        return weakness
    if is_published(key):
        return (
            "appears in the source code or its documentation, where anyone can read it; "
            "make a new random one"
        )
    bits = estimated_bits(key)
    if bits < MIN_BITS:
        return (
            f"is too easy to guess: about {bits:.0f} bits of randomness where {MIN_BITS} "
            "are needed (words, names or patterns rather than a random value)"
        )
    return None


def pattern_problem(key: str) -> str | None:
    """The checks of the key's shape alone (length, repeats, runs, too few characters)."""
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


# --- Estimated entropy -------------------------------------------------------------------------


def alphabet_bits(key: str) -> float:
    """log2 of the alphabet the key draws from: each class of characters it uses whole."""
    size = sum(len(chars) for chars in CLASSES if any(c in chars for c in key))
    size += 33 if any(not any(c in chars for chars in CLASSES) for c in key) else 0
    return math.log2(max(size, 2))


def _reads_like_a_word(run: str) -> bool:
    """Letters as people write words (all lower case, capitalised or all upper case; not
    only the hexadecimal a–f) in the proportions of Finnish, Swedish or English words:
    about a third to two thirds vowels and never more than three consonants in a row."""
    if not (run.islower() or run.isupper() or (run[0].isupper() and run[1:].islower())):
        return False
    lower = run.lower()
    if set(lower) <= set("abcdef"):
        return False
    vowels = sum(c in VOWELS for c in lower)
    if not 0.3 <= vowels / len(lower) <= 0.7:
        return False
    return re.search(r"[^aeiouyäöå]{4}", lower) is None


def _unmatched_bits(token: str, per_character: float, separators: set) -> float:
    """What a stretch zxcvbn found nothing in costs: a word-like run of 5+ letters as a
    word (plus a bit for its case), a separator used again between words (runs of three
    or more letters or digits) 1 bit, every other character log2 of the key's alphabet."""
    bits = 0.0
    parts = re.findall(r"[^\W\d_]+|\d+|[\W_]", token)
    for i, part in enumerate(parts):
        between_words = 0 < i < len(parts) - 1 and len(parts[i - 1]) >= 3 and len(parts[i + 1]) >= 3
        if part.isalpha() and len(part) >= 5 and _reads_like_a_word(part):
            bits += min(WORD_BITS + 1, len(part) * per_character)
        elif len(part) == 1 and not part.isalnum() and between_words:
            bits += 1 if part in separators else per_character
            separators.add(part)
        else:
            bits += len(part) * per_character
    return bits


def quick_bits(key: str) -> float:
    """The estimate without zxcvbn's patterns: never below estimated_bits by much, and
    a thousand times quicker (to sort out what is certainly not a key)."""
    return _unmatched_bits(key, alphabet_bits(key), set())


def estimated_bits(key: str) -> float:
    """How many bits of randomness a guesser must get through (see the module's text)."""
    from zxcvbn import zxcvbn

    per_character = alphabet_bits(key)
    found = zxcvbn(key, user_inputs=list(PROJECT_WORDS), max_length=max(len(key), 72))
    bits = 0.0
    separators: set[str] = set()
    for match in found["sequence"]:
        if match["pattern"] == "bruteforce" or len(match["token"]) < 4:
            bits += _unmatched_bits(match["token"], per_character, separators)
        else:
            bits += min(math.log2(max(match["guesses"], 2)), len(match["token"]) * per_character)
    return bits


# --- Keys published in the repository -------------------------------------------------------

SPLIT = re.compile(r"[\s\"'`]+")
TRAILING = ",;.)]}>"


def _published_hash(candidate: str) -> str:
    return hashlib.sha256(candidate.encode()).hexdigest()[:32]


def is_published(key: str) -> bool:
    from .published_keys import HASHES

    return _published_hash(key) in HASHES


def candidates(text: str):
    """Every string in the text that production could take for a key: whitespace- and
    quote-separated words, what follows each "=" or ":" in them, with and without
    trailing punctuation, of at least MIN_LENGTH characters and of a random shape."""
    for word in SPLIT.split(text):
        if len(word) < MIN_LENGTH:
            continue
        pieces = {word}
        pieces.update(word[i + 1 :] for i, c in enumerate(word) if c in "=:")
        for piece in list(pieces):
            pieces.add(piece.rstrip(TRAILING))
        for piece in pieces:
            if len(piece) >= MIN_LENGTH and pattern_problem(piece) is None:
                yield piece


def could_be_a_key(candidate: str) -> bool:
    """Whether production would take the string for a key, were it not published."""
    return quick_bits(candidate) >= MIN_BITS and estimated_bits(candidate) >= MIN_BITS


def repository_hashes(root: Path) -> set[str]:
    """The hashes of every string in the files git tracks under `root` that production
    would take for a key (but the vendored, minified third-party code in static/vendor,
    published as it is elsewhere, and the lock files' package hashes in requirements/,
    which are PyPI's)."""
    names = subprocess.run(
        ["git", "ls-files", "-z"],  # noqa: S607 - git, listing our own repository
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    found: set[str] = set()
    for name in filter(None, names):
        if name.startswith((b"static/vendor/", b"requirements/")):
            continue
        path = root / name.decode()
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary files (images, compiled catalogues) hold no typed key
        found.update(
            _published_hash(candidate)
            for candidate in candidates(text)
            if could_be_a_key(candidate)
        )
    return found


def write_published(root: Path) -> int:
    hashes = sorted(repository_hashes(root))
    lines = [
        '"""SHA-256 (first 32 hex digits) of every string in the repository that could pass',
        "for a SECRET_KEY: production refuses them (kotolupaus/secret_key.py). Written by",
        '`python -m kotolupaus.secret_key`; tests/test_settings.py checks it is complete."""',
        "",
        "HASHES = frozenset(",
        "    {",
        *(f'        "{h}",' for h in hashes),
        "    }",
        ")",
        "",
    ]
    (root / "kotolupaus" / "published_keys.py").write_text("\n".join(lines))
    return len(hashes)


if __name__ == "__main__":
    written = write_published(Path(__file__).resolve().parent.parent)
    print(f"kotolupaus/published_keys.py: {written} published strings", file=sys.stderr)

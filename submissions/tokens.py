"""Private links: long random tokens of which only a hash is stored."""

import hashlib
import secrets


def new_token() -> tuple[str, str]:
    """A fresh token for a link and the hash to store (the token itself is never stored)."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()

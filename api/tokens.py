"""API tokens: 256 random bits behind a recognisable prefix; only their SHA-256 is stored."""

import hashlib
import secrets

TOKEN_PREFIX = "lpt_"  # noqa: S105 (a label, not a secret)
# How many leading characters of a token are kept to tell tokens apart on the clients page.
SHOWN_CHARACTERS = 12


def token_generate() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()

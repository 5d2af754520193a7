"""Secret tokens and join codes.

Tokens carry at least 128 bits of randomness and only their SHA-256 digest is
stored, so a leaked database does not leak working links. A digest of a random
token needs no salt: there is nothing to guess from."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from .meeting.vocab import JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH

TOKEN_BYTES = 24  # 192 bits


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str, stored_hash: str | None) -> bool:
    """Constant-time comparison of a presented token against a stored digest."""
    if not stored_hash or not isinstance(token, str):
        return False
    return hmac.compare_digest(hash_token(token), stored_hash)


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(code: str) -> str:
    return "".join(code.split()).upper()

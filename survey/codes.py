"""Codes that people read off a screen and type in (resume codes, invitation codes, generated
passwords), and the keyed hashes codes are stored as."""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U: easy to read aloud


def new_code(*group_sizes: int) -> str:
    """Random characters from ALPHABET in hyphenated groups: new_code(4, 4) gives 'K7QM-2XRT'."""
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(size)) for size in group_sizes)


def new_password() -> str:
    """Four groups of five (about 98 bits), typed in like the codes."""
    return new_code(5, 5, 5, 5)


def characters(typed: str) -> str:
    """What a person typed, without the case, hyphens and spaces that do not matter."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def keyed_digest(purpose: str, code: str, secret: str) -> str:
    """HMAC-SHA256 under a key made from the app's secret for this purpose: the database alone
    cannot be searched for codes by brute force."""
    key = hashlib.sha256(f"{purpose}:{secret}".encode()).digest()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()

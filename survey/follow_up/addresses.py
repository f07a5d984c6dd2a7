"""Email addresses: the one check an address must pass, and their encryption at rest (Fernet,
with the FOLLOW_UP_KEY setting). An address is the only identifying data the system keeps."""

from __future__ import annotations

import re

from cryptography.fernet import Fernet, InvalidToken

from survey.messages import N_, Message

MAX_LENGTH = 254  # RFC 5321's limit on a path, less its angle brackets
# Letters, digits and the punctuation RFC 5322 allows unquoted; dots only between characters.
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_TOP_LEVEL = re.compile(r"[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59}")


class AddressRefused(ValueError):
    """Not an address we can send to; `message` says why, for the participant."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.template)
        self.message = message


def normalised_address(typed: str) -> str:
    """The address as it will be stored (spaces around it dropped, the domain in lower case), or
    AddressRefused. Strict on purpose: a plain mailbox@domain.tld, ASCII, no quoted or bracketed
    forms, which a person typing their own address never needs."""
    address = typed.strip()
    if not address:
        raise AddressRefused(Message(N_("Please enter your email address.")))
    if len(address) > MAX_LENGTH or not address.isascii() or any(c.isspace() for c in address):
        raise AddressRefused(_LOOKS)
    local, at, domain = address.rpartition("@")
    if not at or len(local) > 64 or not _LOCAL.fullmatch(local):
        raise AddressRefused(_LOOKS)
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        raise AddressRefused(_LOOKS)
    if not _TOP_LEVEL.fullmatch(labels[-1]):
        raise AddressRefused(_LOOKS)
    return f"{local}@{domain.lower()}"


_LOOKS = Message(
    N_("This does not look like an email address. Please check it: it looks like name@example.org.")
)


def encrypt(address: str, key: str) -> str:
    return Fernet(key.encode()).encrypt(address.encode()).decode()


def decrypt(token: str, key: str) -> str:
    """The address, or ValueError when the key is not the one it was encrypted with."""
    try:
        return Fernet(key.encode()).decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise ValueError(
            "the follow-up key cannot read this address (was FOLLOW_UP_KEY changed?)"
        ) from error

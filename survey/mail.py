"""Sending email: through an SMTP server when `MAIL_SERVER` is set (production), else into an
outbox folder as .eml files (`instance/outbox/` by default), so the app runs with no mail
server and a developer can open what would have been sent.

Messages are built by the caller with the standard library's `email.message.EmailMessage`;
this module only delivers them. Delivery failures raise `MailError` with a plain message, for
the task that sends to record and retry."""

from __future__ import annotations

import os
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any


class MailError(RuntimeError):
    """A message could not be handed to the mail server or written to the outbox."""


@dataclass(frozen=True)
class MailSettings:
    server: str | None
    port: int
    security: str
    username: str | None
    password: str | None
    sender: str
    outbox: Path
    timeout: float = 30

    @classmethod
    def from_config(cls, config: dict[str, Any], instance_path: str) -> MailSettings:
        return cls(
            server=config.get("MAIL_SERVER"),
            port=int(config["MAIL_PORT"]),
            security=config["MAIL_SECURITY"],
            username=config.get("MAIL_USERNAME"),
            password=config.get("MAIL_PASSWORD"),
            sender=config["MAIL_SENDER"],
            outbox=Path(config.get("MAIL_OUTBOX") or os.path.join(instance_path, "outbox")),
        )


def deliver(message: EmailMessage, settings: MailSettings) -> str:
    """Send the message (From, Date and Message-ID filled in when missing); returns its
    Message-ID, or raises MailError."""
    if "From" not in message:
        message["From"] = settings.sender
    if "Date" not in message:
        message["Date"] = formatdate(localtime=False, usegmt=True)
    if "Message-ID" not in message:
        message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    if settings.server:
        _send_by_smtp(message, settings.server, settings)
    else:
        _write_to_outbox(message, settings.outbox)
    return str(message["Message-ID"])


def _send_by_smtp(message: EmailMessage, server: str, settings: MailSettings) -> None:
    try:
        if settings.security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                server,
                settings.port,
                timeout=settings.timeout,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(server, settings.port, timeout=settings.timeout)
        with smtp:
            if settings.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if settings.username:
                smtp.login(settings.username, settings.password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"the mail server {server}:{settings.port} refused: {error}") from error


def _write_to_outbox(message: EmailMessage, outbox: Path) -> None:
    """One file per message, written whole under a temporary name first: a reader of the
    folder never sees half a message."""
    try:
        outbox.mkdir(parents=True, exist_ok=True)
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:12]}.eml"  # in sent order
        partial = outbox / f".{name}.part"
        partial.write_bytes(message.as_bytes())
        partial.rename(outbox / name)
    except OSError as error:
        raise MailError(f"the outbox {outbox} cannot be written: {error}") from error

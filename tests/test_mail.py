"""Email delivery (survey/mail.py): to a real SMTP server (aiosmtpd, in this process), and into
the .eml outbox when no server is set."""

from __future__ import annotations

import email
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from survey.config import ConfigError, settings_from_env
from survey.mail import MailError, MailSettings, deliver
from tests.servers import free_port

UNSUBSCRIBE = "<https://survey.example.org/follow-up/unsubscribe/abc123>"


class Inbox:
    """An aiosmtpd handler that keeps what arrives."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(self, _server, _session, envelope, address, _options) -> str:  # noqa: N802
        if address.endswith("@refused.example.org"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    logins: list[tuple[bytes, bytes]] = []

    def authenticate(_server, _session, _envelope, mechanism, auth_data) -> AuthResult:
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"right password")

    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticate,
        auth_require_tls=False,  # a test server on loopback; production uses STARTTLS or TLS
    )
    controller.start()
    try:
        yield controller, inbox, logins
    finally:
        controller.stop()


def settings(tmp_path: Path, **changes) -> MailSettings:
    values = {
        "server": None,
        "port": 25,
        "security": "none",
        "username": None,
        "password": None,
        "sender": "milk-study@example.org",
        "outbox": tmp_path / "outbox",
        "timeout": 5,
        **changes,
    }
    return MailSettings(**values)


def french_message() -> EmailMessage:
    message = EmailMessage()
    message["To"] = "participante@example.org"
    message["Subject"] = "Cinq questions, deux semaines après : votre avis compte"
    message["List-Unsubscribe"] = UNSUBSCRIBE
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content("Bonjour,\nVoici votre lien : https://survey.example.org/f/abc123\n")
    message.add_alternative(
        '<p>Bonjour, <a href="https://survey.example.org/f/abc123">ici</a></p>', subtype="html"
    )
    return message


def test_a_message_reaches_the_smtp_server_whole(smtp_server, tmp_path):
    controller, inbox, logins = smtp_server
    message_id = deliver(
        french_message(),
        settings(
            tmp_path,
            server="127.0.0.1",
            port=controller.port,
            username="mailer",
            password="right password",
        ),
    )
    assert logins == [(b"mailer", b"right password")]
    [(sender, recipients, content)] = inbox.received
    assert (sender, recipients) == ("milk-study@example.org", ["participante@example.org"])
    received = email.message_from_bytes(content, policy=default_policy)
    assert received["Subject"] == "Cinq questions, deux semaines après : votre avis compte"
    assert received["From"] == "milk-study@example.org"
    assert received["Message-ID"] == message_id and message_id.endswith("@example.org>")
    assert received["Date"]
    assert received["List-Unsubscribe"] == UNSUBSCRIBE
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    assert "Voici votre lien : https://survey.example.org/f/abc123" in text
    assert 'href="https://survey.example.org/f/abc123"' in html
    assert not (tmp_path / "outbox").exists()  # a server is set: nothing goes to the outbox


def test_a_refused_recipient_or_an_absent_server_is_a_mail_error(smtp_server, tmp_path):
    controller, inbox, _logins = smtp_server
    message = french_message()
    message.replace_header("To", "nobody@refused.example.org")
    server = settings(tmp_path, server="127.0.0.1", port=controller.port)
    with pytest.raises(MailError, match=f"127.0.0.1:{controller.port} refused: .*No such mailbox"):
        deliver(message, server)
    nobody = settings(tmp_path, server="127.0.0.1", port=free_port())
    with pytest.raises(MailError, match="refused"):
        deliver(french_message(), nobody)
    assert inbox.received == []


def test_without_a_server_each_message_is_an_eml_file_in_the_outbox(tmp_path):
    outbox = tmp_path / "outbox"
    first = deliver(french_message(), settings(tmp_path))
    second = deliver(french_message(), settings(tmp_path))
    files = sorted(outbox.iterdir())
    assert [path.suffix for path in files] == [".eml", ".eml"]  # no partial file left behind
    read = [email.message_from_bytes(path.read_bytes(), policy=default_policy) for path in files]
    assert {message["Message-ID"] for message in read} == {first, second}
    assert read[0]["Subject"] == "Cinq questions, deux semaines après : votre avis compte"
    assert read[0]["List-Unsubscribe"] == UNSUBSCRIBE
    assert "https://survey.example.org/f/abc123" in read[0].get_body(("plain",)).get_content()


def test_an_outbox_that_cannot_be_written_is_a_mail_error(tmp_path):
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    with pytest.raises(MailError, match="cannot be written"):
        deliver(french_message(), settings(tmp_path, outbox=blocked))


def test_mail_settings_come_from_the_environment(tmp_path):
    config = settings_from_env(
        {"MAIL_SERVER": "smtp.example.org", "MAIL_SECURITY": "tls", "MAIL_USERNAME": "u"},
        str(tmp_path),
    )
    mail = MailSettings.from_config(config, str(tmp_path))
    assert (mail.server, mail.port, mail.security, mail.username) == (
        "smtp.example.org",
        465,
        "tls",
        "u",
    )
    default = MailSettings.from_config(settings_from_env({}, str(tmp_path)), str(tmp_path))
    assert (default.server, default.port, default.outbox) == (None, 587, tmp_path / "outbox")
    with pytest.raises(ConfigError, match="MAIL_SECURITY must be starttls, tls or none"):
        settings_from_env({"MAIL_SECURITY": "ssl3"}, str(tmp_path))

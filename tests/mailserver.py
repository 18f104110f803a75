"""A real SMTP server on localhost (aiosmtpd) for tests that check the mail Panel sends.

    def test_chair_is_told(client, mail_app_config):
        ...  # do what sends the mail
        [message] = mail_app_config.messages
        assert message["To"] == "chair@example.org"
        assert "/meetings/" in message.get_content()

`smtp_server` is the server alone; `mail_app_config` also points the app at it for one test (plain
SMTP, no sign-in) and returns the same server. Received messages are `email.message.EmailMessage`
objects, parsed as a mail client would, with the SMTP envelope alongside.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller
from flask import Flask


class ReceivedMessage(EmailMessage):
    """A message as it arrived: headers and body, plus the envelope and how it travelled."""

    envelope_from: str
    envelope_to: list[str]  # the RCPT TO addresses: who the server was asked to deliver it to
    peer: tuple  # the client's (address, port): one per connection
    tls: bool  # whether the connection was encrypted when the message was sent
    login: str | None  # the user name the client signed in with, if it did


@dataclass
class SMTPServer:
    host: str
    port: int
    messages: list[ReceivedMessage] = field(default_factory=list)

    def messages_to(self, address: str) -> list[ReceivedMessage]:
        """The messages whose envelope delivers to `address`."""
        return [message for message in self.messages if address in message.envelope_to]

    async def handle_DATA(self, server, session, envelope) -> str:
        # Line ends as a mail client shows them, so that get_content() compares with plain text.
        content = envelope.content.replace(b"\r\n", b"\n")
        message = BytesParser(ReceivedMessage, policy=policy.default).parsebytes(content)
        message.envelope_from = envelope.mail_from
        message.envelope_to = list(envelope.rcpt_tos)
        message.peer = tuple(session.peer)
        message.tls = server.transport.get_extra_info("ssl_object") is not None
        login = getattr(session.auth_data, "login", None)
        message.login = login.decode() if login else None
        self.messages.append(message)
        return "250 Message accepted for delivery"


class _Controller(Controller):
    """Listens on a port the system picks (port 0), so that tests never collide over one. aiosmtpd
    connects to its own port once on start (`_trigger_server`, meant for subclasses): read the
    port that was picked first."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def start_smtp_server(
    server: SMTPServer | None = None, *, fixed_port: bool = False, **smtp_options
) -> tuple[SMTPServer, Controller]:
    """Start `server` (a subclass may add aiosmtpd hooks such as ``handle_RCPT``) on 127.0.0.1,
    on a port the system picks, or with `fixed_port` on `server.port` (a server started again
    where the app already sends). `smtp_options` go to aiosmtpd: `ssl_context` for implicit TLS,
    `tls_context` for STARTTLS, `authenticator` for AUTH, and so on. Call ``controller.stop()``
    afterwards."""
    server = server or SMTPServer(host="127.0.0.1", port=0)
    port = server.port if fixed_port else 0
    controller = _Controller(server, hostname=server.host, port=port, **smtp_options)
    controller.start()
    server.port = controller.port
    return server, controller


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    """A plain SMTP server on 127.0.0.1 that keeps every message it receives."""
    server, controller = start_smtp_server()
    yield server
    controller.stop()


@pytest.fixture
def mail_app_config(app: Flask, smtp_server: SMTPServer, monkeypatch) -> SMTPServer:
    """For this test, the app sends its mail by SMTP to `smtp_server`, which is returned."""
    point_app_at(app, smtp_server, monkeypatch)
    return smtp_server


def point_app_at(app: Flask, server: SMTPServer, monkeypatch, **settings) -> None:
    """Send the app's mail to `server` for this test; `settings` override the MAIL_ ones."""
    values = {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": server.host,
        "MAIL_PORT": server.port,
        "MAIL_SECURITY": "none",
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_TIMEOUT": 5.0,
        **settings,
    }
    for key, value in values.items():
        monkeypatch.setitem(app.config, key, value)

"""Outgoing e-mail: notices to panel members, one message per recipient so that nobody sees who
else was told.

Notices go through the outbox (`send_notice`), which calls `send` once the change they are about
has been saved. `MAIL_BACKEND` chooses where mail goes: ``smtp`` sends it through `MAIL_SERVER`;
``log`` (the development default) writes it to the app log instead, so that a developer sees it
in the terminal and nobody is e-mailed by mistake. Links in mail come from `external_url`, which
builds them on `PANEL_BASE_URL` because commands run from cron have no request to take the address
from.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import urlsplit

from flask import Config, current_app

# Bodies that are not plain ASCII travel as quoted-printable or base64 rather than as raw 8-bit
# data, which a server that does not announce 8BITMIME may mangle.
_POLICY = policy.default.clone(cte_type="7bit")


@dataclass(frozen=True)
class Email:
    """One e-mail to one person. `to` is a single address, with or without a display name
    (``"Claire Doyle <chair@example.org>"``); `body` is plain text."""

    to: str
    subject: str
    body: str

    def __post_init__(self) -> None:
        try:
            addresses = _POLICY.header_factory("To", self.to).addresses
            single = len(addresses) == 1 and bool(addresses[0].domain)
        except (ValueError, IndexError):  # the parser raises IndexError on some broken addresses
            single = False
        if not single:
            raise ValueError(f"An Email goes to exactly one address, not {self.to!r}")


class MailError(Exception):
    """The mail server could not be reached or refused a message. `sent` says how many of the
    messages it had already accepted, which are not taken back."""

    def __init__(self, message: str, sent: int = 0):
        super().__init__(message)
        self.sent = sent


def send(emails: list[Email]) -> int:
    """Send each e-mail as its own message, over one connection; return how many were sent.

    Raises `MailError` when the server cannot be reached or refuses a message: the rest are then not
    sent, and the caller decides whether that stops what it was doing.
    """
    if not emails:
        return 0
    config = current_app.config
    messages = [_message(email, config["MAIL_FROM"]) for email in emails]
    if config["MAIL_BACKEND"] == "log":
        _write_to_log(emails)
        return len(emails)
    return _send_by_smtp(messages, config)


def send_notice(emails: list[Email], about: str) -> int:
    """Send a notice that goes with a change: it is added to the outbox in the change's own
    transaction and delivered once that commits (`panel.core.outbox`), so a change that is rolled
    back sends nothing and a mail server that is down only delays it. Returns how many messages
    were queued; `about` names what they are about in the log, without personal data."""
    # Imported here: the outbox builds on this module's Email and send.
    from panel.core import outbox

    return len(outbox.add(emails, about))


def external_url(endpoint: str, **values) -> str:
    """The absolute address of `endpoint` under `PANEL_BASE_URL`, as `url_for` would build it.

    Works from a command (an app context is enough) and inside a request alike, and always uses
    `PANEL_BASE_URL` rather than the request's Host header, so a link in mail cannot be pointed at
    another site by whoever made the request.
    """
    base = urlsplit(current_app.config["PANEL_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def _message(email: Email, sender: str) -> EmailMessage:
    message = EmailMessage(policy=_POLICY)
    message["Subject"] = email.subject
    message["From"] = sender
    message["To"] = email.to
    message["Date"] = datetime.now(UTC)
    message["Message-ID"] = make_msgid(domain=message["From"].addresses[0].domain)
    # Tell mail servers and clients that no person sent this, so that out-of-office and other
    # automatic replies are not sent back (RFC 3834; the second header is Microsoft Exchange's).
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(email.body, charset="utf-8")
    return message


def _write_to_log(emails: list[Email]) -> None:
    # A child of the app logger, whose terminal handler it shares. It logs at INFO even when the
    # app logs only warnings, unless logging has been configured for it.
    logger = current_app.logger.getChild("mail")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    for email in emails:
        logger.info(
            "E-mail not sent (MAIL_BACKEND is log)\nTo: %s\nSubject: %s\n\n%s",
            email.to,
            email.subject,
            email.body,
        )


def _send_by_smtp(messages: list[EmailMessage], config: Config) -> int:
    sent = 0
    try:
        with _connection(config) as smtp:
            for message in messages:
                # The envelope names the one recipient, whatever else the headers say.
                smtp.send_message(message, to_addrs=[message["To"].addresses[0].addr_spec])
                sent += 1
    except (smtplib.SMTPException, OSError) as error:
        raise MailError(
            f"Could not send e-mail through {config['MAIL_SERVER']}:{config['MAIL_PORT']} "
            f"(MAIL_SECURITY {config['MAIL_SECURITY']}): {_describe(error)}. "
            f"Sent {sent} of {len(messages)}.",
            sent=sent,
        ) from error
    return sent


@contextmanager
def _connection(config: Config) -> Iterator[smtplib.SMTP]:
    """A connection to the mail server, encrypted and signed in as configured. The server's
    certificate is checked against the system's trusted authorities and `MAIL_SERVER`."""
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    context = ssl.create_default_context()
    if config["MAIL_SECURITY"] == "tls":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if config["MAIL_SECURITY"] == "starttls":
            smtp.starttls(context=context)
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        yield smtp
    finally:
        # Whatever was sent has been accepted already: a failed goodbye changes nothing.
        with suppress(smtplib.SMTPException, OSError):
            smtp.quit()
        smtp.close()


def _describe(error: Exception) -> str:
    """The server's own words where it gave any, for the operator reading the log."""
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        return f"the server answered {error.smtp_code} {text}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(
            f"{address} ({code} {text.decode('utf-8', 'replace')})"
            for address, (code, text) in error.recipients.items()
        )
        return f"the server refused {refused}"
    return str(error) or type(error).__name__

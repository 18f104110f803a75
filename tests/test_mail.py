"""Outgoing e-mail, sent to a real SMTP server on localhost (tests/mailserver.py)."""

from __future__ import annotations

import logging
import shutil
import socket
import ssl
import subprocess
from email.utils import parsedate_to_datetime

import pytest
from aiosmtpd.smtp import AuthResult

from panel.core import mail
from tests.mailserver import SMTPServer, point_app_at, start_smtp_server

MEETING_NOTICE = mail.Email(
    to="Claire Doyle <chair@example.org>",
    subject="Panel meeting on 14 March",
    body="The agenda for the next meeting is ready.\n\nhttps://panel.example.org/meetings/7",
)


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_each_recipient_gets_their_own_message(app, app_context, mail_app_config):
    emails = [
        MEETING_NOTICE,
        mail.Email(to="member@example.org", subject="Also for you", body="Second notice."),
    ]

    assert mail.send(emails) == 2

    first, second = mail_app_config.messages
    assert mail_app_config.messages_to("chair@example.org") == [first]
    assert first.envelope_to == ["chair@example.org"]
    assert first["To"] == "Claire Doyle <chair@example.org>"
    assert second.envelope_to == ["member@example.org"]
    assert second["To"] == "member@example.org"
    assert "member@example.org" not in first.as_string()
    assert "chair@example.org" not in second.as_string()
    assert first["Subject"] == "Panel meeting on 14 March"
    assert first.get_content() == MEETING_NOTICE.body + "\n"
    assert second.get_content() == "Second notice.\n"


def test_messages_carry_sender_date_message_id_and_an_automatic_mark(
    app, app_context, mail_app_config
):
    mail.send([MEETING_NOTICE, MEETING_NOTICE])

    first, second = mail_app_config.messages
    assert first["From"] == app.config["MAIL_FROM"] == "Panel <panel@localhost>"
    assert first.envelope_from == "panel@localhost"
    assert parsedate_to_datetime(first["Date"]).tzinfo is not None
    assert first["Message-ID"].endswith("@localhost>")
    assert first["Message-ID"] != second["Message-ID"]
    assert first["Auto-Submitted"] == "auto-generated"
    assert first.get_content_type() == "text/plain"
    assert first.get_content_charset() == "utf-8"


def test_all_messages_go_over_one_connection(app, app_context, mail_app_config):
    mail.send([MEETING_NOTICE] * 3)

    assert len({message.peer for message in mail_app_config.messages}) == 1
    assert not any(message.tls for message in mail_app_config.messages)  # MAIL_SECURITY none


def test_accents_and_dashes_arrive_intact(app, app_context, mail_app_config):
    email = mail.Email(
        to="Zoë Brontë <zoe@example.org>",
        subject="Réunion — agenda for Zoë",
        body="Café meeting – £5 contribution.\nLine two: “quoted”.",
    )

    mail.send([email])

    [message] = mail_app_config.messages
    assert message["Subject"] == email.subject
    assert message["To"].addresses[0].display_name == "Zoë Brontë"
    assert message.get_content() == email.body + "\n"
    assert message["Content-Transfer-Encoding"] in ("quoted-printable", "base64")


def test_nothing_to_send_does_not_contact_the_server(app, app_context, monkeypatch):
    point_app_at(app, SMTPServer(host="127.0.0.1", port=closed_port()), monkeypatch)

    assert mail.send([]) == 0


def test_the_log_backend_writes_mail_to_the_log_and_sends_nothing(
    app, app_context, smtp_server, monkeypatch, caplog
):
    point_app_at(app, smtp_server, monkeypatch, MAIL_BACKEND="log")

    assert mail.send([MEETING_NOTICE]) == 1

    assert smtp_server.messages == []
    [record] = [record for record in caplog.records if record.name == "panel.mail"]
    assert record.levelno == logging.INFO
    logged = record.getMessage()
    assert "To: Claire Doyle <chair@example.org>" in logged
    assert "Subject: Panel meeting on 14 March" in logged
    assert MEETING_NOTICE.body in logged


def test_an_unreachable_server_is_a_mail_error_an_operator_can_act_on(
    app, app_context, monkeypatch
):
    port = closed_port()
    point_app_at(app, SMTPServer(host="127.0.0.1", port=port), monkeypatch)

    with pytest.raises(mail.MailError) as raised:
        mail.send([MEETING_NOTICE])

    message = str(raised.value)
    assert f"127.0.0.1:{port}" in message
    assert "Connection refused" in message
    assert "Sent 0 of 1" in message
    assert raised.value.sent == 0


class RefusesOneAddress(SMTPServer):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == "gone@example.org":
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_refused_recipient_stops_the_batch_and_says_how_far_it_got(app, app_context, monkeypatch):
    server, controller = start_smtp_server(RefusesOneAddress(host="127.0.0.1", port=0))
    point_app_at(app, server, monkeypatch)
    emails = [
        mail.Email(to=f"{name}@example.org", subject="Notice", body="Hello.")
        for name in ("first", "gone", "third")
    ]
    try:
        with pytest.raises(mail.MailError) as raised:
            mail.send(emails)
    finally:
        controller.stop()

    assert raised.value.sent == 1
    assert "gone@example.org (550 5.1.1 No such mailbox)" in str(raised.value)
    assert [message.envelope_to for message in server.messages] == [["first@example.org"]]


@pytest.mark.parametrize(
    "to", ["chair@example.org, member@example.org", "", "not an address", "chair@"]
)
def test_an_email_goes_to_exactly_one_address(to):
    with pytest.raises(ValueError, match="exactly one address"):
        mail.Email(to=to, subject="Notice", body="Hello.")


def test_a_line_break_in_a_subject_cannot_add_headers(app, app_context, mail_app_config):
    sneaky = mail.Email(to="chair@example.org", subject="Hi\nBcc: leak@example.org", body="x")

    with pytest.raises(ValueError, match="linefeed"):
        mail.send([MEETING_NOTICE, sneaky])

    assert mail_app_config.messages == []


# Encryption and sign-in, against a server with a certificate made for the test. The client trusts
# it only through SSL_CERT_FILE, as an operator would trust a private certificate authority.

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    # openssl is a system package the tests need, installed by .ci/run and listed in README.
    assert shutil.which("openssl"), "install openssl (apt-get install openssl) to run the tests"
    folder = tmp_path_factory.mktemp("tls")
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    subprocess.run(  # noqa: S603, S607 - fixed arguments, openssl from the PATH
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
        + ["-nodes", "-days", "1", "-keyout", key, "-out", cert, "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    return cert, key


def server_context(certificate: tuple[str, str]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def check_password(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = auth_data.login == b"panel" and auth_data.password == PASSWORD.encode()
    # handled=False: aiosmtpd then answers a failure with "535 ... credentials invalid" itself.
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


@pytest.fixture
def starttls_server(certificate):
    """Requires STARTTLS before anything else, then AUTH with the password above."""
    server, controller = start_smtp_server(
        tls_context=server_context(certificate),
        require_starttls=True,
        authenticator=check_password,
        auth_required=True,
    )
    yield server
    controller.stop()


def test_starttls_encrypts_and_signs_in_before_sending(
    app, app_context, starttls_server, certificate, monkeypatch
):
    monkeypatch.setenv("SSL_CERT_FILE", certificate[0])
    point_app_at(
        app,
        starttls_server,
        monkeypatch,
        MAIL_SECURITY="starttls",
        MAIL_USERNAME="panel",
        MAIL_PASSWORD=PASSWORD,
    )

    assert mail.send([MEETING_NOTICE]) == 1

    [message] = starttls_server.messages
    assert message.tls
    assert message.login == "panel"


def test_a_wrong_password_is_a_mail_error(
    app, app_context, starttls_server, certificate, monkeypatch
):
    monkeypatch.setenv("SSL_CERT_FILE", certificate[0])
    point_app_at(
        app,
        starttls_server,
        monkeypatch,
        MAIL_SECURITY="starttls",
        MAIL_USERNAME="panel",
        MAIL_PASSWORD="wrong",
    )

    with pytest.raises(mail.MailError, match="535"):
        mail.send([MEETING_NOTICE])

    assert starttls_server.messages == []


def test_starttls_refuses_a_server_whose_certificate_is_not_trusted(
    app, app_context, starttls_server, monkeypatch
):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    point_app_at(app, starttls_server, monkeypatch, MAIL_SECURITY="starttls")

    with pytest.raises(mail.MailError, match="CERTIFICATE_VERIFY_FAILED"):
        mail.send([MEETING_NOTICE])

    assert starttls_server.messages == []


def test_starttls_never_falls_back_to_sending_in_the_clear(
    app, app_context, smtp_server, monkeypatch
):
    point_app_at(app, smtp_server, monkeypatch, MAIL_SECURITY="starttls")

    with pytest.raises(mail.MailError, match="STARTTLS"):
        mail.send([MEETING_NOTICE])

    assert smtp_server.messages == []


def test_implicit_tls_encrypts_from_the_first_byte(app, app_context, certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", certificate[0])
    server, controller = start_smtp_server(ssl_context=server_context(certificate))
    point_app_at(app, server, monkeypatch, MAIL_SECURITY="tls")
    try:
        assert mail.send([MEETING_NOTICE]) == 1
    finally:
        controller.stop()

    [message] = server.messages
    assert message.tls


# Links in mail.


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("https://panel.example.org", "https://panel.example.org/meetings/7"),
        ("https://example.org/hate-crime", "https://example.org/hate-crime/meetings/7"),
        ("http://127.0.0.1:5000", "http://127.0.0.1:5000/meetings/7"),
    ],
)
def test_links_outside_a_request_use_the_base_url(app, monkeypatch, base_url, expected):
    monkeypatch.setitem(app.config, "PANEL_BASE_URL", base_url)

    with app.app_context():
        assert mail.external_url("meetings.show", meeting_id=7) == expected


def test_links_inside_a_request_ignore_the_requests_host(app, monkeypatch):
    monkeypatch.setitem(app.config, "PANEL_BASE_URL", "https://example.org/hate-crime")

    with app.test_request_context("/", base_url="http://attacker.example/"):
        url = mail.external_url("panels.show", panel_id=3, page=2)

    assert url == "https://example.org/hate-crime/panels/3?page=2"

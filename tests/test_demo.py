"""The demo data: believable, complete, idempotent, and never in production.

The demo data is loaded once for the module (it takes a second or two): the tests read it, each
in a savepoint of the module's transaction rolled back after it.
"""

import secrets
from datetime import timedelta

import pyotp
import pytest

from panel import create_app
from panel.accounts import services as accounts
from panel.accounts.models import Organisation, User
from panel.cases.vocabularies import Strand
from panel.core import encryption
from panel.core.database import utcnow
from panel.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET, load_demo_data
from panel.extensions import db as _db
from panel.panels.models import Membership, Panel, PanelKind, Role
from tests.conftest import sign_in


@pytest.fixture(scope="module")
def demo(module_db):
    """The demo data, loaded once into the module's transaction: its first load."""
    return load_demo_data()


@pytest.fixture
def db(demo, in_module_db):
    """In this module, `db` is the demo data (and `client` runs on it too)."""
    return _db


def test_demo_data_has_every_role_and_panel_kind(db):
    kinds = set(db.session.scalars(db.select(Panel.kind)))
    assert kinds == set(PanelKind)
    roles = set(db.session.scalars(db.select(Membership.role)))
    assert roles == set(Role)
    coventry = db.session.scalar(db.select(Panel).where(Panel.name == "Coventry Hate Crime Panel"))
    partner_orgs = {m.user.organisation_id for m in coventry.memberships}
    assert len(partner_orgs) >= 12
    chair = db.session.scalar(db.select(User).where(User.email == "chair@panel.example"))
    assert chair.job_title == "District Crown Prosecutor"


def test_demo_data_can_run_twice(db, demo):
    assert set(demo.values()) != {0}  # the module's load was the first: it added everything
    counts = [
        db.session.scalar(db.select(db.func.count()).select_from(m))
        for m in (Organisation, User, Panel, Membership)
    ]
    again = load_demo_data()
    assert set(again.values()) == {0}
    assert counts == [
        db.session.scalar(db.select(db.func.count()).select_from(m))
        for m in (Organisation, User, Panel, Membership)
    ]


def test_demo_panels_have_past_and_upcoming_meetings_with_attendance(app, db):
    from panel.core.database import utcnow
    from panel.meetings import matters as matters_arising
    from panel.meetings.attendance import services as attendance
    from panel.meetings.models import Meeting, MeetingStatus

    coventry = db.session.scalar(db.select(Panel).where(Panel.name == "Coventry Hate Crime Panel"))
    meetings = db.session.scalars(
        db.select(Meeting).where(Meeting.panel_id == coventry.id).order_by(Meeting.starts_at)
    ).all()
    now = utcnow()
    held = [m for m in meetings if m.status == MeetingStatus.HELD]
    upcoming = [m for m in meetings if m.starts_at > now]
    assert held and upcoming
    assert all(attendance.quorum_met(m) for m in held)
    with app.test_request_context():
        assert matters_arising.matters_arising(upcoming[0]).items  # open actions come back


def test_demo_accounts_sign_in_in_development(db):
    for email, *_ in DEMO_ACCOUNTS:
        assert accounts.authenticate(email, DEMO_PASSWORD, production=False) is not None


def test_demo_passwords_never_work_in_production(db):
    for email, *_ in DEMO_ACCOUNTS:
        assert accounts.authenticate(email, DEMO_PASSWORD, production=True) is None


def test_demo_data_command_refuses_production(monkeypatch, tmp_path):
    monkeypatch.setenv("PANEL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", secrets.token_hex(32))
    monkeypatch.setenv("PANEL_BASE_URL", "https://panel.example.org")
    monkeypatch.setenv("DATA_ENCRYPTION_KEY", encryption.generate_key())
    monkeypatch.setenv("AUDIT_CHAIN_KEY", secrets.token_hex(32))
    monkeypatch.setenv("PANEL_INSTANCE_PATH", str(tmp_path))
    app = create_app()
    # Its own context: the module's (the test app's) is pushed, and a command runs in the
    # current app.
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code != 0
    assert "never loaded in production" in result.output


def test_a_demo_session_ends_when_the_app_runs_in_production(app, client, db):
    sign_in(client, accounts.find_user_by_email("chair@panel.example"), DEMO_PASSWORD)
    assert client.get("/").status_code == 200
    app.config["PRODUCTION"] = True
    try:
        assert client.get("/").status_code == 302
    finally:
        app.config["PRODUCTION"] = False


def test_every_demo_account_shares_the_published_authenticator_key(app, db):
    """Readers included: everyone signs in with a second factor."""
    for email, *_ in DEMO_ACCOUNTS:
        user = accounts.find_user_by_email(email)
        assert user.has_authenticator_app, email
        assert user.totp_secret == DEMO_TOTP_SECRET


def test_demo_code_prints_the_current_code_and_refuses_in_production(app, db, monkeypatch):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo-code"])
    assert result.exit_code == 0
    assert result.output.strip() in {
        pyotp.TOTP(DEMO_TOTP_SECRET).at(utcnow() + timedelta(seconds=offset)) for offset in (-30, 0)
    }
    monkeypatch.setitem(app.config, "PRODUCTION", True)
    refused = runner.invoke(args=["demo-code"])
    assert refused.exit_code == 1
    assert "Demo accounts cannot sign in in production" in refused.output


def test_demo_data_has_a_pool_and_a_past_draw_that_repeats(db):
    from panel.cases.pool import services as pool_services
    from panel.cases.pool.models import PoolCase, PoolDraw

    assert db.session.scalar(db.select(db.func.count()).select_from(PoolCase)) == 200
    draw = db.session.scalars(db.select(PoolDraw)).one()
    assert draw.meeting is not None and len(draw.cases) == 2
    assert {strand for case in draw.cases for strand in case.strands} >= {
        Strand.RELIGION,
        Strand.DISABILITY,
    }
    assert pool_services.rerun_draw(draw).matches


def test_the_scrutiny_panels_published_minutes_carry_published_key_messages(app, client, db):
    from panel.minutes.key_messages.models import KeyMessagesPublication

    publication = db.session.scalar(db.select(KeyMessagesPublication))
    assert publication is not None and not publication.superseded
    assert publication.panel.kind == PanelKind.SCRUTINY_PANEL
    assert len(publication.content["messages"]) == 3
    assert {m["audience"] for m in publication.content["messages"]} == {
        "community",
        "agency",
        "both",
    }
    assert publication.pdf.startswith(b"%PDF")
    reader = db.session.scalar(db.select(User).where(User.email == "reader@panel.example"))
    sign_in(client, reader, DEMO_PASSWORD)
    archive = client.get(f"/panels/{publication.panel_id}/key-messages")
    assert archive.status_code == 200
    assert "Victim Personal Statement" in archive.get_data(as_text=True)

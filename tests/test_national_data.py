"""The national dataset (`flask demo-data --national`): counts that follow the fraction, the same
rows from the same seed, the demo accounts on the busiest panels, an audit trail that verifies,
lessons the search finds, retention already applied, and never in production.

The dataset is loaded once for the module at a thousandth of national scale, after the demo
data (a few seconds): the tests read it, each in a savepoint of the module's transaction. The
first test generates without writing, before the module's transaction exists.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date

import pytest
import sqlalchemy as sa

from panel import create_app
from panel.accounts import services as accounts
from panel.core import encryption
from panel.core.audit import AuditEvent, verify_chain
from panel.core.retention import due_on
from panel.core.time import uk_today
from panel.demo import COVENTRY, DEMO_PASSWORD, ISP, load_demo_data
from panel.extensions import db as _db
from panel.lessons.models import Lesson
from panel.lessons.queries import matches
from panel.meetings.models import Meeting
from panel.minutes.document import Document
from panel.minutes.models import MinutesVersion
from panel.national_data import (
    COLUMNS,
    NATIONAL,
    PLACEHOLDER_PDF,
    AlreadyLoaded,
    NationalData,
    Sink,
    load_national_data,
)
from panel.panels.models import Membership, Panel, Role
from tests.conftest import sign_in

FRACTION = 0.001
SEED = 7


# --- Before the module's data: generating without writing ------------------------------------


class Recorder:
    """Keeps what would be written, for comparing two runs."""

    def __init__(self, connection):
        self.connection = connection
        self.rows: dict[str, list[tuple]] = {table: [] for table in COLUMNS}

    def write(self, table: str, rows: list[tuple]) -> None:
        self.rows[table].extend(rows)


def _generated(seed: int, day: date) -> dict[str, str]:
    """A digest of each table's rows as generated. The password hash and the encrypted
    authenticator key are left out: each is salted afresh, so no two runs share them."""
    recorder = Recorder(_db.session.connection())
    generator = NationalData(Sink(recorder), FRACTION, seed, day)
    generator.read_existing()
    generator.run()
    salted = {COLUMNS["user_account"].index(c) for c in ("password_hash", "totp_secret")}
    digests = {}
    for table, rows in recorder.rows.items():
        if table == "user_account":
            rows = [tuple(v for i, v in enumerate(row) if i not in salted) for row in rows]
        digests[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def test_the_same_seed_fraction_and_day_give_the_same_rows(db):
    day = date(2026, 3, 2)
    first = _generated(SEED, day)
    assert _generated(SEED, day) == first
    other = _generated(SEED + 1, day)
    assert other["lesson"] != first["lesson"]
    assert other["audit_event"] != first["audit_event"]


# --- The module's data -------------------------------------------------------------------------


def _counts() -> dict[str, int]:
    return {
        table: _db.session.scalar(sa.select(sa.func.count()).select_from(sa.table(table)))
        for table in COLUMNS
    }


@pytest.fixture(scope="module")
def national(module_db):
    """The national data at a thousandth of its scale, after the demo data; with how many rows
    each table held before it."""
    load_demo_data()
    before = _counts()
    report = load_national_data(FRACTION, SEED)
    return report, before


@pytest.fixture
def loaded(national, in_module_db):
    return national


def test_counts_follow_the_fraction(loaded):
    report, before = loaded
    rows = report.rows
    scale = NATIONAL.at(FRACTION)
    assert _counts() == {table: before[table] + rows[table] for table in COLUMNS}
    assert rows["user_account"] == scale.users
    assert scale.meetings * 0.95 <= rows["meeting"] <= scale.meetings
    for table, asked in [
        ("case_review", scale.case_reviews),
        ("live_case", scale.live_cases),
        ("lesson", scale.lessons),
        ("recommendation", scale.recommendations),
        ("intervention", scale.interventions),
    ]:
        assert asked * 0.9 <= rows[table] <= asked * 1.1, table
    updates = rows["intervention"] + rows["intervention_update"]
    assert 0.8 <= updates / (scale.interventions + scale.intervention_updates) <= 1.2
    assert scale.audit_events <= rows["audit_event"] <= scale.audit_events * 1.2


def test_the_busiest_panels_are_the_demo_panels_where_the_demo_accounts_sit(loaded):
    meetings = _db.session.execute(
        sa.select(Panel.name, sa.func.count(Meeting.id))
        .join(Meeting, Meeting.panel_id == Panel.id)
        .group_by(Panel.name)
        .order_by(sa.func.count(Meeting.id).desc())
        .limit(2)
    ).all()
    assert {name for name, _ in meetings} == {ISP, COVENTRY}
    lessons = _db.session.execute(
        sa.select(Lesson.panel_id, sa.func.count()).group_by(Lesson.panel_id)
    ).all()
    busiest = max(lessons, key=lambda row: row[1])[0]
    assert _db.session.get(Panel, busiest).name == ISP

    def role(email: str, panel: str) -> Role | None:
        return _db.session.scalar(
            sa.select(Membership.role)
            .join(Membership.panel)
            .where(Panel.name == panel, Membership.user_id == accounts.find_user_by_email(email).id)
        )

    assert role("chair@panel.example", ISP) == Role.CHAIR
    for panel in (ISP, COVENTRY):
        assert role("coordinator@panel.example", panel) == Role.COORDINATOR
        assert role("member@panel.example", panel) == Role.MEMBER
        assert role("reader@panel.example", panel) == Role.READER
    assert accounts.find_user_by_email("admin@panel.example").is_admin


def test_the_demo_coordinator_signs_in_and_lands_on_the_busiest_panels(app, loaded):
    client = app.test_client()
    sign_in(client, accounts.find_user_by_email("coordinator@panel.example"), DEMO_PASSWORD)
    home = client.get("/")
    assert home.status_code == 200
    assert ISP in home.get_data(as_text=True)
    panel = _db.session.scalar(sa.select(Panel).where(Panel.name == ISP))
    assert client.get(f"/panels/{panel.id}").status_code == 200


def test_the_audit_trail_verifies(loaded):
    report = verify_chain()
    assert report.intact, report.problem
    assert report.checked == _db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))


def test_the_lessons_search_finds_loaded_lessons(loaded):
    report, before = loaded
    found = _db.session.scalars(sa.select(Lesson.id).where(matches("interpreter"))).all()
    assert found
    assert max(found) > before["lesson"]  # not only the demo data's


def test_minutes_of_the_history_open_as_frozen_with_a_placeholder_pdf(loaded):
    version = _db.session.scalar(
        sa.select(MinutesVersion)
        .where(MinutesVersion.published_pdf == PLACEHOLDER_PDF)
        .order_by(MinutesVersion.id)
        .limit(1)
    )
    assert version is not None
    assert Document.from_json(version.content).to_json() == version.content
    assert version.published_sha256 is None and version.full_pdf is None


def test_retention_has_run_on_every_day_of_the_history(loaded):
    assert due_on(uk_today()) == []


def test_the_national_data_is_loaded_once(loaded):
    with pytest.raises(AlreadyLoaded):
        load_national_data(FRACTION, SEED)


# --- The command -------------------------------------------------------------------------------


def test_fraction_and_seed_go_with_national(app):
    result = app.test_cli_runner().invoke(args=["demo-data", "--fraction", "0.5"])
    assert result.exit_code == 2
    assert "--fraction and --seed go with --national" in result.output


def test_the_fraction_is_above_nothing_and_at_most_one(app):
    for fraction in ("0", "1.5"):
        result = app.test_cli_runner().invoke(
            args=["demo-data", "--national", "--fraction", fraction]
        )
        assert result.exit_code == 2


def test_national_data_is_refused_in_production(monkeypatch, tmp_path):
    monkeypatch.setenv("PANEL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", secrets.token_hex(32))
    monkeypatch.setenv("PANEL_BASE_URL", "https://panel.example.org")
    monkeypatch.setenv("DATA_ENCRYPTION_KEY", encryption.generate_key())
    monkeypatch.setenv("AUDIT_CHAIN_KEY", secrets.token_hex(32))
    monkeypatch.setenv("PANEL_INSTANCE_PATH", str(tmp_path))
    app = create_app()
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo-data", "--national"])
    assert result.exit_code != 0
    assert "never loaded in production" in result.output

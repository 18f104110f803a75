"""No lost updates: two people saving the same intervention at once never silently overwrite
each other. The second save is refused with a clear message, their text is kept, and the database
holds exactly the first change.

The race needs real commits from two sessions, which the rolled-back `db` fixture cannot give, and
the audit trail it writes is append-only (triggers refuse deletes). So it runs in a database of its
own: a SQLite file, or a PostgreSQL schema that is dropped afterwards.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from panel import create_app
from panel.accounts.models import User
from panel.cases.agreement import services as agreement
from panel.core import unit_of_work
from panel.core.audit import AuditAction, AuditEvent
from panel.core.time import uk_today
from panel.extensions import db
from panel.interventions import queries, services
from panel.interventions.lifecycle import InterventionRefused
from panel.interventions.models import Intervention, InterventionUpdate
from panel.interventions.vocabularies import InterventionStatus
from panel.panels.models import PanelKind, Role
from tests import databases, factories
from tests.conftest import sign_in
from tests.interventions.conftest import agreed, live_case

S = InterventionStatus
SCHEMA = "interventions_race"
STALE = "Someone else saved a change to this intervention while you were working on it."


@pytest.fixture(scope="module")
def race_app(tmp_path_factory):
    """The app on a database of its own, built through the migrations like the shared one."""
    url = databases.test_database_url(tmp_path_factory.mktemp("race"), SCHEMA)
    databases.reset_schema(url)
    application = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-for-tests",
        }
    )
    databases.build(application)
    yield application
    with application.app_context():
        db.engine.dispose()
    databases.drop_schema(url)


@dataclass(frozen=True)
class Race:
    partner_id: int
    organiser_id: int
    intervention_id: int


def _build() -> Race:
    """A local panel, a housing partner and its coordinator, and one intervention at version 1,
    committed for real."""
    panel = factories.panel(kind=PanelKind.LOCAL_HATE_CRIME_PANEL)
    housing = factories.organisation()
    partner = factories.user(full_name="Grace Mensah", organisation_=housing)
    organiser = factories.user(full_name="Imran Sadiq")
    factories.membership(panel, partner, Role.MEMBER)
    factories.membership(panel, organiser, Role.COORDINATOR)
    for person in (partner, organiser):
        agreement.accept(person, panel)
    case = live_case(organiser, panel)
    made = agreed(organiser, panel, housing, due=uk_today() + timedelta(days=14), live_case=case)
    race = Race(partner.id, organiser.id, made.id)
    unit_of_work.commit()
    # Reading the ids began a transaction; end it, so that it holds no lock in the race.
    db.session.remove()
    return race


@contextlib.contextmanager
def acting_in(session: Session):
    """Run services in `session`, as if it were the request's session."""
    original = db.session
    db.session = session
    try:
        yield
    finally:
        db.session = original


def _as_the_view_loads_it(intervention_id: int) -> Intervention:
    return queries.intervention_page(db.session.get(Intervention, intervention_id))


def test_the_second_of_two_concurrent_saves_is_refused_and_nothing_is_lost(race_app):
    with race_app.app_context():
        race = _build()
        postgres = db.engine.dialect.name == "postgresql"
        session_a = Session(db.engine, expire_on_commit=False)
        session_b = Session(db.engine, expire_on_commit=False)
        try:
            # Each loads the intervention as the update view does, with its page.
            with acting_in(session_a):
                partner = session_a.get(User, race.partner_id)
                seen_by_a = _as_the_view_loads_it(race.intervention_id)
            with acting_in(session_b):
                organiser = session_b.get(User, race.organiser_id)
                seen_by_b = _as_the_view_loads_it(race.intervention_id)
            assert seen_by_a.version == seen_by_b.version == 1
            if not postgres:
                # SQLite locks the whole file: B's read ends before A writes. PostgreSQL keeps
                # both transactions open, B's read from before A's commit.
                session_b.commit()
            with acting_in(session_a):
                services.update_intervention(
                    partner, seen_by_a, status=S.IN_PROGRESS, text="Letter sent.", version=1
                )
                session_a.commit()  # A's request ends: its unit of work commits
            with acting_in(session_b), pytest.raises(InterventionRefused, match=STALE):
                services.update_intervention(
                    organiser, seen_by_b, status=S.CANCELLED, text="No longer needed.", version=1
                )
        finally:
            session_a.close()
            session_b.close()

        with Session(db.engine) as check:
            stored = check.get(Intervention, race.intervention_id)
            assert (stored.status, stored.version, stored.status_reason) == (
                S.IN_PROGRESS,
                2,
                None,
            )
            log = check.scalars(
                sa.select(InterventionUpdate)
                .where(InterventionUpdate.intervention_id == race.intervention_id)
                .order_by(InterventionUpdate.id)
            ).all()
            assert [(u.status, u.text, u.author_id) for u in log] == [
                (S.AGREED, None, race.organiser_id),
                (S.IN_PROGRESS, "Letter sent.", race.partner_id),
            ]
            audited = check.scalars(
                sa.select(AuditEvent.actor_id).where(
                    AuditEvent.object_type == "intervention",
                    AuditEvent.object_id == race.intervention_id,
                    AuditEvent.action == AuditAction.UPDATE,
                )
            ).all()
            assert audited == [race.partner_id]


def test_an_organiser_saving_over_a_partners_update_is_told_and_keeps_their_text(
    app, client, partners
):
    made = agreed(
        partners.people.coordinator,
        partners.panel,
        partners.housing,
        due=uk_today() + timedelta(days=14),
        live_case=partners.live_case,
    )
    page = f"/interventions/{made.id}"
    organiser = app.test_client()
    sign_in(client, partners.people.member)
    sign_in(organiser, partners.people.coordinator)
    # Both open the page at version 1.
    for each in (client, organiser):
        assert 'name="version" type="hidden" value="1"' in each.get(page).get_data(as_text=True)
    saved = client.post(
        f"{page}/update",
        data={"status": "in_progress", "text": "Letter sent.", "version": "1"},
    )
    assert saved.status_code == 302
    text = "Chased at the panel: the victim has not heard from anyone."
    refused = organiser.post(
        f"{page}/update", data={"status": "unchanged", "text": text, "version": "1"}
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert html.count(STALE) == 2  # in the error summary and beside the update
    assert f">{text}</textarea>" in html
    # The page now shows what the partner saved, and is drawn from version 2.
    assert "Letter sent." in html
    assert 'name="version" type="hidden" value="2"' in html
    db.session.expire_all()
    assert [(u.status, u.text) for u in db.session.get(Intervention, made.id).updates] == [
        (S.AGREED, None),
        (S.IN_PROGRESS, "Letter sent."),
    ]
    # Having seen it, the organiser saves on top of it.
    again = organiser.post(
        f"{page}/update", data={"status": "unchanged", "text": text, "version": "2"}
    )
    assert again.status_code == 302

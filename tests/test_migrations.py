"""The schema is built by migrations only, and the models agree with them."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from panel.core import unit_of_work
from panel.extensions import db as _db
from panel.models import include_object


def test_models_and_migrations_agree(app):
    """Fails when a model changes without a migration (`flask db migrate` writes one)."""
    with app.app_context(), _db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object}
        )
        diff = compare_metadata(context, _db.metadata)
    assert diff == [], f"models differ from the migrations: {diff}"


def test_migrations_run_down_and_up_again(tmp_path):
    from flask_migrate import downgrade, upgrade

    from panel import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'roundtrip.sqlite'}"})
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
        tables = set(_db.inspect(_db.engine).get_table_names())
    assert {"organisation", "user_account", "panel", "membership", "audit_event"} <= tables


def test_case_reviews_closed_before_closing_was_dated_are_dated_from_the_audit_trail(tmp_path):
    from flask_migrate import downgrade, upgrade

    from panel import create_app
    from panel.cases import services as case_services
    from panel.cases.models import CaseReview
    from panel.cases.vocabularies import Rating, Stage
    from panel.core.audit import AuditEvent
    from panel.panels.models import PanelKind, Role
    from tests import factories
    from tests.cases import factories as case_factories

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'closed.sqlite'}"})
    with app.test_request_context():
        upgrade()
        panel = factories.panel("Scrutiny Panel", PanelKind.SCRUTINY_PANEL)
        coordinator = factories.user()
        factories.membership(panel, coordinator, Role.COORDINATOR)
        review = case_factories.case_review(coordinator, panel)
        findings = {stage: case_services.FindingDetails(Rating.SATISFACTORY) for stage in Stage}
        case_services.record_stage_findings(coordinator, review, findings, "A fair outcome.")
        case_services.close_case_review(coordinator, review)
        closing = _db.session.scalars(
            _db.select(AuditEvent.occurred_at).order_by(AuditEvent.sequence.desc()).limit(1)
        ).one()
        review_id = review.id
        unit_of_work.commit()  # the end of this unit: the services only flushed
        _db.session.remove()  # SQLite: the migrations write on a connection of their own

        downgrade(revision="0011")  # before case reviews had a closing date
        upgrade()
        assert _db.session.get(CaseReview, review_id).closed_at == closing
        _db.session.remove()


def test_minutes_started_before_drafters_were_kept_are_drafted_by_the_last_to_write_notes(
    tmp_path,
):
    from flask_migrate import downgrade, upgrade

    from panel import create_app
    from panel.meetings.models import MeetingStatus
    from panel.minutes import services as minutes_services
    from panel.minutes.models import Minutes
    from panel.panels.models import Panel, PanelKind, Role
    from tests import factories
    from tests.meetings.factories import meeting_with_agenda

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'drafted.sqlite'}"})
    with app.test_request_context():
        upgrade()
        panel = factories.panel("Scrutiny Panel", PanelKind.SCRUTINY_PANEL)
        chair, coordinator = factories.user(), factories.user()
        factories.membership(panel, chair, Role.CHAIR)
        factories.membership(panel, coordinator, Role.COORDINATOR)
        meeting = meeting_with_agenda(coordinator, panel, status=MeetingStatus.HELD)
        written = minutes_services.start(coordinator, meeting)
        untouched = minutes_services.start(
            coordinator, meeting_with_agenda(coordinator, panel, status=MeetingStatus.HELD)
        )
        item = meeting.agenda_items[0]
        minutes_services.save_notes(
            chair,
            written,
            {item.id: minutes_services.ItemNotes(None, "The chair welcomed members.")},
            minutes_services.ItemNotes(None, None),
            written.edit_version,
        )
        ids = {"written": written.id, "untouched": untouched.id}
        expected = {"written": chair.id, "untouched": coordinator.id}
        panel_id = panel.id
        unit_of_work.commit()  # the end of this unit: the services only flushed
        _db.session.remove()  # SQLite: the migrations write on a connection of their own

        downgrade(revision="0014")  # before drafters were kept
        upgrade()
        drafter = {
            name: _db.session.get(Minutes, minutes_id).drafted_by_id
            for name, minutes_id in ids.items()
        }
        assert drafter == expected
        assert not _db.session.get(Panel, panel_id).minutes_approver_not_drafter
        _db.session.remove()


def test_case_openings_already_in_the_audit_trail_become_one_row_per_person_per_uk_day(tmp_path):
    from datetime import UTC, date, datetime

    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from panel import create_app
    from panel.cases.models import CaseView
    from panel.core.audit import AuditAction, record
    from panel.panels.models import PanelKind, Role
    from tests import factories
    from tests.cases import factories as case_factories

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'views.sqlite'}"})
    with app.test_request_context():
        upgrade()
        panel = factories.panel("Scrutiny Panel", PanelKind.SCRUTINY_PANEL)
        coordinator, member = factories.user(), factories.user()
        factories.membership(panel, coordinator, Role.COORDINATOR)
        review = case_factories.case_review(coordinator, panel)
        # 23:30 UTC on 30 June is 00:30 on 1 July in the UK: the same UK day as 8am on 1 July.
        for person, at in [
            (member, datetime(2026, 6, 30, 22, 30, tzinfo=UTC)),
            (member, datetime(2026, 6, 30, 23, 30, tzinfo=UTC)),
            (member, datetime(2026, 7, 1, 7, 0, tzinfo=UTC)),
            (coordinator, datetime(2026, 7, 1, 9, 0, tzinfo=UTC)),
        ]:
            record(person, AuditAction.VIEW, review).occurred_at = at
        record(member, AuditAction.UPDATE, review)  # not an opening
        expected = [
            (member.id, date(2026, 6, 30), 1, datetime(2026, 6, 30, 22, 30, tzinfo=UTC)),
            (member.id, date(2026, 7, 1), 2, datetime(2026, 6, 30, 23, 30, tzinfo=UTC)),
            (coordinator.id, date(2026, 7, 1), 1, datetime(2026, 7, 1, 9, 0, tzinfo=UTC)),
        ]
        review_id = review.id
        unit_of_work.commit()  # the end of this unit: the services only flushed
        _db.session.remove()  # SQLite: the migrations write on a connection of their own

        downgrade(revision="0018")  # before the viewing record
        upgrade()
        rows = _db.session.execute(
            sa.select(CaseView.user_id, CaseView.day, CaseView.count, CaseView.first_at)
            .where(CaseView.object_type == "case_review", CaseView.object_id == review_id)
            .order_by(CaseView.first_at)
        ).all()
        assert rows == expected
        _db.session.remove()


def test_live_cases_keep_everything_under_either_name_and_the_audit_trail_is_untouched(tmp_path):
    """0021 renames the live case tables and the stored kind of object "panel_case" (viewing
    record, guard overrides); down and up again, a case keeps its lists and interventions, and
    the audit trail, which is append-only, keeps every event as written. On the test database
    (PostgreSQL when TEST_DATABASE_URL is set), in a schema of its own."""
    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from panel import create_app
    from panel.cases.models import CaseView
    from panel.core.audit import verify_chain
    from panel.core.guard import GuardOutcome
    from panel.interventions import services
    from panel.interventions.models import LiveCase
    from panel.panels.models import GuardOverride, PanelKind, Role
    from panel.panels.services import record_override
    from tests import databases, factories
    from tests.interventions.conftest import case_details, intervention

    url = databases.test_database_url(tmp_path, schema="live_case_names")
    databases.reset_schema(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})

    def stored(table: str, *columns: str) -> list[tuple]:
        """The rows of `table` as the schema has it now, without the models."""
        with _db.engine.connect() as connection:
            columns_ = [sa.column(name) for name in columns]
            select = sa.select(*columns_).select_from(sa.table(table, *columns_))
            return sorted(connection.execute(select).tuples())

    def typed() -> list[tuple]:
        return stored("case_view", "object_type") + stored("guard_override", "object_type")

    with app.test_request_context():
        upgrade()
        panel = factories.panel("Coventry Hate Crime Panel", PanelKind.LOCAL_HATE_CRIME_PANEL)
        coordinator = factories.user()
        factories.membership(panel, coordinator, Role.COORDINATOR)
        case = services.refer_case(coordinator, panel, case_details())
        made = intervention(coordinator, case, coordinator.organisation)
        services.record_view(coordinator, case)
        record_override(coordinator, case, GuardOutcome(True, "Public", {"summary": ["NAME"]}), "")
        unit_of_work.commit()
        case_id, intervention_id = case.id, made.id
        trail = stored("audit_event", "sequence", "object_type", "hash")
        assert {"live_case", "intervention"} <= {object_type for _, object_type, _ in trail}
        _db.session.remove()  # SQLite: the migrations write on a connection of their own

        downgrade(revision="0020")
        assert typed() == [("panel_case",), ("panel_case",)]
        assert stored("panel_case", "id") == [(case_id,)]
        assert len(stored("panel_case_need", "panel_case_id", "need")) == 2
        assert stored("panel_case_strand", "panel_case_id") == [(case_id,)]
        assert stored("intervention", "id", "panel_case_id") == [(intervention_id, case_id)]
        assert stored("audit_event", "sequence", "object_type", "hash") == trail

        upgrade()
        assert typed() == [("live_case",), ("live_case",)]
        case = _db.session.get(LiveCase, case_id)
        assert (len(case.needs), len(case.strands)) == (2, 1)
        assert [agreed.id for agreed in case.interventions] == [intervention_id]
        assert _db.session.scalars(sa.select(GuardOverride.object_id)).all() == [case_id]
        assert _db.session.scalars(sa.select(CaseView.object_id)).all() == [case_id]
        assert stored("audit_event", "sequence", "object_type", "hash") == trail
        assert verify_chain().intact
        _db.session.remove()


def test_events_recorded_before_the_chain_was_keyed_keep_their_plain_links_and_are_covered(
    tmp_path,
):
    """0027 keys the chain from the next event on, leaving the events already recorded as they
    were written; the first keyed link covers them, so changing one and recomputing the plain
    links (which needs no key) still breaks the chain. Down and up again, the boundary is found
    where it was. On the test database (PostgreSQL when TEST_DATABASE_URL is set)."""
    from datetime import UTC, datetime, timedelta

    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from panel import create_app
    from panel.core.audit import (
        CHAINED,
        AuditAction,
        AuditChainHead,
        AuditEvent,
        plain_chain_hash,
        record,
        verify_chain,
    )
    from tests import databases, factories

    url = databases.test_database_url(tmp_path, schema="keyed_audit_chain")
    databases.reset_schema(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    events = AuditEvent.__table__

    def plain_trail(labels: list[str]) -> None:
        """Events as the code before 0027 chained them, from the first."""
        previous = None
        start = datetime(2026, 11, 1, 9, tzinfo=UTC)
        for sequence, label in enumerate(labels, start=1):
            values = dict(
                previous_hash=previous,
                sequence=sequence,
                occurred_at=start + timedelta(minutes=sequence),
                actor_id=None,
                actor_email="chair@example.org",
                action=AuditAction.SIGN_IN,
                object_type=None,
                object_id=None,
                object_label=label,
                changes=None,
                remote_addr=None,
            )
            previous = plain_chain_hash(*(values[name] for name in CHAINED))
            _db.session.execute(sa.insert(events).values(**values, hash=previous))
        _db.session.execute(
            sa.text("UPDATE audit_chain_head SET last_sequence = :n, last_hash = :h WHERE id = 1"),
            {"n": len(labels), "h": previous},
        )

    with app.test_request_context():
        upgrade(revision="0026")
        plain_trail(["first", "second", "third"])
        unit_of_work.commit()
        _db.session.remove()  # SQLite: the migrations write on a connection of their own

        upgrade()
        assert _db.session.get(AuditChainHead, 1).keyed_from == 4
        admin = factories.user(email="admin@example.org", is_admin=True)
        record(admin, AuditAction.CREATE, admin)
        unit_of_work.commit()
        assert verify_chain().intact
        assert verify_chain().checked == 4
        _db.session.remove()

        downgrade(revision="0026")
        upgrade()
        assert _db.session.get(AuditChainHead, 1).keyed_from == 4
        assert verify_chain().intact
        _db.session.remove()

        # An intruder changes a plain event and recomputes the plain links up to the keyed one.
        connection = _db.session.connection()
        if connection.dialect.name == "postgresql":
            connection.execute(
                sa.text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
            )
        else:
            connection.execute(sa.text("DROP TRIGGER audit_event_no_update"))
        connection.execute(
            events.update().where(events.c.sequence == 2).values(object_label="forged")
        )
        previous = connection.execute(
            sa.select(events.c.hash).where(events.c.sequence == 1)
        ).scalar()
        for sequence in (2, 3):
            row = connection.execute(sa.select(events).where(events.c.sequence == sequence)).one()
            values = [previous] + [getattr(row, name) for name in CHAINED[1:]]
            previous = plain_chain_hash(*values)
            connection.execute(
                events.update()
                .where(events.c.sequence == sequence)
                .values(previous_hash=values[0], hash=previous)
            )
        assert verify_chain().problem == "event 4 does not follow event 3"
        _db.session.rollback()
        _db.session.remove()

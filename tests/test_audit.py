"""The audit trail records who changed what, and cannot be rewritten."""

import pytest
import sqlalchemy as sa

from panel.accounts import services as accounts
from panel.core.audit import AuditAction, AuditEvent, apply_changes, record
from panel.panels import services as panels
from panel.panels.models import PanelKind, Role
from tests import factories


def _events(db, action):
    return db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def test_a_change_records_only_the_changed_fields(db, people):
    org = factories.organisation("Coventry Interfaith Forum")
    accounts.update_organisation(
        people.admin, org, name="Coventry Inter-faith Forum", kind=org.kind
    )
    event = _events(db, AuditAction.UPDATE)[-1]
    assert event.actor_id == people.admin.id
    assert event.object_type == "organisation" and event.object_id == org.id
    assert event.changes == {"name": ["Coventry Interfaith Forum", "Coventry Inter-faith Forum"]}


def test_a_change_that_changes_nothing_is_not_recorded(db, people):
    org = factories.organisation("Tell MAMA")
    before = len(_events(db, AuditAction.UPDATE))
    accounts.update_organisation(people.admin, org, name="Tell MAMA")
    assert len(_events(db, AuditAction.UPDATE)) == before


def test_password_values_never_reach_the_trail(db, people):
    accounts.update_user(people.admin, people.member, password="a new long password here")
    event = _events(db, AuditAction.UPDATE)[-1]
    assert event.changes["password_hash"] == ["(hidden)", "(changed)"]
    assert "argon2" not in str(event.changes)


def test_creating_a_panel_and_a_membership_is_recorded(db, people):
    panel = panels.create_panel(
        people.admin,
        name="Dudley Independent Advisory Group",
        kind=PanelKind.INDEPENDENT_ADVISORY_GROUP,
        area="Dudley",
    )
    panels.add_member(people.admin, panel, people.reader, Role.READER)
    created = _events(db, AuditAction.CREATE)
    assert [e.object_type for e in created[-2:]] == ["panel", "membership"]
    assert created[-1].changes["role"] == "reader"


def test_the_orm_refuses_to_change_an_event(db, people):
    event = record(people.admin, AuditAction.EXPORT, people.panel)
    db.session.commit()
    event.action = AuditAction.DOWNLOAD
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_event SET actor_email = 'x'", "DELETE FROM audit_event"]
)
def test_the_database_refuses_to_rewrite_the_trail(db, people, statement):
    record(people.admin, AuditAction.EXPORT, people.panel)
    db.session.commit()
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.session.begin_nested():
        db.session.execute(sa.text(statement))


def test_apply_changes_knows_old_values_of_an_object_loaded_before_a_commit(db):
    org = factories.organisation("Coventry City Council")  # committed: attributes expired
    changes = apply_changes(org, {"name": "Coventry City Council (Housing)", "kind": org.kind})
    assert changes == {"name": ["Coventry City Council", "Coventry City Council (Housing)"]}

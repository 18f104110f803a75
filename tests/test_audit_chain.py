"""The audit trail is tamper-evident: a hash chain that `flask audit-verify` checks."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from panel.core.audit import (
    AuditAction,
    AuditChainHead,
    AuditEvent,
    audit_verify_command,
    record,
    verify_chain,
)
from panel.extensions import db


def _record_three(people) -> list[AuditEvent]:
    events = [
        record(people.admin, AuditAction.UPDATE, people.panel, changes={"quorum": [3, n]})
        for n in (4, 5, 6)
    ]
    db.session.commit()
    return events


def _without_append_only_triggers():
    """What an intruder with database access would do first; inside the test's transaction, so
    it is undone afterwards."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            sa.text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
        )
    else:
        db.session.execute(sa.text("DROP TRIGGER audit_event_no_update"))
        db.session.execute(sa.text("DROP TRIGGER audit_event_no_delete"))


def test_each_event_is_linked_to_the_one_before(people):
    events = _record_three(people)
    assert [e.sequence for e in events] == [events[0].sequence + i for i in range(3)]
    assert events[1].previous_hash == events[0].hash
    assert events[2].previous_hash == events[1].hash
    assert all(len(e.hash) == 64 for e in events)
    head = db.session.get(AuditChainHead, 1)
    assert (head.last_sequence, head.last_hash) == (events[2].sequence, events[2].hash)
    assert verify_chain().intact


def test_changing_an_event_breaks_the_chain_there(people, app):
    events = _record_three(people)
    _without_append_only_triggers()
    db.session.execute(
        sa.update(AuditEvent)
        .where(AuditEvent.id == events[1].id)
        .values(object_label="Nothing to see here")
    )
    report = verify_chain()
    assert not report.intact
    assert report.problem == f"event {events[1].sequence} was changed after it was recorded"
    result = app.test_cli_runner().invoke(audit_verify_command)
    assert result.exit_code == 1
    assert "The audit trail is broken" in result.output


def test_deleting_an_event_breaks_the_chain(people):
    events = _record_three(people)
    _without_append_only_triggers()
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == events[1].id))
    report = verify_chain()
    assert report.problem == f"event {events[1].sequence} is missing"


def test_removing_the_last_events_is_noticed_from_the_head(people):
    events = _record_three(people)
    _without_append_only_triggers()
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == events[2].id))
    report = verify_chain()
    assert "events were removed from its end" in report.problem


def test_rehashing_a_changed_event_still_breaks_the_next_link(people):
    events = _record_three(people)
    _without_append_only_triggers()
    forged = db.session.get(AuditEvent, events[1].id)
    db.session.execute(
        sa.update(AuditEvent).where(AuditEvent.id == forged.id).values(object_label="Forged")
    )
    db.session.expire_all()
    forged = db.session.get(AuditEvent, events[1].id)
    new_hash = forged.computed_hash()
    db.session.execute(
        sa.update(AuditEvent).where(AuditEvent.id == forged.id).values(hash=new_hash)
    )
    report = verify_chain()
    assert (
        report.problem == f"event {events[2].sequence} does not follow event {events[1].sequence}"
    )


@pytest.mark.parametrize("count", [0, 3])
def test_an_intact_trail_is_reported_with_its_length(people, app, count):
    if count:
        _record_three(people)
    result = app.test_cli_runner().invoke(audit_verify_command)
    assert result.exit_code == 0, result.output
    assert "The audit trail is intact" in result.output

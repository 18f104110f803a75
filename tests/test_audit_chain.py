"""The audit trail is tamper-evident: a keyed hash chain that `flask audit-verify` checks, against
anchors kept outside the database when given."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC

import pytest
import sqlalchemy as sa

from panel.core.audit import (
    CHAINED,
    Anchor,
    AuditAction,
    AuditChainHead,
    AuditEvent,
    audit_anchor_command,
    audit_verify_command,
    chain_hash,
    chain_key,
    record,
    verify_chain,
)
from panel.core.database import utcnow
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


# --- Someone who can write the whole database (issue 18, finding 3) -----------------------------
# They can turn off the triggers and rewrite the chain's head, and they know how links are made.
# They do not hold AUDIT_CHAIN_KEY, and cannot reach the anchors the operator keeps elsewhere.


def _unkeyed_hash(previous_hash, sequence, occurred_at, actor_id, email, action, *rest) -> str:
    """A link as anyone can compute it without the key: SHA-256 of the same payload."""
    payload = json.dumps(
        [sequence, occurred_at.astimezone(UTC).isoformat(), actor_id, email, action.value]
        + list(rest),
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(f"{previous_hash or ''}|{payload}".encode()).hexdigest()


def _relink_from(sequence: int, link) -> None:
    """Recompute with `link` every hash from event `sequence` to the end, and move the head to
    match, as an intruder covering their tracks would."""
    db.session.expire_all()
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.sequence >= sequence).order_by(AuditEvent.sequence)
    ).all()
    previous = db.session.scalar(
        sa.select(AuditEvent.hash).where(AuditEvent.sequence == sequence - 1)
    )
    for event in events:
        values = [previous] + [getattr(event, name) for name in CHAINED[1:]]
        digest = link(*values)
        db.session.execute(
            sa.update(AuditEvent)
            .where(AuditEvent.id == event.id)
            .values(previous_hash=previous, hash=digest)
        )
        previous = digest
    _rewrite_head(events[-1].sequence, previous)


def _rewrite_head(sequence: int, hash_: str | None) -> None:
    db.session.execute(
        sa.update(AuditChainHead)
        .where(AuditChainHead.id == 1)
        .values(last_sequence=sequence, last_hash=hash_)
    )
    db.session.expire_all()


def _anchor(app, tmp_path=None) -> str:
    arguments = ["--output", str(tmp_path / "anchors.txt")] if tmp_path else []
    result = app.test_cli_runner().invoke(audit_anchor_command, arguments)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def _verify(app, *anchors: str):
    arguments = [argument for anchor in anchors for argument in ("--anchor", anchor)]
    return app.test_cli_runner().invoke(audit_verify_command, arguments)


def test_a_kept_anchor_agrees_with_an_intact_trail(people, app, tmp_path):
    events = _record_three(people)
    line = _anchor(app, tmp_path)
    anchor = Anchor.parse(line)
    assert (anchor.sequence, anchor.hash) == (events[2].sequence, events[2].hash)
    assert (tmp_path / "anchors.txt").read_text() == line + "\n"
    record(people.admin, AuditAction.UPDATE, people.panel, changes={"quorum": [6, 7]})
    db.session.commit()
    # The anchor itself, or the file the anchors are kept in, with a later one appended.
    _anchor(app, tmp_path)
    for given in (line, str(tmp_path / "anchors.txt")):
        result = _verify(app, given)
        assert result.exit_code == 0, result.output
        assert "The audit trail is intact" in result.output
    assert "It agrees with 2 anchors" in result.output


def test_deleting_the_last_events_and_rewriting_the_head_is_caught_by_an_anchor(people, app):
    first, _, last = ((event.sequence, event.hash) for event in _record_three(people))
    line = _anchor(app)
    _without_append_only_triggers()
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.sequence > first[0]))
    _rewrite_head(*first)
    assert verify_chain().intact  # what remains links up: only something kept elsewhere can tell
    result = _verify(app, line)
    assert result.exit_code == 1
    assert "The audit trail is broken" in result.output
    assert f"names event {last[0]}: events were removed from its end" in result.output


def test_a_changed_event_with_its_links_recomputed_without_the_key_is_caught(people, app):
    events = _record_three(people)
    line = _anchor(app)
    _without_append_only_triggers()
    db.session.execute(
        sa.update(AuditEvent)
        .where(AuditEvent.id == events[1].id)
        .values(object_label="Nothing to see here")
    )
    _relink_from(events[1].sequence, _unkeyed_hash)
    report = verify_chain()
    assert report.problem == f"event {events[1].sequence} was changed after it was recorded"
    for anchors in ((), (line,)):
        result = _verify(app, *anchors)
        assert result.exit_code == 1
        assert f"event {events[1].sequence} was changed" in result.output


def test_a_rewritten_trail_that_links_up_does_not_match_its_anchor(people, app):
    """Even someone holding the key cannot make a rewritten trail end in the anchored hash."""
    events = _record_three(people)
    line = _anchor(app)
    _without_append_only_triggers()
    db.session.execute(
        sa.update(AuditEvent).where(AuditEvent.id == events[0].id).values(object_label="Other")
    )
    _relink_from(events[0].sequence, lambda *values: chain_hash(chain_key(), *values))
    assert verify_chain().intact
    result = _verify(app, line)
    assert result.exit_code == 1
    assert f"event {events[2].sequence} is not the one the anchor taken at" in result.output


def test_moving_where_keyed_links_begin_is_caught(people, app):
    """Passing keyed events off as ones recorded before the chain was keyed, whose plain links
    anyone can recompute, needs the head's signed boundary moved."""
    events = _record_three(people)
    _without_append_only_triggers()
    db.session.execute(
        sa.update(AuditEvent).where(AuditEvent.id == events[1].id).values(object_label="Forged")
    )
    _relink_from(1, _unkeyed_hash)
    db.session.execute(
        sa.update(AuditChainHead)
        .where(AuditChainHead.id == 1)
        .values(keyed_from=events[2].sequence + 1)
    )
    report = verify_chain()
    assert "does not carry AUDIT_CHAIN_KEY's signature" in report.problem


@pytest.mark.parametrize("forgery", ["more events", "another hash", "another key"])
def test_an_anchor_not_signed_with_the_key_is_refused(people, app, forgery):
    events = _record_three(people)
    anchor = Anchor.parse(_anchor(app))
    if forgery == "more events":
        forged = replace(anchor, sequence=anchor.sequence + 5).text()
    elif forgery == "another hash":
        forged = replace(anchor, hash=events[0].hash).text()
    else:
        forged = Anchor.take(b"not-the-key", anchor.sequence, anchor.hash, utcnow()).text()
    result = _verify(app, forged)
    assert result.exit_code == 1
    assert "is not signed with this AUDIT_CHAIN_KEY" in result.output
    assert "The audit trail is intact" not in result.output


@pytest.mark.parametrize("given", ["panel-audit-anchor/1 garbled", "no-such-file.txt"])
def test_something_that_is_not_an_anchor_is_refused(app, db, given):
    result = _verify(app, given)
    assert result.exit_code == 1
    assert "Cannot check the trail against that" in result.output


def test_a_broken_or_empty_trail_gets_no_anchor(people, app):
    empty = app.test_cli_runner().invoke(audit_anchor_command)
    assert empty.exit_code == 1
    assert "nothing to anchor" in empty.output
    events = _record_three(people)
    _without_append_only_triggers()
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == events[1].id))
    broken = app.test_cli_runner().invoke(audit_anchor_command)
    assert broken.exit_code == 1
    assert "only taken of an intact trail" in broken.output

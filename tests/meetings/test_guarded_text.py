"""Free text about a meeting passes the personal-data guard too: agenda titles, standing items,
declarations, actions and cancellation reasons."""

import pytest

from panel.core.audit import AuditEvent
from tests.conftest import sign_in
from tests.meetings.factories import meeting_on

TEXT = "Visit to the family at 14 Acacia Avenue, CV6 5RR"


@pytest.mark.parametrize(
    ("who", "path", "data", "field"),
    [
        ("coordinator", "/meetings/{id}/agenda/new", {"title": TEXT}, "Title"),
        ("coordinator", "/panels/{panel}/agenda-template/new", {"title": TEXT}, "Title"),
        ("coordinator", "/meetings/{id}/cancel", {"reason": TEXT}, "Why is the meeting"),
        ("member", "/meetings/{id}/agenda/{item}/declare", {"reason": TEXT}, "Why do you"),
        ("coordinator", "/meetings/{id}/actions/new", {"description": TEXT}, "What is the action"),
    ],
)
def test_personal_data_in_meeting_text_is_stopped(client, people, db, who, path, data, field):
    meeting = meeting_on(people.panel, days_from_now=-1 if "actions" in path else 3)
    item = meeting.agenda_items[0].id if meeting.agenda_items else None
    if item is None:
        from panel.meetings.models import AgendaItem, AgendaItemKind

        agenda_item = AgendaItem(
            meeting=meeting, position=1, kind=AgendaItemKind.FREE, title="Community tension update"
        )
        db.session.add(agenda_item)
        db.session.commit()
        item = agenda_item.id
    events_before = db.session.scalar(db.select(db.func.count(AuditEvent.id)))
    sign_in(client, getattr(people, who))
    url = path.format(id=meeting.id, panel=people.panel.id, item=item)
    if "actions" in path:
        data = {**data, "owner_organisation_id": str(people.member.organisation_id)}
    response = client.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "contains what looks like" in page and "a postcode" in page
    assert '<mark class="panel-finding">' in page
    assert "Redact and save" in page
    # Only the sign-in was recorded: nothing was saved.
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) == events_before + 1


def test_redacting_a_cancellation_reason_saves_it_redacted(client, people, db):
    meeting = meeting_on(people.panel, days_from_now=3)
    sign_in(client, people.coordinator)
    client.post(f"/meetings/{meeting.id}/cancel", data={"reason": TEXT, "guard_action": "redact"})
    db.session.refresh(meeting)
    assert meeting.cancellation_reason == "Visit to the family at [ADDRESS], [POSTCODE]"

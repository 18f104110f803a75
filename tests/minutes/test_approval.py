"""Approval you can trust: approving and publishing each go through a confirmation page that shows
what readers will see; the record says who drafted, who approved and who published, and when; and
a panel may require that the approver is not the person who drafted the version."""

from __future__ import annotations

import re

import pytest

from panel.core.audit import AuditAction, AuditEvent
from panel.core.time import format_datetime
from panel.minutes import services
from panel.minutes.models import Minutes, MinutesStatus
from panel.minutes.services import ItemNotes, MinutesRefused
from tests.conftest import sign_in
from tests.minutes.conftest import PUBLIC_NOTE, RESTRICTED_NOTE, approved

DRAFTER_REFUSED = "you drafted this version"


def _url(held, rest: str = "") -> str:
    return f"/meetings/{held.meeting.id}/minutes{rest}"


def _day(held) -> str:
    return format_datetime(held.meeting.starts_at, "date")


def _submitted(app, held, drafter=None) -> Minutes:
    """The minutes with notes on the case review item written by `drafter` (the coordinator
    unless said), submitted by the coordinator."""
    people = held.people
    drafter = drafter or people.coordinator
    with app.test_request_context():
        minutes = services.start(people.coordinator, held.meeting)
        services.save_notes(
            drafter,
            minutes,
            {held.case_item().id: ItemNotes(RESTRICTED_NOTE, PUBLIC_NOTE)},
            ItemNotes(None, None),
            minutes.edit_version,
        )
        services.submit(people.coordinator, minutes, minutes.edit_version)
    return minutes


def _require_a_second_person(db, held) -> None:
    held.panel.minutes_approver_not_drafter = True
    db.session.commit()


# --- Approving ---------------------------------------------------------------------------------


def test_the_minutes_page_links_to_the_approval_page_rather_than_approving_on_one_click(
    app, client, held, db
):
    minutes = _submitted(app, held)
    sign_in(client, held.people.chair)
    page = client.get(_url(held)).get_data(as_text=True)
    assert f'href="{_url(held, "/approve")}"' in page
    assert f'action="{_url(held, "/approve")}"' not in page
    db.session.refresh(minutes)
    assert minutes.status == MinutesStatus.SUBMITTED


def test_the_approval_page_shows_what_readers_will_see_and_changes_nothing(app, client, held, db):
    minutes = _submitted(app, held)
    sign_in(client, held.people.chair)
    response = client.get(_url(held, "/approve"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    heading = f"Approve the minutes of {held.panel.name} on {_day(held)}"
    assert re.search(r"<h1[^>]*>.*" + re.escape(heading), page, re.DOTALL)
    assert "What readers will see" in page and PUBLIC_NOTE in page
    assert RESTRICTED_NOTE not in page
    assert "Imran Sadiq" in page  # who drafted and submitted it
    assert "Approving locks version 1" in page
    assert page.count(">Approve minutes<") + page.count("Approve minutes\n") >= 1
    db.session.refresh(minutes)
    assert minutes.status == MinutesStatus.SUBMITTED and not minutes.versions


def test_approving_on_the_confirmation_page_records_who_approved_and_when(app, client, held, db):
    minutes = _submitted(app, held)
    sign_in(client, held.people.chair)
    response = client.post(_url(held, "/approve"), data={"edit_version": str(minutes.edit_version)})
    assert response.location == _url(held)
    db.session.expire_all()
    assert minutes.status == MinutesStatus.APPROVED
    (version,) = minutes.versions
    assert version.approved_by_id == held.people.chair.id and version.approved_at is not None
    assert version.drafted_by_id == held.people.coordinator.id
    assert version.submitted_by_id == held.people.coordinator.id
    page = client.get(response.location).get_data(as_text=True)
    assert "Version 1 approved and locked." in page


def test_approval_of_minutes_that_are_not_submitted_is_not_offered(app, client, held, db):
    sign_in(client, held.people.coordinator)
    client.post(_url(held, "/start"))
    client.post("/sign-out")
    sign_in(client, held.people.chair)
    response = client.get(_url(held, "/approve"), follow_redirects=True)
    assert "These minutes are a draft: they are approved once submitted" in response.get_data(
        as_text=True
    )


def test_only_the_chair_may_approve_even_from_a_command(app, held, db):
    minutes = _submitted(app, held)
    with app.test_request_context(), pytest.raises(MinutesRefused, match="Only the chair"):
        services.approve(held.people.coordinator, minutes, minutes.edit_version)
    assert minutes.status == MinutesStatus.SUBMITTED


# --- Publishing --------------------------------------------------------------------------------


def test_the_publish_page_asks_for_confirmation_and_records_who_published(app, client, held, db):
    minutes = approved(app, held)
    sign_in(client, held.people.chair)
    page = client.get(_url(held)).get_data(as_text=True)
    assert f'href="{_url(held, "/publish")}"' in page
    review = client.get(_url(held, "/publish")).get_data(as_text=True)
    heading = f"Publish the minutes of {held.panel.name} on {_day(held)}"
    assert re.search(r"<h1[^>]*>.*" + re.escape(heading), review, re.DOTALL)
    assert "What readers will see" in review and PUBLIC_NOTE in review
    assert RESTRICTED_NOTE not in review
    assert "Publish minutes" in review
    response = client.post(
        _url(held, "/publish"), data={"edit_version": str(minutes.edit_version), "checked": "y"}
    )
    assert response.location == _url(held)
    db.session.expire_all()
    version = minutes.versions[-1]
    assert version.published_by_id == held.people.chair.id and version.published_at is not None


# --- The record --------------------------------------------------------------------------------


def test_the_record_shows_who_drafted_approved_and_published(app, client, held, db):
    from panel.minutes.pdf import render_pdf

    minutes = approved(app, held)
    with app.test_request_context():
        services.publish(held.people.chair, minutes, minutes.edit_version, render=render_pdf)
    sign_in(client, held.people.member)
    for path in ("", "/versions"):
        page = client.get(_url(held, path)).get_data(as_text=True)
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
        assert re.search(r"Drafted .*by Imran Sadiq", text), path
        assert re.search(r"Approved .*by Harriet Lang", text), path
        assert re.search(r"Published .*by Harriet Lang", text), path


# --- A second person -----------------------------------------------------------------------------


def test_a_panel_can_refuse_approval_by_the_person_who_drafted_the_version(app, client, held, db):
    _require_a_second_person(db, held)
    minutes = _submitted(app, held, drafter=held.people.chair)
    sign_in(client, held.people.chair)
    page = client.get(_url(held, "/approve")).get_data(as_text=True)
    assert "You cannot approve these minutes" in page and DRAFTER_REFUSED in page
    assert "Approve minutes" not in page
    refused = client.post(
        _url(held, "/approve"),
        data={"edit_version": str(minutes.edit_version)},
        follow_redirects=True,
    )
    assert DRAFTER_REFUSED in refused.get_data(as_text=True)
    db.session.refresh(minutes)
    assert minutes.status == MinutesStatus.SUBMITTED and not minutes.versions


def test_the_second_person_rule_holds_for_a_command_too(app, held, db):
    _require_a_second_person(db, held)
    minutes = _submitted(app, held, drafter=held.people.chair)
    with app.test_request_context(), pytest.raises(MinutesRefused, match=DRAFTER_REFUSED):
        services.approve(held.people.chair, minutes, minutes.edit_version)


def test_with_the_rule_on_the_chair_approves_what_the_coordinator_drafted(app, held, db):
    _require_a_second_person(db, held)
    minutes = _submitted(app, held)
    with app.test_request_context():
        version = services.approve(held.people.chair, minutes, minutes.edit_version)
    assert version.approved_by_id == held.people.chair.id


def test_without_the_rule_the_chair_may_approve_what_they_drafted(app, held, db):
    minutes = _submitted(app, held, drafter=held.people.chair)
    with app.test_request_context():
        version = services.approve(held.people.chair, minutes, minutes.edit_version)
    assert version.drafted_by_id == version.approved_by_id == held.people.chair.id


def test_the_chair_sets_the_rule_where_the_panel_settings_are(app, client, held, db):
    settings = f"/panels/{held.panel.id}/settings"
    rule = f"{settings}/minutes-approval"
    assert held.panel.minutes_approver_not_drafter is False
    sign_in(client, held.people.chair)
    page = client.get(settings).get_data(as_text=True)
    assert "The approver must not be the person who drafted the latest version" in page
    assert f'href="{rule}"' in page
    response = client.post(rule, data={"approver_not_drafter": "yes"})
    assert response.location == settings
    assert "someone other than the person who drafted" in client.get(settings).get_data(
        as_text=True
    )
    db.session.refresh(held.panel)
    assert held.panel.minutes_approver_not_drafter is True
    (event,) = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.object_type == "panel", AuditEvent.action == AuditAction.UPDATE
        )
    )
    assert event.changes == {"minutes_approver_not_drafter": [False, True]}


def test_the_rule_must_be_answered_and_only_the_chair_may_change_it(app, client, held, db):
    rule = f"/panels/{held.panel.id}/settings/minutes-approval"
    sign_in(client, held.people.chair)
    unanswered = client.post(rule, data={}).get_data(as_text=True)
    assert "There is a problem" in unanswered
    client.post("/sign-out")
    sign_in(client, held.people.coordinator)
    page = client.get(f"/panels/{held.panel.id}/settings").get_data(as_text=True)
    assert f'href="{rule}"' not in page
    assert client.get(rule).status_code == 403
    assert client.post(rule, data={"approver_not_drafter": "yes"}).status_code == 403
    db.session.refresh(held.panel)
    assert held.panel.minutes_approver_not_drafter is False

"""Interventions from agreement to their end: agreeing one (what it needs, the guard, the lead),
the update log, what each status needs, reassigning, and a panel's list with its CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest

from panel.cases.vocabularies import Answer
from panel.core.audit import AuditAction, AuditEvent
from panel.core.time import uk_today
from panel.extensions import db
from panel.interventions import export, queries, services
from panel.interventions.lifecycle import InterventionRefused
from panel.interventions.models import Intervention, InterventionUpdate
from panel.interventions.services import Closure, InterventionDetails
from panel.interventions.vocabularies import (
    ClosureReason,
    InterventionStatus,
    VictimOutcome,
)
from panel.meetings.models import MeetingStatus
from tests.conftest import sign_in
from tests.interventions.conftest import INTERVENTION_TEXT, agreed, date_fields
from tests.meetings.factories import meeting_on
from tests.querycount import count_queries

S = InterventionStatus


def _form(partners, **overrides) -> dict:
    kinds = services.intervention_types(partners.panel)
    data = {
        "type_id": str(kinds[2].id),
        "description": INTERVENTION_TEXT,
        "owner_organisation_id": str(partners.housing.id),
        "lead_id": str(partners.people.member.id),
        **date_fields("due_date", uk_today() + timedelta(days=28)),
        "agreed_at_id": "",
    }
    data.update(overrides)
    return data


def _soon(partners, owner=None, days: int = 28, **kwargs) -> Intervention:
    return agreed(
        partners.people.coordinator,
        partners.panel,
        owner or partners.housing,
        due=uk_today() + timedelta(days=days),
        live_case=partners.live_case,
        **kwargs,
    )


def _log(intervention_id: int) -> list[InterventionUpdate]:
    return list(
        db.session.scalars(
            db.select(InterventionUpdate)
            .where(InterventionUpdate.intervention_id == intervention_id)
            .order_by(InterventionUpdate.id)
        )
    )


def _stored(intervention_id: int) -> Intervention:
    db.session.expire_all()
    return db.session.get(Intervention, intervention_id)


# --- Agreeing ----------------------------------------------------------------------------------


def test_the_coordinator_agrees_an_intervention_for_a_case_and_it_is_audited(client, partners):
    meeting = meeting_on(partners.panel, days_from_now=-3, status=MeetingStatus.HELD)
    sign_in(client, partners.people.coordinator)
    path = f"/live-cases/{partners.live_case.id}/interventions/new"
    form_page = client.get(path).get_data(as_text=True)
    assert "Grace Mensah (Coventry Homes Partnership)" in form_page
    assert "Tom Whitfield" not in form_page  # a reader cannot lead: they never see it
    assert "Restorative justice" in form_page
    response = client.post(path, data=_form(partners, agreed_at_id=str(meeting.id)))
    assert response.status_code == 302
    made = db.session.scalars(db.select(Intervention)).one()
    assert response.location == f"/interventions/{made.id}"
    assert (made.owner_organisation_id, made.lead_id, made.status) == (
        partners.housing.id,
        partners.people.member.id,
        S.AGREED,
    )
    assert made.live_case_id == partners.live_case.id and made.agreed_at_id == meeting.id
    page = client.get(response.location).get_data(as_text=True)
    assert "Intervention agreed." in page
    assert INTERVENTION_TEXT in page
    assert [(u.status, u.author_id) for u in _log(made.id)] == [
        (S.AGREED, partners.people.coordinator.id)
    ]
    audit = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.object_type == "intervention", AuditEvent.action == AuditAction.CREATE
        )
    ).one()
    assert audit.object_id == made.id
    assert audit.changes["owner"] == "Coventry Homes Partnership"
    assert audit.changes["description"] == "(set)"  # case text never enters the trail


def test_agreeing_says_what_is_missing_beside_each_field_and_keeps_what_was_typed(client, partners):
    sign_in(client, partners.people.coordinator)
    response = client.post(
        f"/live-cases/{partners.live_case.id}/interventions/new",
        data=_form(
            partners,
            type_id="",
            owner_organisation_id="",
            lead_id="",
            description="Referral to the hate crime caseworker.",
            due_date=["", "", ""],
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    for message, field in [
        ("Select the type of intervention", "type_id"),
        ("Select the organisation that owns the intervention", "owner_organisation_id"),
        ("Enter the due date", "due_date"),
    ]:
        assert page.count(message) == 2, message  # in the summary and beside the field
        assert f'href="#{field}' in page
    assert "Referral to the hate crime caseworker." in page
    assert db.session.scalar(db.select(db.func.count(Intervention.id))) == 0


def test_what_was_agreed_is_required_and_the_due_date_cannot_be_past(client, partners):
    sign_in(client, partners.people.coordinator)
    yesterday = uk_today() - timedelta(days=1)
    page = client.post(
        f"/live-cases/{partners.live_case.id}/interventions/new",
        data=_form(partners, description="", **date_fields("due_date", yesterday)),
    ).get_data(as_text=True)
    assert "Enter what was agreed" in page
    assert "The due date must be today or in the future" in page
    bad = client.post(
        f"/live-cases/{partners.live_case.id}/interventions/new",
        data=_form(partners, due_date=["31", "2", "2030"]),
    ).get_data(as_text=True)
    assert "Due date must be a real date" in bad
    assert db.session.scalar(db.select(db.func.count(Intervention.id))) == 0


def test_a_lead_from_another_organisation_is_refused_beside_the_lead_field(client, partners):
    sign_in(client, partners.people.coordinator)
    response = client.post(
        f"/live-cases/{partners.live_case.id}/interventions/new",
        # Owned by the housing provider, led by the police chair.
        data=_form(partners, lead_id=str(partners.people.chair.id)),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    message = "Select a lead person who works for Coventry Homes Partnership, or no lead person"
    assert page.count(message) == 2
    assert 'id="lead_id-error"' in page
    assert INTERVENTION_TEXT in page
    assert db.session.scalar(db.select(db.func.count(Intervention.id))) == 0
    # The service refuses it whoever calls it.
    with pytest.raises(InterventionRefused, match="The lead must work for Coventry Homes"):
        services.agree_intervention(
            partners.people.coordinator,
            partners.panel,
            InterventionDetails(
                type=services.intervention_types(partners.panel)[0],
                description=INTERVENTION_TEXT,
                owner=partners.housing,
                due_date=uk_today(),
                lead=partners.people.chair,
            ),
            live_case=partners.live_case,
        )


def test_the_guard_stops_personal_data_in_what_was_agreed_and_redacts_on_request(client, partners):
    sign_in(client, partners.people.coordinator)
    text = "PC Robert Fenwick to ring the victim on 07700 900123 every week."
    path = f"/live-cases/{partners.live_case.id}/interventions/new"
    page = client.post(path, data=_form(partners, description=text)).get_data(as_text=True)
    assert "What was agreed contains what looks like" in page
    assert "Redact and save" in page
    assert db.session.scalar(db.select(db.func.count(Intervention.id))) == 0
    response = client.post(path, data=_form(partners, description=text, guard_action="redact"))
    assert response.status_code == 302
    saved = db.session.scalars(db.select(Intervention)).one().description
    assert "07700" not in saved and "[PHONE]" in saved


def test_an_intervention_for_a_place_needs_the_place_which_the_guard_checks(client, partners):
    sign_in(client, partners.people.chair)
    path = f"/panels/{partners.panel.id}/interventions/new"
    assert "Place or community" in client.get(path).get_data(as_text=True)
    missing = client.post(path, data=_form(partners, lead_id="")).get_data(as_text=True)
    assert "Enter the place or community" in missing
    address = client.post(
        path, data=_form(partners, lead_id="", place_or_community="14 Station Road, CV6 5AB")
    ).get_data(as_text=True)
    assert "Place or community contains what looks like" in address
    response = client.post(
        path,
        data=_form(
            partners,
            lead_id="",
            place_or_community="Foleshill, around the shopping parade",
            description="Bystander intervention training for the traders.",
        ),
    )
    assert response.status_code == 302
    made = db.session.scalars(db.select(Intervention)).one()
    assert made.live_case_id is None
    assert made.about == "Foleshill, around the shopping parade"
    assert "Foleshill, around the shopping parade" in client.get(response.location).get_data(
        as_text=True
    )


def test_the_audit_trail_names_an_intervention_for_a_place_without_the_place(client, partners):
    """A place or community is typed in, and may point at someone (a family's street): the
    trail names the intervention by number and type (issue 18, finding 7)."""
    sign_in(client, partners.people.chair)
    place = "Foleshill, around the shopping parade"
    response = client.post(
        f"/panels/{partners.panel.id}/interventions/new",
        data=_form(partners, lead_id="", place_or_community=place),
    )
    assert response.status_code == 302
    made = db.session.scalars(db.select(Intervention)).one()
    (event,) = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.object_type == "intervention")
    ).all()
    assert event.object_label == (
        f"Intervention {made.id} ({made.type.name}) for a place or community of "
        f"{partners.panel.name}"
    )
    assert "Foleshill" not in str(event.changes)


def test_only_recent_and_coming_meetings_are_offered_most_recent_first(app, partners):
    panel = partners.panel
    long_ago = meeting_on(panel, days_from_now=-61, status=MeetingStatus.HELD)
    last_month = meeting_on(panel, days_from_now=-30, status=MeetingStatus.HELD)
    next_week = meeting_on(panel, days_from_now=7)
    cancelled = meeting_on(panel, days_from_now=3, status=MeetingStatus.CANCELLED)
    far_ahead = meeting_on(panel, days_from_now=31)
    offered = queries.agreeing_meetings(panel)
    assert offered == [next_week, last_month]
    assert not {long_ago, cancelled, far_ahead} & set(offered)


def test_a_closed_case_takes_no_more_interventions(client, partners):
    case = partners.live_case
    services.close_case(
        partners.people.coordinator,
        case,
        Closure(ClosureReason.RESOLVED, VictimOutcome.NEEDS_MET, Answer.YES),
        case.version,
    )
    sign_in(client, partners.people.coordinator)
    response = client.get(f"/live-cases/{case.id}/interventions/new")
    assert response.status_code == 302
    assert response.location == f"/live-cases/{case.id}"
    assert (
        client.post(f"/live-cases/{case.id}/interventions/new", data=_form(partners)).status_code
        == 302
    )
    assert db.session.scalar(db.select(db.func.count(Intervention.id))) == 0


# --- Updates -----------------------------------------------------------------------------------


def test_updates_are_logged_oldest_first_with_author_organisation_and_status(client, partners):
    made = _soon(partners)
    sign_in(client, partners.people.member)
    page = client.get(f"/interventions/{made.id}").get_data(as_text=True)
    assert "Add an update" in page and 'name="version" type="hidden" value="1"' in page
    response = client.post(
        f"/interventions/{made.id}/update",
        data={"status": "in_progress", "text": "Warning letter sent.", "version": "1"},
    )
    assert response.status_code == 302
    assert response.location == f"/interventions/{made.id}"
    client.post(
        f"/interventions/{made.id}/update",
        data={"status": "unchanged", "text": "Visited the victim at home.", "version": "2"},
    )
    log = _log(made.id)
    assert [(u.status, u.text, u.author_id, u.author_organisation_id) for u in log] == [
        (S.AGREED, None, partners.people.coordinator.id, partners.police.id),
        (S.IN_PROGRESS, "Warning letter sent.", partners.people.member.id, partners.housing.id),
        (None, "Visited the victim at home.", partners.people.member.id, partners.housing.id),
    ]
    assert _stored(made.id).status == S.IN_PROGRESS
    page = client.get(f"/interventions/{made.id}").get_data(as_text=True)
    log_html = page[page.index('id="update-log"') :]
    assert log_html.index("Warning letter sent.") < log_html.index("Visited the victim at home.")
    assert "Grace Mensah" in log_html and "(Coventry Homes Partnership)" in log_html
    # The log is never edited: there is no form or route for it.
    assert "/edit" not in log_html


def test_the_statuses_offered_follow_the_lifecycle(client, partners):
    made = _soon(partners)
    sign_in(client, partners.people.member)
    page = client.get(f"/interventions/{made.id}").get_data(as_text=True)
    for value in ("unchanged", "in_progress", "completed", "not_completed", "cancelled"):
        assert f'value="{value}"' in page
    client.post(f"/interventions/{made.id}/update", data={"status": "in_progress", "version": "1"})
    page = client.get(f"/interventions/{made.id}").get_data(as_text=True)
    assert 'value="in_progress"' not in page and 'value="completed"' in page


def test_not_completed_needs_a_reason_and_the_choice_and_text_are_kept(client, partners):
    made = _soon(partners)
    sign_in(client, partners.people.member)
    response = client.post(
        f"/interventions/{made.id}/update",
        data={"status": "not_completed", "text": "", "version": "1"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("Say why the intervention is not completed in the update.") == 2
    assert 'value="not_completed" checked' in page
    assert _stored(made.id).status == S.AGREED
    reason = "The victim moved away before the course started."
    client.post(
        f"/interventions/{made.id}/update",
        data={"status": "not_completed", "text": reason, "version": "1"},
    )
    stored = _stored(made.id)
    assert (stored.status, stored.status_reason) == (S.NOT_COMPLETED, reason)
    assert "Why it was not completed" in client.get(f"/interventions/{made.id}").get_data(
        as_text=True
    )


def test_a_status_has_one_colour_on_every_page_that_shows_it(client, partners):
    made = _soon(partners)
    services.update_intervention(
        partners.people.member, made, status=S.NOT_COMPLETED, text="Moved away.", version=1
    )
    sign_in(client, partners.people.coordinator)
    for url in (
        f"/interventions/{made.id}",
        f"/live-cases/{partners.live_case.id}",
        f"/panels/{partners.panel.id}/interventions",
    ):
        page = client.get(url).get_data(as_text=True)
        assert re.findall(r'govuk-tag--([a-z-]+)">\s*Not completed', page) == ["orange"], url


def test_an_update_needs_words_or_a_new_status(client, partners):
    made = _soon(partners)
    sign_in(client, partners.people.member)
    page = client.post(
        f"/interventions/{made.id}/update",
        data={"status": "unchanged", "text": "", "version": "1"},
    ).get_data(as_text=True)
    assert "Enter an update, or choose a new status" in page
    assert len(_log(made.id)) == 1


def test_the_guard_checks_update_text(client, partners):
    made = _soon(partners)
    sign_in(client, partners.people.member)
    page = client.post(
        f"/interventions/{made.id}/update",
        data={"status": "unchanged", "text": "Rang Mrs Jane Doe on 07700 900123.", "version": "1"},
    ).get_data(as_text=True)
    assert "Update contains what looks like" in page
    assert "Rang Mrs Jane Doe on 07700 900123." in page
    assert len(_log(made.id)) == 1


def test_a_finished_intervention_offers_no_status_change_but_takes_updates(client, partners):
    made = _soon(partners)
    services.update_intervention(
        partners.people.member, made, status=S.COMPLETED, text="Done.", version=1
    )
    sign_in(client, partners.people.member)
    page = client.get(f"/interventions/{made.id}").get_data(as_text=True)
    assert "so its status can no longer change" in page
    assert 'name="status"' not in page
    assert "Reassign" not in page
    response = client.post(
        f"/interventions/{made.id}/update",
        data={"text": "The victim wrote to thank the panel.", "version": "2"},
    )
    assert response.status_code == 302
    tampered = client.post(
        f"/interventions/{made.id}/update",
        data={"status": "in_progress", "text": "Reopening.", "version": "3"},
    )
    assert "its status can no longer change" in tampered.get_data(as_text=True)
    stored = _stored(made.id)
    assert (stored.status, len(stored.updates)) == (S.COMPLETED, 3)


# --- Reassigning -------------------------------------------------------------------------------


def test_the_coordinator_reassigns_an_open_intervention_with_a_log_entry_and_audit(
    client, partners
):
    made = _soon(partners, lead=partners.people.member)
    sign_in(client, partners.people.coordinator)
    page = client.get(f"/interventions/{made.id}").get_data(as_text=True)
    assert f'href="/interventions/{made.id}/reassign"' in page
    form_page = client.get(f"/interventions/{made.id}/reassign").get_data(as_text=True)
    assert f'<option value="{partners.housing.id}" selected>' in form_page
    new_due = uk_today() + timedelta(days=40)
    response = client.post(
        f"/interventions/{made.id}/reassign",
        data={
            "owner_organisation_id": str(partners.centre.id),
            "lead_id": str(partners.centre_member.id),
            **date_fields("due_date", new_due),
            "version": "1",
        },
    )
    assert response.status_code == 302
    stored = _stored(made.id)
    assert (stored.owner_organisation_id, stored.lead_id, stored.due_date) == (
        partners.centre.id,
        partners.centre_member.id,
        new_due,
    )
    assert _log(made.id)[-1].text.startswith(
        "Reassigned to Coventry LGBT+ Centre (Ade Okonkwo), due"
    )
    audit = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.object_type == "intervention", AuditEvent.action == AuditAction.UPDATE
        )
    ).one()
    assert audit.changes["owner_organisation_id"] == [partners.housing.id, partners.centre.id]
    assert "Intervention reassigned." in client.get(response.location).get_data(as_text=True)
    # The housing provider still reads it but can no longer update it; the centre can.
    client.post("/sign-out")
    sign_in(client, partners.people.member)
    assert client.get(f"/interventions/{made.id}").status_code == 200
    update = {"text": "Still ours?", "version": str(_stored(made.id).version)}
    assert client.post(f"/interventions/{made.id}/update", data=update).status_code == 403
    client.post("/sign-out")
    sign_in(client, partners.centre_member)
    assert client.post(f"/interventions/{made.id}/update", data=update).status_code == 302


def test_reassigning_keeps_an_overdue_date_but_refuses_a_new_past_one(client, partners):
    made = agreed(
        partners.people.coordinator,
        partners.panel,
        partners.housing,
        due=uk_today() - timedelta(days=5),
        live_case=partners.live_case,
    )
    sign_in(client, partners.people.coordinator)
    data = {
        "owner_organisation_id": str(partners.centre.id),
        "lead_id": "",
        **date_fields("due_date", made.due_date),
        "version": "1",
    }
    assert client.post(f"/interventions/{made.id}/reassign", data=data).status_code == 302
    page = client.post(
        f"/interventions/{made.id}/reassign",
        data={**data, **date_fields("due_date", uk_today() - timedelta(days=1)), "version": "2"},
    ).get_data(as_text=True)
    assert "The due date must be today or in the future" in page
    wrong_lead = client.post(
        f"/interventions/{made.id}/reassign",
        data={**data, "lead_id": str(partners.people.member.id), "version": "2"},
    ).get_data(as_text=True)
    assert "Select a lead person who works for Coventry LGBT+ Centre" in wrong_lead


def test_a_finished_intervention_cannot_be_reassigned(client, partners):
    made = _soon(partners)
    services.update_intervention(
        partners.people.member, made, status=S.CANCELLED, text="No longer needed.", version=1
    )
    sign_in(client, partners.people.coordinator)
    response = client.get(f"/interventions/{made.id}/reassign", follow_redirects=True)
    assert "only an open one can be reassigned" in response.get_data(as_text=True)


# --- A panel's list and its CSV ----------------------------------------------------------------


def _seed(partners):
    """Open for the housing provider (one overdue), one completed, and one for the centre."""
    coordinator, panel, case = partners.people.coordinator, partners.panel, partners.live_case
    today = uk_today()
    late = agreed(
        coordinator, panel, partners.housing, due=today - timedelta(days=2), live_case=case
    )
    soon = agreed(
        coordinator, panel, partners.housing, due=today + timedelta(days=5), live_case=case
    )
    done = agreed(
        coordinator, panel, partners.housing, due=today + timedelta(days=9), place="Hillfields"
    )
    services.update_intervention(
        coordinator, done, status=S.COMPLETED, text="Forum held.", version=1
    )
    centre = agreed(
        coordinator,
        panel,
        partners.centre,
        due=today + timedelta(days=20),
        live_case=case,
        description="Referral to the LGBT+ centre's support group.",
    )
    return late, soon, done, centre


def _list(client, panel, **args) -> str:
    response = client.get(f"/panels/{panel.id}/interventions", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _csv(client, panel, **args) -> tuple[list[str], list[dict]]:
    response = client.get(f"/panels/{panel.id}/interventions.csv", query_string=args)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True).lstrip("\ufeff")
    header = next(csv.reader(io.StringIO(text)))
    return header, list(csv.DictReader(io.StringIO(text)))


def _listed(page: str, *interventions) -> list[bool]:
    return [f'id="intervention-{i.id}"' in page for i in interventions]


def test_the_coordinator_sees_every_intervention_and_filters_them(client, partners):
    late, soon, done, centre = _seed(partners)
    sign_in(client, partners.people.coordinator)
    panel = partners.panel
    assert _listed(_list(client, panel), late, soon, done, centre) == [True] * 4
    assert _listed(_list(client, panel, status="completed"), late, soon, done, centre) == [
        False,
        False,
        True,
        False,
    ]
    by_owner = _list(client, panel, organisation=str(partners.centre.id))
    assert _listed(by_owner, late, soon, done, centre) == [False, False, False, True]
    overdue = _list(client, panel, overdue="y")
    assert _listed(overdue, late, soon, done, centre) == [True, False, False, False]
    assert "1 intervention matches the filters" in overdue
    kinds = services.intervention_types(panel)
    assert "No interventions match these filters" in _list(client, panel, type=str(kinds[5].id))
    assert "Select a status" in _list(client, panel, status="lost")


def test_a_partner_lists_every_organisations_interventions_and_filters_by_owner(client, partners):
    late, soon, done, centre = _seed(partners)
    sign_in(client, partners.people.member)
    page = _list(client, partners.panel)
    assert _listed(page, late, soon, done, centre) == [True, True, True, True]
    assert "Owning organisation" in page
    by_centre = _list(client, partners.panel, organisation=str(partners.centre.id))
    assert _listed(by_centre, late, soon, done, centre) == [False, False, False, True]


def test_the_coordinators_csv_has_the_narrative_columns_and_is_audited(client, partners):
    late, soon, done, centre = _seed(partners)
    sign_in(client, partners.people.coordinator)
    header, rows = _csv(client, partners.panel)
    assert header == export.HEADER + export.NARRATIVE_HEADER
    by_number = {row["Intervention number"]: row for row in rows}
    assert set(by_number) == {str(i.id) for i in (late, soon, done, centre)}
    assert by_number[str(late.id)]["Overdue"] == "Yes"
    assert by_number[str(late.id)]["Case reference or place"] == partners.live_case.reference
    assert by_number[str(done.id)]["Case reference or place"] == "Hillfields"
    assert by_number[str(done.id)]["Status"] == "Completed"
    assert by_number[str(done.id)]["Latest update"] == "Forum held."
    assert by_number[str(centre.id)]["Owner"] == "Coventry LGBT+ Centre"
    assert by_number[str(centre.id)]["What was agreed"].startswith("Referral to the LGBT+")
    assert by_number[str(soon.id)]["Last update"] == uk_today().isoformat()
    _, filtered = _csv(client, partners.panel, overdue="y")
    assert [row["Intervention number"] for row in filtered] == [str(late.id)]
    exports = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT).order_by(AuditEvent.id)
    ).all()
    assert [e.changes for e in exports] == [
        {"filters": {}, "narrative": True},
        {"filters": {"overdue": "y"}, "narrative": True},
    ]


def test_a_partners_csv_has_every_row_and_no_case_text(client, partners):
    late, soon, done, centre = _seed(partners)
    sign_in(client, partners.people.member)
    header, rows = _csv(client, partners.panel)
    assert header == export.HEADER
    assert sorted(row["Intervention number"] for row in rows) == sorted(
        str(i.id) for i in (late, soon, done, centre)
    )
    for row in rows:
        assert INTERVENTION_TEXT not in row.values() and "Forum held." not in row.values()
    export_event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT)
    ).one()
    assert export_event.changes["narrative"] is False


def test_the_panel_list_runs_a_fixed_number_of_queries(client, partners):
    _seed(partners)
    sign_in(client, partners.people.coordinator)
    path = f"/panels/{partners.panel.id}/interventions"
    client.get(path)
    with count_queries() as few:
        client.get(path)
    for day in range(6):
        intervention = _soon(partners, owner=partners.centre, days=day + 1)
        services.update_intervention(
            partners.people.coordinator, intervention, status=None, text="Started.", version=1
        )
    with count_queries() as many:
        client.get(path)
    assert len(many) == len(few)


def test_an_interventions_page_runs_a_fixed_number_of_queries(client, partners):
    made = _soon(partners, lead=partners.people.member)
    sign_in(client, partners.people.member)
    path = f"/interventions/{made.id}"
    with count_queries() as few:
        client.get(path)
    for n in range(5):
        services.update_intervention(
            partners.people.member, made, status=None, text=f"Call {n}.", version=made.version
        )
    with count_queries() as many:
        client.get(path)
    assert len(many) == len(few)


def test_the_panel_list_shows_open_ones_first_then_the_rest_each_soonest_due_first_over_pages(
    app, client, partners, monkeypatch
):
    """Agreed in another order than they fall due, and some finished: the pages still read open
    ones by due date, then the finished ones by due date."""
    coordinator, panel, case = partners.people.coordinator, partners.panel, partners.live_case
    today = uk_today()

    def made(days: int, finished: bool = False):
        intervention = agreed(
            coordinator, panel, partners.housing, due=today + timedelta(days=days), live_case=case
        )
        if finished:
            services.update_intervention(
                coordinator, intervention, status=S.COMPLETED, text="Done.", version=1
            )
        return intervention

    later, done_late, first, done_early, second = (
        made(10),
        made(-5, finished=True),
        made(1),
        made(-10, finished=True),
        made(3),
    )
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    sign_in(client, coordinator)
    everything = [first, second, later, done_early, done_late]
    pages = [_list(client, panel, page=str(number)) for number in (1, 2, 3)]
    shown = [[i for i in everything if _listed(page, i) == [True]] for page in pages]
    assert shown == [[first, second], [later, done_early], [done_late]]
    positions = [pages[0].index(f'id="intervention-{i.id}"') for i in shown[0]]
    assert positions == sorted(positions)


def test_the_panel_list_pages_and_keeps_its_filters(app, client, partners, monkeypatch):
    late, soon, done, centre = _seed(partners)
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    sign_in(client, partners.people.coordinator)
    first = _list(client, partners.panel)
    # Open ones first, soonest due first: the completed one is last.
    assert _listed(first, late, soon, centre, done) == [True, True, False, False]
    assert "page 1 of 2" in first
    second = _list(client, partners.panel, page="2")
    assert _listed(second, late, soon, centre, done) == [False, False, True, True]
    filtered = _list(client, partners.panel, status="agreed", page="1")
    assert "status=agreed&amp;page=2" in filtered or "page=2&amp;status=agreed" in filtered
    assert client.get(f"/panels/{partners.panel.id}/interventions?page=9").status_code == 404

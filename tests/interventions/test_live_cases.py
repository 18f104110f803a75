"""A local panel's live cases: referring a case under the panel's own reference, GOV.UK messages
for anything missing, the personal-data guard, changing and closing a case without losing anyone's
work, the list, who sees what (a partner sees only their own organisation's interventions), and
the panel's intervention types."""

from __future__ import annotations

from datetime import timedelta

import pytest

from panel.access import NotAllowed
from panel.cases.vocabularies import Answer, Strand
from panel.core.audit import AuditAction, AuditEvent
from panel.core.database import utcnow
from panel.core.time import UK, uk_today
from panel.extensions import db
from panel.interventions import services
from panel.interventions.models import InterventionType, LiveCase
from panel.interventions.services import Closure
from panel.interventions.vocabularies import (
    DEFAULT_INTERVENTION_TYPES,
    ClosureReason,
    InterventionStatus,
    LiveCaseStatus,
    RiskLevel,
    VictimNeed,
    VictimOutcome,
)
from tests import factories
from tests.cases.conftest import isp  # noqa: F401  (the scrutiny panel, which has no live cases)
from tests.conftest import sign_in
from tests.interventions.conftest import (
    RISK_REASON,
    SUMMARY,
    case_details,
    intervention,
    live_case,
)
from tests.querycount import count_queries


def _date(day) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _form(**overrides) -> dict:
    """What the referral form posts; an override of None leaves the field out."""
    data = {
        "strands": ["race", "religion"],
        "policing_area": "Coventry NPU",
        "referred_by_id": "",
        "risk_level": "high",
        "risk_reason": RISK_REASON,
        "needs": ["housing", "safety"],
        "summary": SUMMARY,
        "review_date": _date(uk_today() + timedelta(days=28)),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _refer(client, panel, **overrides):
    return client.post(f"/panels/{panel.id}/live-cases/new", data=_form(**overrides))


def _edit_form(live_case: LiveCase, **overrides) -> dict:
    return _form(**{"status": "open", "version": str(live_case.version), **overrides})


def _case_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(LiveCase))


def _page(response) -> str:
    return response.get_data(as_text=True)


# --- Referring a case --------------------------------------------------------------------------


def test_the_coordinator_refers_a_case_under_the_panels_next_reference(client, people):
    sign_in(client, people.coordinator)
    response = _refer(client, people.panel, referred_by_id=str(people.member.organisation_id))

    live_case = db.session.scalars(db.select(LiveCase)).one()
    assert response.status_code == 302
    assert response.location == f"/live-cases/{live_case.id}"
    year = utcnow().astimezone(UK).year
    assert live_case.reference == f"CHCP-{year}-001"
    assert live_case.strands == [Strand.RACE, Strand.RELIGION]
    assert live_case.needs == [VictimNeed.HOUSING, VictimNeed.SAFETY]
    assert live_case.risk_level == RiskLevel.HIGH
    assert live_case.referred_by.name == "Coventry Homes Partnership"
    assert live_case.status == LiveCaseStatus.OPEN
    page = _page(client.get(response.location))
    assert f"Case CHCP-{year}-001 referred." in page
    assert RISK_REASON in page and "Coventry Homes Partnership" in page


def test_referring_is_audited_without_the_case_text(client, people):
    sign_in(client, people.coordinator)
    _refer(client, people.panel)
    event = db.session.scalar(
        db.select(AuditEvent).where(
            AuditEvent.object_type == "live_case", AuditEvent.action == AuditAction.CREATE
        )
    )
    assert event.actor_id == people.coordinator.id
    assert event.changes["reference"].startswith("CHCP-")
    assert event.changes["risk_reason"] == "(set)"
    assert event.changes["summary"] == "(set)"
    assert "Suspect 1" not in str(event.changes) and "wheelchair" not in str(event.changes)


def test_the_next_case_takes_the_next_number(client, people):
    live_case(people.coordinator, people.panel)
    sign_in(client, people.chair)
    _refer(client, people.panel)
    references = db.session.scalars(db.select(LiveCase.reference).order_by(LiveCase.id)).all()
    assert [ref[-3:] for ref in references] == ["001", "002"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"strands": None}, "Select at least one hate crime strand"),
        ({"strands": ["race", "astrology"]}, "Select at least one hate crime strand"),
        ({"policing_area": " "}, "Enter the policing area"),
        ({"policing_area": "N" * 121}, "Policing area must be 120 characters or fewer"),
        ({"referred_by_id": "999999"}, "Select the organisation that referred the case"),
        ({"risk_level": None}, "Select the risk level"),
        ({"risk_level": "extreme"}, "Select the risk level"),
        ({"risk_reason": ""}, "Enter the reason for the risk level"),
        (
            {"risk_reason": "x" * 2_001},
            "Reason for the risk level must be 2,000 characters or fewer",
        ),
        ({"needs": None}, "Select at least one of the victim’s needs"),
        ({"summary": "x" * 5_001}, "Summary must be 5,000 characters or fewer"),
        ({"review_date": ["", "", ""]}, "Enter the review date"),
        ({"review_date": ["31", "2", "2030"]}, "Review date must be a real date"),
        ({"review_date": ["1", "", "2030"]}, "Review date must include a month"),
        (
            {"review_date": _date(uk_today() - timedelta(days=1))},
            "Review date must be today or in the future",
        ),
    ],
)
def test_bad_input_is_refused_with_a_govuk_message(client, people, overrides, message):
    sign_in(client, people.coordinator)
    response = _refer(client, people.panel, **overrides)
    page = _page(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert message in page
    assert _case_count() == 0


def test_an_empty_form_names_every_missing_answer_and_keeps_what_was_typed(client, people):
    sign_in(client, people.coordinator)
    response = client.post(f"/panels/{people.panel.id}/live-cases/new", data={"summary": SUMMARY})
    page = _page(response)
    for message in [
        "Select at least one hate crime strand",
        "Enter the policing area",
        "Select the risk level",
        "Enter the reason for the risk level",
        "Select at least one of the victim’s needs",
        "Enter the review date",
    ]:
        assert message in page
    assert 'href="#strands"' in page  # the error summary links to the first checkbox
    assert SUMMARY in page
    assert page.startswith("<!DOCTYPE html>") and "<title>Error: Refer a case" in page


def test_the_summary_is_optional_and_a_review_today_is_allowed(client, people):
    sign_in(client, people.coordinator)
    response = _refer(client, people.panel, summary="", review_date=_date(uk_today()))
    assert response.status_code == 302
    live_case = db.session.scalars(db.select(LiveCase)).one()
    assert live_case.summary is None
    assert "No summary recorded." in _page(client.get(response.location))


def test_the_form_advises_how_to_anonymise_the_summary(client, people):
    sign_in(client, people.coordinator)
    page = _page(client.get(f"/panels/{people.panel.id}/live-cases/new"))
    assert "“the victim”, “Suspect 1”" in page
    assert "govuk-character-count" in page
    assert "Save as written" not in page


# --- The personal-data guard -------------------------------------------------------------------

DIRTY = "Suspect 1 rang the victim on 07700 900123 and Mary Jones heard the threats."
REDACTED = "Suspect 1 rang the victim on [PHONE] and [PERSON 1] heard the threats."


def test_a_phone_number_and_a_name_in_the_risk_reason_are_stopped(client, people):
    sign_in(client, people.coordinator)
    response = _refer(client, people.panel, risk_reason=DIRTY)
    page = _page(response)
    assert response.status_code == 200
    assert _case_count() == 0
    assert (
        "Reason for the risk level contains what looks like a phone number and a person&#39;s "
        "name: reword it, or redact it" in page
    )
    assert 'href="#risk_reason"' in page
    assert "07700 900123</mark>" in page and "Mary Jones</mark>" in page
    assert "Redact and save" in page
    # The coordinator may save it as written, as the chair may.
    assert "Save as written" in page


def test_redact_and_save_stores_the_redacted_risk_reason(client, people):
    sign_in(client, people.coordinator)
    response = _refer(client, people.panel, risk_reason=DIRTY, guard_action="redact")
    assert response.status_code == 302
    assert db.session.scalars(db.select(LiveCase)).one().risk_reason == REDACTED
    page = _page(client.get(response.location))
    assert "[PHONE]" in page and "07700 900123" not in page


def test_the_chair_may_save_past_the_guard_with_a_reason_that_is_audited(client, people):
    sign_in(client, people.chair)
    assert "Save as written" in _page(_refer(client, people.panel, risk_reason=DIRTY))
    reason = "A fictional example agreed with the referring officer."
    saved = _refer(
        client, people.panel, risk_reason=DIRTY, guard_action="override", override_reason=reason
    )
    assert saved.status_code == 302
    event = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == AuditAction.GUARD_OVERRIDE)
    )
    assert event.changes == {"reason": reason, "kinds": {"risk_reason": ["NAME", "PHONE"]}}


def test_the_summary_and_policing_area_are_guarded_too(client, people):
    sign_in(client, people.coordinator)
    page = _page(
        _refer(client, people.panel, summary="Seen by John Smith.", policing_area="CV1 5RR")
    )
    assert "Summary contains what looks like a person&#39;s name" in page
    assert "Policing area (NPU) contains what looks like a postcode" in page
    assert _case_count() == 0


# --- The case page -----------------------------------------------------------------------------


def test_the_case_page_shows_the_case_and_records_the_view(client, people):
    case = live_case(people.coordinator, people.panel)
    sign_in(client, people.member)
    page = _page(client.get(f"/live-cases/{case.id}"))
    assert f"Case {case.reference}" in page
    assert "High risk" in page and "Disability" in page
    assert "Housing, Safety" in page and RISK_REASON in page and SUMMARY in page
    assert "No interventions agreed yet." in page
    viewed = db.session.scalar(
        db.select(AuditEvent).where(
            AuditEvent.object_type == "live_case", AuditEvent.action == AuditAction.VIEW
        )
    )
    assert viewed.actor_id == people.member.id and viewed.object_id == case.id


def test_organisers_see_what_they_can_do_with_the_case(client, people):
    case = live_case(people.coordinator, people.panel)
    sign_in(client, people.coordinator)
    page = _page(client.get(f"/live-cases/{case.id}"))
    assert f'href="/live-cases/{case.id}/interventions/new"' in page
    assert "Agree an intervention" in page
    assert f'href="/live-cases/{case.id}/edit"' in page
    assert f'href="/live-cases/{case.id}/close"' in page


def test_every_member_sees_every_intervention_with_owner_status_and_last_update(client, people):
    """One picture per live case: a housing officer sees that police target hardening is under
    way, read-only."""
    case = live_case(people.coordinator, people.panel)
    housing, police = people.member.organisation, people.coordinator.organisation
    ours = intervention(
        people.coordinator, case, housing, type_name="Housing action against a perpetrator"
    )
    hardening = intervention(
        people.coordinator, case, police, type_name="Target hardening at the victim’s home"
    )
    services.update_intervention(
        people.coordinator,
        hardening,
        status=InterventionStatus.IN_PROGRESS,
        text="Door camera ordered.",
        version=1,
    )

    sign_in(client, people.member)
    page = _page(client.get(f"/live-cases/{case.id}"))
    assert f'href="/interventions/{ours.id}"' in page
    assert f'href="/interventions/{hardening.id}"' in page
    assert "Target hardening at the victim’s home" in page
    assert "West Midlands Police, Coventry NPU" in page and "In progress" in page
    assert "Door camera ordered." in page
    assert "not shown" not in page
    # A member may log their own organisation's, and change nothing else here.
    assert "Log an intervention Coventry Homes Partnership agreed" in page
    assert "Agree an intervention" not in page
    assert "Change the case" not in page and "Close the case" not in page


# --- Changing and closing a case ---------------------------------------------------------------


def test_the_coordinator_changes_a_case_and_puts_it_under_review(client, people):
    case = live_case(people.coordinator, people.panel)
    sign_in(client, people.coordinator)
    form = _page(client.get(f"/live-cases/{case.id}/edit"))
    assert RISK_REASON in form and 'name="version" type="hidden" value="1"' in form
    response = client.post(
        f"/live-cases/{case.id}/edit",
        data=_edit_form(case, status="under_review", risk_level="medium", needs=["community"]),
    )
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.status == LiveCaseStatus.UNDER_REVIEW
    assert case.risk_level == RiskLevel.MEDIUM
    assert case.needs == [VictimNeed.COMMUNITY]
    assert f"Case {case.reference} saved." in _page(client.get(response.location))
    event = db.session.scalar(
        db.select(AuditEvent).where(
            AuditEvent.object_type == "live_case", AuditEvent.action == AuditAction.UPDATE
        )
    )
    assert event.changes["status"] == ["open", "under_review"]


def test_a_case_cannot_be_closed_from_the_change_form(client, people):
    case = live_case(people.coordinator, people.panel)
    sign_in(client, people.coordinator)
    response = client.post(f"/live-cases/{case.id}/edit", data=_edit_form(case, status="closed"))
    assert "Select whether the case is open or under review" in _page(response)
    db.session.refresh(case)
    assert case.status == LiveCaseStatus.OPEN


def test_a_save_on_top_of_a_change_it_never_saw_is_refused_and_keeps_the_text(client, people):
    case = live_case(people.coordinator, people.panel)
    # The chair changes the case while the coordinator is editing the page drawn at version 1.
    services.update_case(
        people.chair,
        case,
        services.LiveCaseDetails(**{**_details_of(case), "risk_level": RiskLevel.STANDARD}),
        version=1,
    )
    sign_in(client, people.coordinator)
    typed = "Suspect 1 has moved away; the threats have stopped for now."
    response = client.post(
        f"/live-cases/{case.id}/edit",
        data=_form(status="open", version="1", risk_reason=typed),
    )
    page = _page(response)
    assert response.status_code == 200
    assert "Someone else saved a change to this case while you were working on it" in page
    assert typed in page
    assert 'name="version" type="hidden" value="2"' in page
    db.session.refresh(case)
    assert case.risk_reason == RISK_REASON
    assert case.risk_level == RiskLevel.STANDARD


def _details_of(live_case: LiveCase) -> dict:
    return {
        "strands": live_case.strands,
        "policing_area": live_case.policing_area,
        "risk_level": live_case.risk_level,
        "risk_reason": live_case.risk_reason,
        "needs": live_case.needs,
        "review_date": live_case.review_date,
        "summary": live_case.summary,
    }


def test_closing_records_the_outcome_and_the_case_can_no_longer_be_changed(client, people):
    case = live_case(people.coordinator, people.panel)
    sign_in(client, people.coordinator)
    assert "Did the victim report feeling safer?" in _page(
        client.get(f"/live-cases/{case.id}/close")
    )
    response = client.post(
        f"/live-cases/{case.id}/close",
        data={
            "reason": "resolved",
            "victim_outcome": "partly_met",
            "felt_safer": "yes",
            "version": "1",
        },
    )
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.status == LiveCaseStatus.CLOSED
    assert case.closure_reason == ClosureReason.RESOLVED
    assert case.victim_outcome == VictimOutcome.PARTLY_MET
    assert case.felt_safer == Answer.YES
    page = _page(client.get(response.location))
    assert f"Case {case.reference} closed." in page
    assert "Resolved: the risk has reduced" in page
    assert "Some of the victim’s needs were met" in page
    assert "Change the case" not in page and "Agree an intervention" not in page

    for url in (f"/live-cases/{case.id}/edit", f"/live-cases/{case.id}/close"):
        refused = client.post(url, data=_edit_form(case), follow_redirects=True)
        assert "This case is closed, so it can no longer be changed." in _page(refused)
    db.session.refresh(case)
    assert case.risk_reason == RISK_REASON


def test_closing_needs_every_answer(client, people):
    case = live_case(people.coordinator, people.panel)
    sign_in(client, people.coordinator)
    page = _page(client.post(f"/live-cases/{case.id}/close", data={"version": "1"}))
    assert "Select why the case is closing" in page
    assert "Select the outcome for the victim" in page
    assert "Select whether the victim reported feeling safer" in page
    db.session.refresh(case)
    assert case.status == LiveCaseStatus.OPEN


def test_closing_a_case_changed_meanwhile_is_refused_and_keeps_the_answers(client, people):
    case = live_case(people.coordinator, people.panel)
    services.update_case(
        people.chair,
        case,
        services.LiveCaseDetails(**{**_details_of(case), "risk_level": RiskLevel.MEDIUM}),
        version=1,
    )
    sign_in(client, people.coordinator)
    page = _page(
        client.post(
            f"/live-cases/{case.id}/close",
            data={
                "reason": "moved_away",
                "victim_outcome": "needs_met",
                "felt_safer": "not_known",
                "version": "1",
            },
        )
    )
    assert "Someone else saved a change to this case" in page
    assert 'value="moved_away" checked' in page
    db.session.refresh(case)
    assert case.status == LiveCaseStatus.OPEN


# --- The list ----------------------------------------------------------------------------------


def test_the_list_shows_cases_not_closed_by_default_and_filters_by_status(client, people):
    coordinator, panel = people.coordinator, people.panel
    waiting = live_case(coordinator, panel, review_date=uk_today() - timedelta(days=3))
    reviewed = live_case(coordinator, panel, risk_level=RiskLevel.STANDARD)
    services.update_case(
        coordinator,
        reviewed,
        services.LiveCaseDetails(
            **{**_details_of(reviewed), "status": LiveCaseStatus.UNDER_REVIEW}
        ),
        version=1,
    )
    closed = live_case(coordinator, panel)
    services.close_case(
        coordinator,
        closed,
        Closure(ClosureReason.VICTIM_DECLINED, VictimOutcome.NOT_KNOWN, Answer.NOT_KNOWN),
        version=1,
    )
    intervention(coordinator, waiting, people.member.organisation)

    sign_in(client, people.member)
    url = f"/panels/{panel.id}/live-cases"
    page = _page(client.get(url))
    assert waiting.reference in page and reviewed.reference in page
    assert closed.reference not in page
    assert "Review overdue" in page
    assert "High risk" in page and "Standard risk" in page
    assert "Housing, Safety" in page
    assert "Refer a case" not in page  # for the chair and coordinator only

    only_closed = _page(client.get(f"{url}?status=closed"))
    assert closed.reference in only_closed and waiting.reference not in only_closed
    under_review = _page(client.get(f"{url}?status=under_review"))
    assert reviewed.reference in under_review and waiting.reference not in under_review
    assert client.get(f"{url}?page=x").status_code == 404


def test_organisers_are_offered_to_refer_a_case(client, people):
    sign_in(client, people.chair)
    page = _page(client.get(f"/panels/{people.panel.id}/live-cases"))
    assert "Refer a case" in page and "No live cases are open or under review." in page


def _list_queries(client, panel) -> int:
    with count_queries() as queries:
        assert client.get(f"/panels/{panel.id}/live-cases").status_code == 200
    return len(queries)


def test_the_list_runs_the_same_queries_for_3_cases_as_for_30(client, people):
    def add(count):
        for _ in range(count):
            case = live_case(people.coordinator, people.panel)
            intervention(people.coordinator, case, people.member.organisation)

    sign_in(client, people.member)
    add(3)
    few = _list_queries(client, people.panel)
    add(27)
    assert _list_queries(client, people.panel) == few


def test_the_case_page_runs_the_same_queries_however_many_interventions(client, people):
    case = live_case(people.coordinator, people.panel)
    # Worked out once: reading case.id after a commit would count the test's own query.
    url = f"/live-cases/{case.id}"
    intervention(people.coordinator, case, people.member.organisation)
    sign_in(client, people.member)

    def queries() -> int:
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        return len(counted)

    # The day's first opening also writes its audit event; compare later openings.
    client.get(url)
    one = queries()
    for owner in (people.member.organisation, people.coordinator.organisation) * 3:
        intervention(people.coordinator, case, owner)
    assert queries() == one


# --- Who may do what ---------------------------------------------------------------------------


def test_a_member_sees_the_list_and_the_case_but_cannot_change_anything(client, people):
    case = live_case(people.coordinator, people.panel)
    kind = services.intervention_types(people.panel)[0]
    sign_in(client, people.member)
    assert client.get(f"/panels/{people.panel.id}/live-cases").status_code == 200
    assert client.get(f"/live-cases/{case.id}").status_code == 200
    for url in (
        f"/panels/{people.panel.id}/live-cases/new",
        f"/live-cases/{case.id}/edit",
        f"/live-cases/{case.id}/close",
        f"/panels/{people.panel.id}/intervention-types",
    ):
        assert client.get(url).status_code == 403
        assert client.post(url, data=_edit_form(case, name="x")).status_code == 403
    assert client.post(f"/intervention-types/{kind.id}/retire").status_code == 403
    assert _case_count() == 1
    db.session.refresh(kind)
    assert kind.active


def test_the_service_refuses_a_member_referring_changing_or_closing_a_case(people):
    # What the pages refuse a member (403), the services refuse too, whoever calls them.
    case = live_case(people.coordinator, people.panel)
    kind = services.intervention_types(people.panel)[0]
    member, version = people.member, case.version
    events = db.session.scalar(db.select(db.func.count(AuditEvent.id)))
    closure = Closure(ClosureReason.RESOLVED, VictimOutcome.NEEDS_MET, Answer.YES)
    refused = [
        lambda: services.refer_case(member, people.panel, case_details()),
        lambda: services.update_case(
            member, case, case_details(risk_level=RiskLevel.STANDARD), version
        ),
        lambda: services.close_case(member, case, closure, version),
        lambda: services.add_intervention_type(member, people.panel, "Street pastors"),
        lambda: services.set_intervention_type_active(member, kind, False),
    ]
    for call in refused:
        with pytest.raises(NotAllowed):
            call()
    assert _case_count() == 1
    db.session.refresh(case)
    db.session.refresh(kind)
    assert (case.version, case.status, case.risk_level) == (
        version,
        LiveCaseStatus.OPEN,
        RiskLevel.HIGH,
    )
    assert kind.active
    assert len(services.intervention_types(people.panel)) == len(DEFAULT_INTERVENTION_TYPES)
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) == events


def test_a_reader_is_refused_live_cases(client, people):
    case = live_case(people.coordinator, people.panel)
    sign_in(client, people.reader)
    assert client.get(f"/panels/{people.panel.id}/live-cases").status_code == 404
    assert client.get(f"/live-cases/{case.id}").status_code == 404
    assert "Live cases" not in _page(client.get(f"/panels/{people.panel.id}"))


def test_someone_from_another_panel_cannot_learn_a_case_exists(client, people):
    case = live_case(people.coordinator, people.panel)
    sign_in(client, people.outsider)
    assert client.get(f"/panels/{people.panel.id}/live-cases").status_code == 404
    assert client.get(f"/live-cases/{case.id}").status_code == 404
    assert client.post(f"/live-cases/{case.id}/close").status_code == 404
    assert client.get("/live-cases/999999").status_code == 404


def test_a_scrutiny_panel_has_no_live_cases(client, isp):  # noqa: F811
    for person in (isp.chair, isp.member):
        sign_in(client, person)
        assert client.get(f"/panels/{isp.panel.id}/live-cases").status_code == 403
        assert client.get(f"/panels/{isp.panel.id}/live-cases/new").status_code == 403
        assert "Live cases" not in _page(client.get(f"/panels/{isp.panel.id}"))
        client.post("/sign-out")


def test_the_panel_page_links_members_to_the_live_cases(client, people):
    sign_in(client, people.member)
    page = _page(client.get(f"/panels/{people.panel.id}"))
    assert f'href="/panels/{people.panel.id}/live-cases"' in page


# --- Intervention types ------------------------------------------------------------------------


def _types_url(people) -> str:
    return f"/panels/{people.panel.id}/intervention-types"


def test_the_panel_starts_with_the_default_intervention_types(client, people):
    sign_in(client, people.coordinator)
    page = _page(client.get(_types_url(people)))
    for name in DEFAULT_INTERVENTION_TYPES:
        assert name in page
    assert page.count("Retire<span") == len(DEFAULT_INTERVENTION_TYPES)


def test_the_coordinator_adds_an_intervention_type_and_a_duplicate_is_refused(client, people):
    sign_in(client, people.coordinator)
    response = client.post(_types_url(people), data={"name": "Hate crime awareness session"})
    assert response.status_code == 302
    assert "Intervention type ‘Hate crime awareness session’ added." in _page(
        client.get(response.location)
    )
    names = [t.name for t in services.intervention_types(people.panel)]
    assert names[-1] == "Hate crime awareness session"

    duplicate = client.post(_types_url(people), data={"name": "restorative justice"})
    page = _page(duplicate)
    assert duplicate.status_code == 200
    assert "There is a problem" in page
    assert "The panel already has the type ‘restorative justice’." in page
    assert 'value="restorative justice"' in page
    empty = _page(client.post(_types_url(people), data={"name": " "}))
    assert "Enter the name of the intervention type" in empty
    long = _page(client.post(_types_url(people), data={"name": "x" * 121}))
    assert "Intervention type must be 120 characters or fewer" in long


def test_a_type_name_with_personal_data_is_refused_before_it_reaches_insight(client, people):
    # Type names label the insight tables and the reader-safe annual report: a name that points
    # at a person would be published with them.
    sign_in(client, people.coordinator)
    response = client.post(_types_url(people), data={"name": "Housing action against Paul Venn"})
    page = _page(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Intervention type contains what looks like a person&#39;s name" in page
    assert "Housing action against Paul Venn" not in [
        t.name for t in services.intervention_types(people.panel)
    ]
    redacted = client.post(
        _types_url(people),
        data={"name": "Housing action against Paul Venn", "guard_action": "redact"},
    )
    assert redacted.status_code == 302
    assert services.intervention_types(people.panel)[-1].name == "Housing action against [PERSON 1]"


def test_a_retired_type_is_no_longer_offered_and_can_be_restored(client, people):
    sign_in(client, people.coordinator)
    kind = services.intervention_types(people.panel)[0]
    response = client.post(f"/intervention-types/{kind.id}/retire")
    assert response.status_code == 302
    db.session.expire_all()
    assert kind not in services.intervention_types(people.panel)
    page = _page(client.get(response.location))
    assert f"Intervention type ‘{kind.name}’ retired" in page
    assert "Retired" in page and "Restore" in page
    assert client.get(f"/intervention-types/{kind.id}/retire").status_code == 405

    client.post(f"/intervention-types/{kind.id}/restore")
    db.session.expire_all()
    assert kind in services.intervention_types(people.panel)
    event = db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.object_type == "intervention_type")
        .order_by(AuditEvent.id)
    ).all()
    assert [e.changes["active"] for e in event] == [[True, False], [False, True]]


def test_another_panels_intervention_type_cannot_be_retired(client, people):
    other = factories.panel("Solihull Hate Crime Panel")
    kind = services.intervention_types(other)[0]
    sign_in(client, people.coordinator)
    assert client.post(f"/intervention-types/{kind.id}/retire").status_code == 404
    assert db.session.get(InterventionType, kind.id).active

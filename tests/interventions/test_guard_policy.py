"""The guard on a local panel's text, field by field: a progress note may say when something
happened ("met the job coach on 1 December"); the story of the incident may not; and a member
may save what the guard stopped with a reason, which the coordinator then sees."""

from __future__ import annotations

from datetime import timedelta

from panel.core.audit import AuditAction, AuditEvent
from panel.core.time import uk_today
from panel.extensions import db
from panel.interventions.models import InterventionUpdate, LiveCase
from panel.panels.models import GuardOverride
from tests.conftest import sign_in
from tests.interventions.conftest import RISK_REASON, SUMMARY, agreed

PROGRESS = "Met the job coach on 1 December; the victim starts the course in January."


def _housing_intervention(partners):
    return agreed(
        partners.people.coordinator,
        partners.panel,
        partners.housing,
        due=uk_today() + timedelta(days=28),
        live_case=partners.live_case,
    )


def _update(client, intervention, text, **extra):
    return client.post(
        f"/interventions/{intervention.id}/update",
        data={"status": "unchanged", "text": text, "version": "1", **extra},
    )


def _texts(intervention) -> list[str | None]:
    return list(
        db.session.scalars(
            db.select(InterventionUpdate.text)
            .where(InterventionUpdate.intervention_id == intervention.id)
            .order_by(InterventionUpdate.id)
        )
    )


def test_a_progress_update_with_an_exact_date_is_saved_as_written(client, partners):
    intervention = _housing_intervention(partners)
    sign_in(client, partners.people.member)
    response = _update(client, intervention, PROGRESS)
    assert response.status_code == 302
    assert _texts(intervention)[-1] == PROGRESS


def test_a_date_of_birth_in_a_progress_update_is_still_refused(client, partners):
    intervention = _housing_intervention(partners)
    sign_in(client, partners.people.member)
    page = _update(client, intervention, "The victim (born 1 December 1990) met the coach.")
    assert "Update contains what looks like a date of birth" in page.get_data(as_text=True)
    assert _texts(intervention) == [None]


def test_the_same_date_in_a_live_cases_risk_reason_is_refused(client, people):
    sign_in(client, people.coordinator)
    response = client.post(
        f"/panels/{people.panel.id}/live-cases/new",
        data={
            "strands": "disability",
            "policing_area": "Coventry NPU",
            "referred_by_id": "",
            "risk_level": "high",
            "risk_reason": f"{RISK_REASON} The last attack was on 1 December.",
            "needs": ["housing"],
            "review_date": _day_fields(uk_today() + timedelta(days=28)),
            "summary": SUMMARY,
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Reason for the risk level contains what looks like an exact date" in page
    assert db.session.scalar(db.select(db.func.count(LiveCase.id))) == 0


def _day_fields(day) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def test_redacting_a_progress_update_keeps_the_date_and_replaces_the_name(client, partners):
    intervention = _housing_intervention(partners)
    sign_in(client, partners.people.member)
    response = _update(
        client,
        intervention,
        "Met the job coach, Dorota Kowalczyk, on 1 December.",
        guard_action="redact",
    )
    assert response.status_code == 302
    assert _texts(intervention)[-1] == "Met the job coach, [PERSON 1], on 1 December."


def test_a_member_saves_past_the_guard_with_a_reason_the_coordinator_then_sees(client, partners):
    intervention = _housing_intervention(partners)
    member = partners.people.member
    sign_in(client, member)
    text = "Referred to the victim's support worker, Dorota Kowalczyk."
    stopped = _update(client, intervention, text).get_data(as_text=True)
    assert "Save as written" in stopped and "Why must this be saved as written?" in stopped
    assert "Only the chair can do this" not in stopped

    reason = "She is the named worker at the charity, and the victim asked us to use her name."
    saved = _update(client, intervention, text, guard_action="override", override_reason=reason)
    assert saved.status_code == 302
    assert _texts(intervention)[-1] == text
    event = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == AuditAction.GUARD_OVERRIDE)
    )
    assert (event.actor_id, event.object_type) == (member.id, "intervention")
    assert event.changes == {"reason": reason, "kinds": {"text": ["NAME"]}}
    kept = db.session.scalars(db.select(GuardOverride)).one()
    assert (kept.panel_id, kept.reason, kept.kinds) == (partners.panel.id, reason, ["NAME"])

    # The member's own home page has no such list; the coordinator's has, without the text.
    assert "Text saved past the personal-data guard" not in client.get("/").get_data(as_text=True)
    client.post("/sign-out")
    sign_in(client, partners.people.coordinator)
    home = client.get("/").get_data(as_text=True)
    listed = home[home.index('id="guard-overrides"') :]
    assert "Text saved past the personal-data guard" in home
    assert f'href="/interventions/{intervention.id}"' in listed
    assert "Grace Mensah" in listed
    assert reason.replace("'", "&#39;") in listed or reason in listed
    assert "a person&#39;s name" in listed or "a person's name" in listed
    assert "Dorota Kowalczyk" not in home

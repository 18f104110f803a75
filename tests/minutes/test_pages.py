"""The members' minutes pages: the meeting page's way in, the minutes page with both layers, the
notes page built from the agenda and guarded against personal data, the full PDF, versions, a
member's declared interest, the panel's protective marking, and fixed query counts."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from panel.cases.agreement import services as agreement
from panel.core.audit import AuditAction, AuditEvent
from panel.meetings.agenda import services as agenda
from panel.meetings.models import MeetingStatus
from panel.minutes import services
from panel.minutes.models import Minutes
from panel.minutes.pdf import render_pdf
from panel.panels.models import Panel
from tests import factories
from tests.conftest import sign_in
from tests.lessons.conftest import scrutiny  # noqa: F401  (the scrutiny panel with a police member)
from tests.meetings.factories import meeting_on
from tests.minutes import minuted_meeting
from tests.minutes.conftest import (
    OVERALL_VIEW,
    PUBLIC_NOTE,
    RESTRICTED_NOTE,
    STAGE_COMMENT,
    approved,
    notes_form,
)
from tests.querycount import count_queries


def _minutes_url(held, rest: str = "") -> str:
    return f"/meetings/{held.meeting.id}/minutes{rest}"


def _events(db, action: AuditAction, minutes: Minutes) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .where(
                AuditEvent.action == action,
                AuditEvent.object_type == "minutes",
                AuditEvent.object_id == minutes.id,
            )
            .order_by(AuditEvent.id)
        )
    )


# --- The way in --------------------------------------------------------------------------------


def test_meeting_page_offers_to_start_the_minutes_to_organisers_only(client, held):
    meeting_url = f"/meetings/{held.meeting.id}"
    sign_in(client, held.people.member)
    page = client.get(meeting_url).get_data(as_text=True)
    assert 'id="minutes"' in page and "The minutes have not been started." in page
    assert "Start the minutes" not in page
    client.post("/sign-out")

    sign_in(client, held.people.coordinator)
    assert "Start the minutes" in client.get(meeting_url).get_data(as_text=True)
    client.post(_minutes_url(held, "/start"))
    page = client.get(meeting_url).get_data(as_text=True)
    assert "Continue the minutes" in page and "Draft" in page
    assert f'href="{_minutes_url(held, "/versions")}"' in page
    client.post("/sign-out")

    sign_in(client, held.people.member)
    page = client.get(meeting_url).get_data(as_text=True)
    assert "Read the minutes" in page and "Continue the minutes" not in page


def test_minutes_page_before_the_minutes_are_started(client, held):
    sign_in(client, held.people.member)
    page = client.get(_minutes_url(held)).get_data(as_text=True)
    assert "The minutes of this meeting have not been started." in page
    assert "Start the minutes" not in page
    assert client.get(_minutes_url(held, ".pdf")).status_code == 404
    assert client.get(_minutes_url(held, "/versions")).status_code == 404


# --- The minutes page --------------------------------------------------------------------------


def test_minutes_page_shows_both_layers_with_restricted_notes_marked(app, client, held):
    minutes = approved(app, held)
    sign_in(client, held.people.member)
    page = client.get(_minutes_url(held)).get_data(as_text=True)
    document = page[page.index('id="minutes-document"') :]
    assert PUBLIC_NOTE in document and RESTRICTED_NOTE in document
    restricted_block = document[: document.index(RESTRICTED_NOTE)]
    assert restricted_block.rindex("Restricted: panel members only") > restricted_block.rindex(
        "<h2"
    )
    assert STAGE_COMMENT in document and OVERALL_VIEW in document
    assert "Approved" in page and "Harriet Lang" in page
    assert "Version</dt>" not in page  # the summary list renders keys with whitespace
    # A member sees no buttons: they neither write nor approve.
    assert "Review and publish" not in page and "Start a new version" not in page
    assert minutes.status.label in page


def test_only_approved_minutes_can_be_reviewed_for_publication(app, client, held):
    sign_in(client, held.people.chair)
    client.post(_minutes_url(held, "/start"))
    response = client.get(_minutes_url(held, "/publish"), follow_redirects=True)
    assert "Only approved minutes can be published." in response.get_data(as_text=True)


def test_a_cancelled_meeting_has_no_minutes(client, held, db):
    held.meeting.status = MeetingStatus.CANCELLED
    db.session.commit()
    sign_in(client, held.people.coordinator)
    page = client.get(_minutes_url(held)).get_data(as_text=True)
    assert "This meeting was cancelled, so it has no minutes." in page
    assert 'id="minutes"' not in client.get(f"/meetings/{held.meeting.id}").get_data(as_text=True)


def test_buttons_follow_the_role_and_the_status(app, client, held, db):
    sign_in(client, held.people.coordinator)
    client.post(_minutes_url(held, "/start"))
    page = client.get(_minutes_url(held)).get_data(as_text=True)
    assert "Edit notes" in page and "Submit for approval" in page
    client.post("/sign-out")
    sign_in(client, held.people.chair)
    page = client.get(_minutes_url(held)).get_data(as_text=True)
    # The chair organises too: they may write the draft.
    assert "Edit notes" in page and "Approve" not in page.split('id="minutes-document"')[0]


# --- The notes page ----------------------------------------------------------------------------


def test_notes_page_follows_the_agenda_with_what_panel_adds_for_a_case(client, held):
    sign_in(client, held.people.coordinator)
    client.post(_minutes_url(held, "/start"))
    page = client.get(_minutes_url(held, "/edit")).get_data(as_text=True)
    titles = [item.title for item in held.items()]
    positions = [page.index(f"{number}. {title}</h2>") for number, title in enumerate(titles, 1)]
    assert positions == sorted(positions)
    for item in held.items():
        assert f'name="restricted_{item.id}"' in page and f'name="public_{item.id}"' in page
    assert page.count("Restricted notes (panel members only)") == len(titles)
    assert page.count("Public notes (readers will see these)") == len(titles)
    assert "Panel will include" in page
    assert "Investigation: Area for improvement" in page
    assert "Lesson " in page and "(area for improvement, investigation)" in page
    # The standing agenda has "Any other business": no separate fields for it.
    assert 'name="aob_public"' not in page
    assert 'name="edit_version"' in page


def test_any_other_business_has_its_own_fields_when_the_agenda_has_no_such_item(
    app, client, held, db
):
    with app.test_request_context():
        aob = next(item for item in held.items() if item.title == "Any other business")
        agenda.remove_item(held.people.coordinator, aob)
    sign_in(client, held.people.coordinator)
    client.post(_minutes_url(held, "/start"))
    page = client.get(_minutes_url(held, "/edit")).get_data(as_text=True)
    assert 'name="aob_restricted"' in page and 'name="aob_public"' in page
    minutes = held.minutes()
    response = client.post(
        _minutes_url(held, "/edit"),
        data=notes_form(
            minutes,
            {},
            aob_restricted="A member raised a concern to follow up privately.",
            aob_public="The chair reminded members of the community forum next month.",
        ),
    )
    assert response.status_code == 302
    db.session.refresh(minutes)
    assert minutes.aob_public == "The chair reminded members of the community forum next month."
    page = client.get(_minutes_url(held)).get_data(as_text=True)
    assert 'id="any-other-business"' in page
    assert "A member raised a concern to follow up privately." in page


def test_guard_stops_a_phone_number_in_public_notes(client, held, db):
    sign_in(client, held.people.coordinator)
    client.post(_minutes_url(held, "/start"))
    minutes = held.minutes()
    item = held.case_item()
    number = next(n for n, i in enumerate(held.items(), start=1) if i.id == item.id)
    text = "The victim asked to be called back on 07700 900123 about the outcome."
    stopped = client.post(
        _minutes_url(held, "/edit"), data=notes_form(minutes, {item.id: ("", text)})
    )
    assert stopped.status_code == 200
    page = stopped.get_data(as_text=True)
    message = f"Public notes on item {number} contains what looks like a phone number"
    assert page.count(message) == 2  # in the error summary and beside the field
    assert f'href="#public_{item.id}"' in page
    assert "Redact and save" in page and "Save as written" in page  # as the chair may
    db.session.refresh(minutes)
    assert minutes.note_for(item.id) is None

    redacted = client.post(
        _minutes_url(held, "/edit"),
        data=notes_form(minutes, {item.id: ("", text)}, guard_action="redact"),
    )
    assert redacted.status_code == 302
    db.session.refresh(minutes)
    assert minutes.note_for(item.id).public == (
        "The victim asked to be called back on [PHONE] about the outcome."
    )


def test_the_chair_may_save_past_the_guard_with_a_reason_which_is_audited(client, held, db):
    sign_in(client, held.people.chair)
    client.post(_minutes_url(held, "/start"))
    minutes = held.minutes()
    item = held.case_item()
    text = "Members agreed to invite the Tell MAMA caseworker on 07700 900123 next time."
    stopped = client.post(
        _minutes_url(held, "/edit"), data=notes_form(minutes, {item.id: (text, "")})
    ).get_data(as_text=True)
    assert "Save as written" in stopped
    saved = client.post(
        _minutes_url(held, "/edit"),
        data=notes_form(
            minutes,
            {item.id: (text, "")},
            guard_action="override",
            override_reason="The number is the charity's public helpline.",
        ),
    )
    assert saved.status_code == 302
    (event,) = _events(db, AuditAction.GUARD_OVERRIDE, minutes)
    assert event.changes["reason"] == "The number is the charity's public helpline."


def test_notes_longer_than_the_limit_are_refused(client, held):
    sign_in(client, held.people.coordinator)
    client.post(_minutes_url(held, "/start"))
    item = held.items()[0]
    page = client.post(
        _minutes_url(held, "/edit"),
        data=notes_form(held.minutes(), {item.id: ("a " * 6_000, "")}),
    ).get_data(as_text=True)
    assert "Restricted notes on item 1 must be 10,000 characters or fewer" in page


# --- The full PDF ------------------------------------------------------------------------------


def test_member_downloads_the_full_minutes_as_a_pdf_which_is_audited(app, client, held, db):
    minutes = approved(app, held)
    sign_in(client, held.people.member)
    response = client.get(_minutes_url(held, ".pdf"))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert ".pdf" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages
    ).replace("\n", " ")
    assert "the coordinator will raise it" in text  # restricted notes are in the full copy
    (event,) = _events(db, AuditAction.DOWNLOAD, minutes)
    assert event.actor_id == held.people.member.id
    assert event.changes == {"version": 1, "layer": "full"}


# --- Versions ----------------------------------------------------------------------------------


def test_an_earlier_version_reads_as_it_was_approved(app, client, held, db):
    minutes = approved(app, held)
    with app.test_request_context():
        services.new_version(held.people.coordinator, minutes, minutes.edit_version)
        services.save_notes(
            held.people.coordinator,
            minutes,
            {held.case_item().id: services.ItemNotes(RESTRICTED_NOTE, "A corrected note.")},
            services.ItemNotes(None, None),
            minutes.edit_version,
        )
    sign_in(client, held.people.member)
    current = client.get(_minutes_url(held)).get_data(as_text=True)
    assert "A corrected note." in current and PUBLIC_NOTE not in current
    first = client.get(_minutes_url(held, "/versions/1")).get_data(as_text=True)
    assert PUBLIC_NOTE in first and "A corrected note." not in first
    versions = client.get(_minutes_url(held, "/versions")).get_data(as_text=True)
    assert "Not yet approved" in versions and "Not published" in versions


@pytest.mark.parametrize(
    "query",
    [
        "from=2&to=1",
        "from=1&to=3",
        "from=x&to=1",
        "from=&to=1",
        "from=1&to=",
        "from=1&to=-1",
        "from=%C2%B2&to=1",  # a superscript two is a digit, but not a version number
        "from=draft&to=1",
        "from=1&to=draft",  # approved: there is no draft to compare with
        "to=1",
    ],
)
def test_unknown_versions_are_not_found(app, client, held, query):
    approved(app, held)
    sign_in(client, held.people.member)
    assert client.get(_minutes_url(held, f"/compare?{query}")).status_code == 404


def test_version_pages_of_unknown_numbers_are_not_found(app, client, held):
    approved(app, held)
    sign_in(client, held.people.member)
    assert client.get(_minutes_url(held, "/versions/1")).status_code == 200
    assert client.get(_minutes_url(held, "/versions/2")).status_code == 404
    assert client.get(_minutes_url(held, "/versions/0")).status_code == 404
    assert client.get(_minutes_url(held, "/compare?from=1&to=1")).status_code == 200


# --- Who may see what --------------------------------------------------------------------------


def test_people_off_the_panel_are_not_told_the_minutes_exist(app, client, held):
    approved(app, held)
    for person in (held.people.outsider, held.people.admin):
        sign_in(client, person)
        for rest in ("", ".pdf", "/versions", "/versions/1", "/compare?from=1&to=1", "/edit"):
            assert client.get(_minutes_url(held, rest)).status_code == 404, rest
        client.post("/sign-out")


def test_a_member_who_has_not_accepted_the_agreement_is_asked_to_first(app, client, held, db):
    approved(app, held)
    newcomer = factories.user(email="new.member@example.org", full_name="Ola Bello")
    factories.membership(held.panel, newcomer, held.people.member.memberships[0].role)
    sign_in(client, newcomer)
    response = client.get(_minutes_url(held))
    assert response.status_code == 302
    assert response.location.startswith(f"/panels/{held.panel.id}/confidentiality?next=")
    with app.test_request_context():
        agreement.accept(newcomer, held.panel)
    assert client.get(_minutes_url(held)).status_code == 200


def test_start_the_minutes_carries_on_after_the_agreement_interrupts_it(app, client, held, db):
    """A coordinator new to the panel presses "Start the minutes"; the agreement comes first, and
    accepting it brings them back to starting the minutes, not to the meeting page."""
    coordinator = factories.user(email="new.coordinator@example.org", full_name="Ben Achebe")
    factories.membership(held.panel, coordinator, held.people.coordinator.memberships[0].role)
    sign_in(client, coordinator)
    meeting_page = f"/meetings/{held.meeting.id}"
    response = client.post(_minutes_url(held, "/start"), headers={"Referer": meeting_page})
    assert response.location.startswith(f"/panels/{held.panel.id}/confidentiality?next=")
    accepted = client.post(response.location, data={"agree": "y"})
    assert accepted.location == _minutes_url(held, "/start")
    page = client.get(accepted.location).get_data(as_text=True)
    assert "Start the minutes" in page
    started = client.post(_minutes_url(held, "/start"))
    assert started.location == _minutes_url(held, "/edit")
    assert held.minutes() is not None


# --- The panel's protective marking ------------------------------------------------------------


def test_admin_sets_the_panels_protective_marking_which_the_minutes_carry(app, client, held, db):
    panel = held.panel
    sign_in(client, held.people.admin)
    form = client.get(f"/admin/panels/{panel.id}/edit").get_data(as_text=True)
    assert 'name="protective_marking"' in form and 'value="OFFICIAL-SENSITIVE"' in form
    data = {"name": panel.name, "kind": panel.kind.value, "area": panel.area}
    too_long = client.post(
        f"/admin/panels/{panel.id}/edit", data={**data, "protective_marking": "X" * 61}
    ).get_data(as_text=True)
    assert too_long.count("Protective marking must be 60 characters or fewer") == 2
    client.post(f"/admin/panels/{panel.id}/edit", data={**data, "protective_marking": "OFFICIAL"})
    db.session.refresh(panel)
    assert panel.protective_marking == "OFFICIAL"
    client.post(f"/admin/panels/{panel.id}/edit", data={**data, "protective_marking": ""})
    db.session.refresh(panel)
    assert panel.protective_marking == "OFFICIAL-SENSITIVE"
    client.post(
        "/admin/panels/new",
        data={
            "name": "Solihull Independent Advisory Group",
            "kind": "independent_advisory_group",
            "area": "Solihull",
            "protective_marking": "OFFICIAL",
        },
    )
    created = db.session.scalar(db.select(Panel).where(Panel.area == "Solihull"))
    assert created.protective_marking == "OFFICIAL"
    client.post("/sign-out")

    panel.protective_marking = "OFFICIAL"
    db.session.commit()
    approved(app, held)
    sign_in(client, held.people.member)
    page = client.get(_minutes_url(held)).get_data(as_text=True)
    assert re.search(r"Protective marking\s*</dt>\s*<dd[^>]*>\s*OFFICIAL\s*</dd>", page)


# --- Query counts ------------------------------------------------------------------------------


def _meeting_with_cases(app, scrutiny, cases: int, days_ago: int):  # noqa: F811
    with app.test_request_context():
        return minuted_meeting.build(
            scrutiny.panel,
            chair=scrutiny.chair,
            coordinator=scrutiny.people.coordinator,
            organisations=[scrutiny.police, scrutiny.chair.organisation],
            case_count=cases,
            days_ago=days_ago,
        )


def _queries(client, path: str) -> int:
    with count_queries() as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def test_minutes_pages_take_the_same_number_of_queries_for_2_or_6_case_reviews(
    app,
    client,
    scrutiny,  # noqa: F811
    db,
):
    # Both meetings follow an earlier one, so both minutes say what became of its minutes.
    meeting_on(scrutiny.panel, days_from_now=-70, status=MeetingStatus.HELD)
    few = _meeting_with_cases(app, scrutiny, 2, days_ago=42)
    many = _meeting_with_cases(app, scrutiny, 6, days_ago=14)
    sign_in(client, scrutiny.chair)
    counts = {}
    for name, built in (("few", few), ("many", many)):
        base = f"/meetings/{built.meeting.id}/minutes"
        counts[name] = {"draft": _queries(client, base), "edit": _queries(client, f"{base}/edit")}
    assert counts["few"] == counts["many"]

    lists = []
    for built in (few, many):
        minutes = built.minutes
        with app.test_request_context():
            services.submit(scrutiny.people.coordinator, minutes, minutes.edit_version)
            services.approve(scrutiny.chair, minutes, minutes.edit_version)
            services.publish(scrutiny.chair, minutes, minutes.edit_version, render=render_pdf)
        lists.append(_queries(client, "/minutes"))
    assert lists[0] == lists[1]
    for name, built in (("few", few), ("many", many)):
        base = f"/meetings/{built.meeting.id}/minutes"
        counts[name] = {
            "published members' page": _queries(client, base),
            "versions": _queries(client, f"{base}/versions"),
            "readers' page": _queries(client, f"/minutes/{built.minutes.id}"),
        }
    assert counts["few"] == counts["many"]

"""Issue 14: local panel partners run their own work.

* A member logs what their own organisation agreed (on a live case, or for a place), marked
  "logged by partner"; the chair and coordinator see new ones on their home page.
* Owners must sit on the panel: any other organisation is refused beside the owner field, with
  how to add it.
* One picture per live case: every member sees every intervention, read-only when another
  organisation owns it; only updates the owner restricted stay within the organisation that
  wrote them (the chair and coordinator included).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from panel.access import NotAllowed
from panel.cases.agreement import services as agreement
from panel.cases.vocabularies import Answer
from panel.core.database import utcnow
from panel.core.time import uk_today
from panel.extensions import db
from panel.interventions import services
from panel.interventions.lifecycle import InterventionRefused
from panel.interventions.models import Intervention, InterventionUpdate
from panel.interventions.services import InterventionDetails, OwnerNotOnPanel
from panel.interventions.vocabularies import ClosureReason, InterventionStatus, VictimOutcome
from panel.panels.models import Role
from tests import factories
from tests.conftest import sign_in
from tests.interventions.conftest import INTERVENTION_TEXT, agreed, date_fields, live_case

S = InterventionStatus
HOUSING = "Coventry Homes Partnership"
VOICES = "Coventry Community Voices"  # the reader's organisation: nobody else from it sits there


def _page(response) -> str:
    return unescape(response.get_data(as_text=True))


def _form(partners, **overrides) -> dict:
    kinds = services.intervention_types(partners.panel)
    return {
        "type_id": str(kinds[2].id),
        "description": INTERVENTION_TEXT,
        "lead_id": "",
        **date_fields("due_date", uk_today() + timedelta(days=28)),
        "agreed_at_id": "",
        **overrides,
    }


def _details(partners, owner, **overrides) -> InterventionDetails:
    return InterventionDetails(
        type=services.intervention_types(partners.panel)[0],
        description=INTERVENTION_TEXT,
        owner=owner,
        due_date=uk_today() + timedelta(days=14),
        **overrides,
    )


def _count() -> int:
    return db.session.scalar(db.select(sa.func.count(Intervention.id)))


# --- 1. A member logs what their organisation agreed ------------------------------------------


def test_a_member_logs_an_intervention_her_organisation_agreed_on_a_live_case(client, partners):
    member, case = partners.people.member, partners.live_case
    sign_in(client, member)
    case_page = _page(client.get(f"/live-cases/{case.id}"))
    path = f"/live-cases/{case.id}/interventions/new"
    assert f'href="{path}"' in case_page
    assert f"Log an intervention {HOUSING} agreed" in case_page

    form_page = client.get(path)
    assert form_page.status_code == 200
    form_html = _page(form_page)
    # Her organisation is the owner, as text: no list of other organisations to pick from.
    assert 'name="owner_organisation_id"' not in form_html
    assert f'<p class="govuk-body" id="owner">{HOUSING}</p>' in form_html
    assert "Grace Mensah (Coventry Homes Partnership)" in form_html
    assert "Claire Doyle" not in form_html  # leads come from her own organisation only

    response = client.post(path, data=_form(partners, lead_id=str(member.id)))
    assert response.status_code == 302
    made = db.session.scalars(db.select(Intervention)).one()
    assert (made.owner_organisation_id, made.lead_id, made.created_by_id) == (
        partners.housing.id,
        member.id,
        member.id,
    )
    assert made.logged_by_partner and made.live_case_id == case.id
    page = _page(client.get(response.location))
    assert "Intervention logged." in page
    assert "Logged by partner" in page
    assert "Add an update" in page  # hers to update
    listed = _page(client.get(f"/panels/{partners.panel.id}/interventions"))
    assert f'id="intervention-{made.id}"' in listed and "Logged by partner" in listed


def test_a_member_logs_an_intervention_for_a_place_from_the_panels_list(client, partners):
    sign_in(client, partners.people.member)
    listed = _page(client.get(f"/panels/{partners.panel.id}/interventions"))
    path = f"/panels/{partners.panel.id}/interventions/new"
    assert f'href="{path}"' in listed
    assert "Log an intervention for a place or community" in listed
    response = client.post(path, data=_form(partners, place_or_community="Foleshill"))
    assert response.status_code == 302
    made = db.session.scalars(db.select(Intervention)).one()
    assert made.place_or_community == "Foleshill" and made.logged_by_partner
    assert made.owner_organisation_id == partners.housing.id


def test_a_member_never_logs_for_another_organisation(client, partners):
    sign_in(client, partners.people.member)
    # A crafted owner is not even read: the form has no owner field for a member.
    response = client.post(
        f"/live-cases/{partners.live_case.id}/interventions/new",
        data=_form(partners, owner_organisation_id=str(partners.centre.id)),
    )
    assert response.status_code == 302
    assert db.session.scalars(db.select(Intervention)).one().owner_organisation_id == (
        partners.housing.id
    )
    # A lead from another organisation is refused beside the lead field.
    refused = client.post(
        f"/live-cases/{partners.live_case.id}/interventions/new",
        data=_form(partners, lead_id=str(partners.centre_member.id)),
    )
    assert refused.status_code == 200 and 'id="lead_id-error"' in _page(refused)
    # The service refuses it whoever calls it.
    with pytest.raises(InterventionRefused, match="You can log only an intervention that Coventry"):
        services.agree_intervention(
            partners.people.member,
            partners.panel,
            _details(partners, partners.centre),
            live_case=partners.live_case,
        )
    assert _count() == 1


def test_organisers_agree_rather_than_log_and_readers_log_nothing(client, partners):
    made = agreed(
        partners.people.coordinator,
        partners.panel,
        partners.housing,
        due=uk_today() + timedelta(days=5),
        live_case=partners.live_case,
    )
    assert not made.logged_by_partner
    sign_in(client, partners.people.reader)
    path = f"/live-cases/{partners.live_case.id}/interventions/new"
    assert client.get(path).status_code == 404
    assert client.post(f"/panels/{partners.panel.id}/interventions/new").status_code == 404
    assert _count() == 1


def test_the_service_refuses_a_reader_logging_or_agreeing_an_intervention(partners):
    # Readers see published minutes only: the service asks `access` before anything else.
    with pytest.raises(NotAllowed):
        services.agree_intervention(
            partners.people.reader,
            partners.panel,
            _details(partners, partners.housing),
            live_case=partners.live_case,
        )
    assert _count() == 0


def test_a_closed_case_takes_no_intervention_logged_by_a_member(client, partners):
    case = live_case(partners.people.coordinator, partners.panel)
    services.close_case(
        partners.people.coordinator,
        case,
        services.Closure(ClosureReason.RESOLVED, VictimOutcome.NEEDS_MET, Answer.YES),
        case.version,
    )
    sign_in(client, partners.people.member)
    assert "Log an intervention" not in _page(client.get(f"/live-cases/{case.id}"))
    response = client.post(f"/live-cases/{case.id}/interventions/new", data=_form(partners))
    assert response.status_code == 302 and _count() == 0


def _log_as_member(partners) -> Intervention:
    return services.agree_intervention(
        partners.people.member,
        partners.panel,
        _details(partners, partners.housing),
        live_case=partners.live_case,
    ).intervention


def test_the_organisers_see_what_partners_logged_lately_on_their_home_page(client, partners):
    recent = [_log_as_member(partners) for _ in range(22)]
    old = _log_as_member(partners)
    db.session.execute(
        sa.update(Intervention)
        .where(Intervention.id == old.id)
        .values(created_at=utcnow() - timedelta(days=31))
    )
    agreed_by_coordinator = agreed(
        partners.people.coordinator,
        partners.panel,
        partners.housing,
        due=uk_today() + timedelta(days=5),
        live_case=partners.live_case,
    )
    db.session.commit()

    for organiser in (partners.people.chair, partners.people.coordinator):
        sign_in(client, organiser)
        home = _page(client.get("/"))
        section = home[home.index('id="logged-by-partners"') :]
        shown = [i for i in recent if f'href="/interventions/{i.id}"' in section]
        # Bounded: the 20 newest of the last 30 days.
        assert shown == recent[2:]
        assert f'href="/interventions/{old.id}"' not in section
        assert f'href="/interventions/{agreed_by_coordinator.id}"' not in section
        see_all = f"/panels/{partners.panel.id}/interventions?by_partners=y"
        assert f'href="{see_all}"' in section
        client.post("/sign-out")

    # The "see all" link lists every partner-logged one, and only those.
    sign_in(client, partners.people.coordinator)
    everything = _page(client.get(see_all))
    assert f"{len(recent) + 1} interventions match the filters" in everything
    assert f'id="intervention-{agreed_by_coordinator.id}"' not in everything
    client.post("/sign-out")

    sign_in(client, partners.people.member)
    assert 'id="logged-by-partners"' not in _page(client.get("/"))


# --- 3. Owners must sit on the panel -----------------------------------------------------------


def test_the_owner_list_offers_only_organisations_on_the_panel(client, partners):
    factories.organisation("Coventry City Council")  # nobody from it on the panel
    sign_in(client, partners.people.coordinator)
    page = _page(client.get(f"/live-cases/{partners.live_case.id}/interventions/new"))
    owners = page[page.index('name="owner_organisation_id"') :]
    owners = owners[: owners.index("</select>")]
    assert HOUSING in owners and "Coventry LGBT+ Centre" in owners
    assert "West Midlands Police, Coventry NPU" in owners
    assert VOICES not in owners  # a reader does not carry interventions out
    assert "Coventry City Council" not in owners


def test_an_owner_with_nobody_on_the_panel_is_refused_beside_the_field(client, partners):
    voices = partners.people.reader.organisation
    sign_in(client, partners.people.coordinator)
    response = client.post(
        f"/live-cases/{partners.live_case.id}/interventions/new",
        data=_form(partners, owner_organisation_id=str(voices.id)),
    )
    page = _page(response)
    assert response.status_code == 200
    message = (
        f"Nobody from {VOICES} sits on this panel. Ask an administrator to add someone from "
        f"{VOICES} to the panel first, then agree the intervention."
    )
    assert page.count(message) == 2  # in the error summary and beside the field
    assert 'id="owner_organisation_id-error"' in page
    assert _count() == 0


def test_the_service_refuses_an_owner_whose_only_person_there_is_inactive_or_a_reader(partners):
    centre_member = partners.centre_member
    centre_member.active = False
    db.session.commit()
    for owner in (partners.centre, partners.people.reader.organisation):
        with pytest.raises(OwnerNotOnPanel, match=re.escape(f"Nobody from {owner.name} sits")):
            services.agree_intervention(
                partners.people.coordinator,
                partners.panel,
                _details(partners, owner),
                live_case=partners.live_case,
            )
    assert _count() == 0


def test_reassigning_offers_and_accepts_only_organisations_on_the_panel(client, partners):
    made = agreed(
        partners.people.coordinator,
        partners.panel,
        partners.housing,
        due=uk_today() + timedelta(days=5),
        live_case=partners.live_case,
    )
    voices = partners.people.reader.organisation
    sign_in(client, partners.people.coordinator)
    path = f"/interventions/{made.id}/reassign"
    assert VOICES not in _page(client.get(path))
    response = client.post(
        path,
        data={
            "owner_organisation_id": str(voices.id),
            "lead_id": "",
            **date_fields("due_date", made.due_date),
            "version": "1",
        },
    )
    page = _page(response)
    assert response.status_code == 200
    assert f"Nobody from {VOICES} sits on this panel. Ask an administrator" in page
    assert 'id="owner_organisation_id-error"' in page
    with pytest.raises(OwnerNotOnPanel):
        services.reassign_intervention(
            partners.people.coordinator,
            made,
            owner=voices,
            lead=None,
            due_date=made.due_date,
            version=made.version,
        )
    db.session.expire_all()
    assert db.session.get(Intervention, made.id).owner_organisation_id == partners.housing.id


# --- 4. One picture per live case, restricted updates ------------------------------------------


@pytest.fixture
def restricted(partners) -> Intervention:
    """Housing's intervention with an open update by the chair and a restricted one by housing."""
    made = agreed(
        partners.people.coordinator,
        partners.panel,
        partners.housing,
        due=uk_today() + timedelta(days=5),
        live_case=partners.live_case,
    )
    services.update_intervention(
        partners.people.chair, made, status=S.IN_PROGRESS, text="Chased at the panel.", version=1
    )
    services.update_intervention(
        partners.people.member,
        made,
        status=None,
        text="The victim asked us not to share where she is staying.",
        version=2,
        restricted=True,
    )
    return made


SECRET = "not to share where she is staying"
PLACEHOLDER = f"Restricted update: only {HOUSING} can read it"


def test_a_restricted_update_is_read_only_within_the_organisation_that_wrote_it(
    client, partners, restricted
):
    case_url = f"/live-cases/{partners.live_case.id}"
    sign_in(client, partners.people.member)
    for url in (f"/interventions/{restricted.id}", case_url):
        page = _page(client.get(url))
        assert SECRET in page and PLACEHOLDER not in page
    client.post("/sign-out")
    # Another partner, and the chair and coordinator too: that it exists, not what it says.
    for person in (partners.centre_member, partners.people.chair, partners.people.coordinator):
        sign_in(client, person)
        for url in (f"/interventions/{restricted.id}", case_url):
            page = _page(client.get(url))
            assert SECRET not in page, (person.email, url)
            assert PLACEHOLDER in page
        assert "Chased at the panel." in _page(client.get(f"/interventions/{restricted.id}"))
        client.post("/sign-out")


def test_the_csv_keeps_a_restricted_update_within_its_organisation(client, partners, restricted):
    sign_in(client, partners.people.coordinator)
    response = client.get(f"/panels/{partners.panel.id}/interventions.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    (row,) = [r for r in rows if r["Intervention number"] == str(restricted.id)]
    assert row["Latest update"] == PLACEHOLDER
    assert SECRET not in response.get_data(as_text=True)


def test_only_the_owning_organisation_is_offered_and_may_restrict_an_update(client, partners):
    made = agreed(
        partners.people.coordinator,
        partners.panel,
        partners.housing,
        due=uk_today() + timedelta(days=5),
        live_case=partners.live_case,
    )
    sign_in(client, partners.people.member)
    page = _page(client.get(f"/interventions/{made.id}"))
    assert f"Only {HOUSING} can read this update" in page
    response = client.post(
        f"/interventions/{made.id}/update",
        data={"status": "unchanged", "text": SECRET, "restricted": "y", "version": "1"},
    )
    assert response.status_code == 302
    client.post("/sign-out")
    sign_in(client, partners.people.chair)
    assert "can read this update" not in _page(client.get(f"/interventions/{made.id}"))
    client.post("/sign-out")

    db.session.expire_all()
    last = db.session.get(Intervention, made.id).updates[-1]
    assert (last.restricted, last.author_organisation_id) == (True, partners.housing.id)
    with pytest.raises(InterventionRefused, match="Only Coventry Homes Partnership’s people"):
        services.update_intervention(
            partners.people.chair,
            made,
            status=None,
            text="x",
            version=made.version,
            restricted=True,
        )
    # The reason for not completing is the whole panel's to read.
    with pytest.raises(InterventionRefused, match="read by the whole panel"):
        services.update_intervention(
            partners.people.member,
            made,
            status=S.NOT_COMPLETED,
            text="The victim moved away.",
            version=made.version,
            restricted=True,
        )
    assert (
        db.session.scalar(
            db.select(sa.func.count(InterventionUpdate.id)).where(
                InterventionUpdate.intervention_id == made.id
            )
        )
        == 2
    )


def test_a_member_of_another_organisation_on_no_panel_role_sees_nothing(client, partners):
    """A colleague of the owner who is not on the panel, and the reader, still get a 404."""
    made = agreed(
        partners.people.coordinator,
        partners.panel,
        partners.housing,
        due=uk_today() + timedelta(days=5),
        live_case=partners.live_case,
    )
    colleague = factories.user(email="colleague@example.org", organisation_=partners.housing)
    for person in (colleague, partners.people.reader):
        sign_in(client, person)
        assert client.get(f"/interventions/{made.id}").status_code == 404
        client.post("/sign-out")
    # A new member of the panel sees it once they sit there.
    factories.membership(partners.panel, colleague, Role.MEMBER)
    agreement.accept(colleague, partners.panel)
    sign_in(client, colleague)
    assert client.get(f"/interventions/{made.id}").status_code == 200


def test_organisers_amend_what_a_partner_logged_and_the_log_says_so(client, partners):
    logged = _log_as_member(partners)
    kinds = services.intervention_types(partners.panel)
    new_due = uk_today() + timedelta(days=40)
    sign_in(client, partners.people.member)
    assert client.get(f"/interventions/{logged.id}/amend").status_code == 403
    client.post("/sign-out")

    sign_in(client, partners.people.coordinator)
    page = _page(client.get(f"/interventions/{logged.id}"))
    assert f'href="/interventions/{logged.id}/amend"' in page
    response = client.post(
        f"/interventions/{logged.id}/amend",
        data={
            "type_id": str(kinds[4].id),
            "description": "Tenancy warning to Suspect 1.",
            **date_fields("due_date", new_due),
            "version": "1",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Intervention, logged.id)
    assert (stored.type_id, stored.description, stored.due_date) == (
        kinds[4].id,
        "Tenancy warning to Suspect 1.",
        new_due,
    )
    assert stored.logged_by_partner  # still shows where it came from
    assert stored.updates[-1].text == "Amended: type, what was agreed, due date."
    assert "Intervention amended." in _page(client.get(response.location))

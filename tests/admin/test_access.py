"""Only admins reach the admin area: others are refused its lists and never learn its objects."""

import pytest

from panel.access import NotAllowed
from panel.accounts import services as accounts
from panel.accounts.links import services as links
from panel.accounts.links.models import AccountLink
from panel.accounts.models import OrganisationKind
from panel.accounts.two_factor import services as two_factor
from panel.core.audit import AuditEvent
from panel.panels import services as panel_services
from panel.panels.models import Membership, Panel, PanelKind, Role
from tests import factories

ADMIN_LISTS = [
    "/admin/organisations",
    "/admin/organisations/new",
    "/admin/users",
    "/admin/users/new",
    "/admin/panels",
    "/admin/panels/new",
    "/admin/audit-trail",
]


@pytest.mark.parametrize("url", ADMIN_LISTS)
def test_non_admin_is_refused_admin_lists(client, people, sign_in_as, url):
    sign_in_as(people.chair)
    assert client.get(url).status_code == 403


def test_non_admin_gets_not_found_for_admin_objects(client, people, sign_in_as):
    sign_in_as(people.member)
    organisation_id = people.member.organisation_id
    assert client.get(f"/admin/organisations/{organisation_id}/edit").status_code == 404
    assert (
        client.post(
            f"/admin/organisations/{organisation_id}/edit",
            data={"name": "Taken over", "kind": "other"},
        ).status_code
        == 404
    )
    assert client.get(f"/admin/users/{people.chair.id}/edit").status_code == 404
    assert client.get(f"/admin/users/{people.chair.id}/password").status_code == 404


def test_non_admin_off_the_panel_gets_not_found_for_its_admin_pages(client, people, sign_in_as):
    sign_in_as(people.outsider)
    membership = people.panel.memberships[0]
    assert client.get(f"/admin/panels/{people.panel.id}").status_code == 404
    assert client.get(f"/admin/panels/{people.panel.id}/members/new").status_code == 404
    url = f"/admin/panels/{people.panel.id}/members/{membership.id}/role"
    assert client.post(url, data={"role": "chair"}).status_code == 404


def test_panel_chair_cannot_manage_their_own_panel(client, people, sign_in_as, db):
    sign_in_as(people.chair)
    membership = people.panel.memberships[0]
    assert client.get(f"/admin/panels/{people.panel.id}/edit").status_code == 403
    url = f"/admin/panels/{people.panel.id}/members/{membership.id}/remove"
    assert client.post(url).status_code == 403


def test_signed_out_visitor_is_sent_to_sign_in(client, people):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.location.startswith("/sign-in")


# --- The services ask too ----------------------------------------------------------------------
# A command, another service or a tampered request gets the same answer as the pages: an
# administrator's operation called for anyone else raises NotAllowed before it changes anything.


def _audit_events(db) -> int:
    return db.session.scalar(db.select(db.func.count(AuditEvent.id)))


def test_the_account_services_refuse_a_non_admin(people, db):
    chair, member = people.chair, people.member
    organisation = member.organisation
    events = _audit_events(db)
    new_user = {
        "email": "takeover@example.org",
        "full_name": "Someone New",
        "organisation": organisation,
    }
    refused = [
        lambda: accounts.create_organisation(chair, name="Taken Over", kind=OrganisationKind.OTHER),
        lambda: accounts.update_organisation(chair, organisation, name="Taken Over"),
        lambda: accounts.create_user(chair, password=factories.PASSWORD, **new_user),
        lambda: links.invite_user(chair, **new_user),
        lambda: accounts.update_user(chair, member, active=False, is_admin=True),
        lambda: links.send_invitation(chair, member),
        lambda: links.send_reset_link(chair, member),
        lambda: two_factor.reset(chair, member),
    ]
    for call in refused:
        with pytest.raises(NotAllowed):
            call()
    db.session.expire_all()
    assert organisation.name != "Taken Over"
    assert accounts.find_user_by_email("takeover@example.org") is None
    assert (member.active, member.is_admin, member.has_two_factor) == (True, False, True)
    assert db.session.scalar(db.select(db.func.count(AccountLink.id))) == 0
    assert _audit_events(db) == events


def test_the_panel_services_refuse_a_non_admin_even_the_panels_chair(people, db):
    chair, panel = people.chair, people.panel
    membership = db.session.scalar(
        db.select(Membership).filter_by(panel_id=panel.id, user_id=people.reader.id)
    )
    events = _audit_events(db)
    refused = [
        lambda: panel_services.create_panel(
            chair, name="Another Panel", kind=PanelKind.SCRUTINY_PANEL, area="Coventry"
        ),
        lambda: panel_services.update_panel(chair, panel, name="Renamed"),
        lambda: panel_services.add_member(chair, panel, people.outsider, Role.MEMBER),
        lambda: panel_services.change_role(chair, membership, Role.CHAIR),
        lambda: panel_services.remove_member(chair, membership),
    ]
    for call in refused:
        with pytest.raises(NotAllowed):
            call()
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Panel.id))) == 1
    assert panel.name == "Coventry Hate Crime Panel"
    assert membership.role is Role.READER
    assert not panel_services.is_member(panel, people.outsider)
    assert _audit_events(db) == events


def test_nobody_turns_off_their_own_second_factor_through_the_service(people, db):
    # Everyone signs in with one, readers included: only an administrator resets them.
    with pytest.raises(NotAllowed):
        two_factor.reset(people.reader, people.reader)
    db.session.expire_all()
    assert people.reader.has_two_factor

"""The chair of a panel sees who has opened each of its cases (case reviews and live cases):
person, organisation, when in UK time, most recent first, with a count. Nobody else does, not
even the chair of another panel sitting on this one as a member."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from panel import audit_queries
from panel.audit import AuditAction, AuditEvent, record
from panel.panels.models import PanelKind, Role
from tests import factories
from tests.cases import factories as cases
from tests.cases.conftest import isp  # noqa: F401  (the scrutiny panel fixture)
from tests.conftest import sign_in
from tests.interventions.conftest import accept_agreement, live_case
from tests.querycount import count_queries

HEADING = "Who has viewed this case"


@pytest.fixture
def case_review(app, isp):  # noqa: F811
    with app.test_request_context():
        return cases.case_review(isp.coordinator, isp.panel)


def _open(app, user, url: str) -> str:
    """`user` signs in on their own browser and opens `url`; the page they see."""
    client = app.test_client()
    sign_in(client, user)
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _opened(db, case, user, at: datetime) -> None:
    """An opening of `case` by `user` at `at` (UTC), as the case page records it."""
    event = record(user, AuditAction.VIEW, case)
    event.occurred_at = at
    db.session.commit()


# --- The query ---------------------------------------------------------------------------------


def test_case_views_lists_openings_most_recent_first_with_counts(db, isp, case_review):  # noqa: F811
    _opened(db, case_review, isp.member, datetime(2026, 7, 1, 9, tzinfo=UTC))
    _opened(db, case_review, isp.coordinator, datetime(2026, 7, 1, 10, tzinfo=UTC))
    _opened(db, case_review, isp.member, datetime(2026, 7, 2, 9, tzinfo=UTC))

    views = audit_queries.case_views(case_review)

    assert [(view.person, view.at) for view in views.views] == [
        ("Joe Barker", datetime(2026, 7, 2, 9, tzinfo=UTC)),
        ("Imran Sadiq", datetime(2026, 7, 1, 10, tzinfo=UTC)),
        ("Joe Barker", datetime(2026, 7, 1, 9, tzinfo=UTC)),
    ]
    assert views.views[0].organisation == "CPS West Midlands"
    assert (views.total, views.people, views.more) == (3, 2, 0)


def test_case_views_counts_beyond_the_limit(db, isp, case_review):  # noqa: F811
    for hour, person in enumerate([isp.member, isp.coordinator, isp.chair, isp.member]):
        _opened(db, case_review, person, datetime(2026, 7, 1, 9 + hour, tzinfo=UTC))

    views = audit_queries.case_views(case_review, limit=2)

    assert [view.person for view in views.views] == ["Joe Barker", "Harriet Lang"]
    assert (views.total, views.people, views.more) == (4, 3, 2)


def test_case_views_takes_two_queries_however_many_people(db, isp, case_review):  # noqa: F811
    for number in range(6):
        person = factories.user(full_name=f"Partner {number}")
        _opened(db, case_review, person, datetime(2026, 7, 1, 9, number, tzinfo=UTC))

    db.session.refresh(case_review)  # as the case page has it loaded
    with count_queries() as queries:
        views = audit_queries.case_views(case_review, limit=4)

    assert len(queries) == 2
    assert [view.person for view in views.views] == [f"Partner {n}" for n in (5, 4, 3, 2)]
    assert views.views[0].organisation.startswith("Community Support Trust")


def test_case_views_leaves_out_other_cases_and_other_actions(db, isp, case_review):  # noqa: F811
    with db.session.no_autoflush:
        other = cases.case_review(isp.coordinator, isp.panel)
    _opened(db, other, isp.member, datetime(2026, 7, 1, 9, tzinfo=UTC))
    record(isp.coordinator, AuditAction.UPDATE, case_review)
    db.session.commit()
    # A live case with the same id is another object.
    event = AuditEvent(
        actor_id=isp.member.id,
        actor_email=isp.member.email,
        action=AuditAction.VIEW,
        object_type="panel_case",
        object_id=case_review.id,
    )
    db.session.add(event)
    db.session.commit()

    views = audit_queries.case_views(case_review)

    assert views.views == [] and views.total == 0


# --- The case review page ----------------------------------------------------------------------


def test_chair_sees_who_opened_a_case_review(app, db, isp, case_review):  # noqa: F811
    _opened(db, case_review, isp.member, datetime(2026, 7, 1, 8, 30, tzinfo=UTC))
    _opened(db, case_review, isp.coordinator, datetime(2026, 7, 1, 13, 5, tzinfo=UTC))

    page = _open(app, isp.chair, f"/case-reviews/{case_review.id}")

    assert HEADING in page
    # The chair's own opening is the latest; the count includes it.
    assert "Opened 3 times by 3 people." in page
    assert f"Who opened case review {case_review.reference}, most recent first" in page
    # UK time (BST): 13:05 UTC is 2:05pm, 08:30 UTC is 9:30am.
    listed = page[page.index(HEADING) :]
    assert listed.index("Harriet Lang") < listed.index("Imran Sadiq") < listed.index("Joe Barker")
    assert "1 July 2026 at 2:05pm" in page
    assert "1 July 2026 at 9:30am" in page
    assert '<td class="govuk-table__cell">CPS West Midlands</td>' in page


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.MEMBER])
def test_other_roles_do_not_see_who_opened_a_case_review(app, db, isp, case_review, role):  # noqa: F811
    _opened(db, case_review, isp.member, datetime(2026, 7, 1, 8, 30, tzinfo=UTC))
    page = _open(app, isp.by_role(role), f"/case-reviews/{case_review.id}")
    assert cases.NARRATIVE in page
    assert HEADING not in page
    assert "1 July 2026 at 9:30am" not in page


def test_chair_of_another_panel_sitting_as_a_member_does_not_see_it(app, db, isp, case_review):  # noqa: F811
    from panel.cases import agreement

    other_chair = factories.user(email="other.chair@example.org", full_name="Priya Shah")
    factories.membership(factories.panel(kind=PanelKind.SCRUTINY_PANEL), other_chair, Role.CHAIR)
    factories.membership(isp.panel, other_chair, Role.MEMBER)
    agreement.accept(other_chair, isp.panel)

    page = _open(app, other_chair, f"/case-reviews/{case_review.id}")

    assert cases.NARRATIVE in page
    assert HEADING not in page


def test_long_history_shows_the_latest_and_says_how_many_are_left_out(
    app,
    db,
    isp,  # noqa: F811
    case_review,
    monkeypatch,
):
    monkeypatch.setattr(audit_queries, "CASE_VIEWS_SHOWN", 2)
    for hour in range(3):
        _opened(db, case_review, isp.member, datetime(2026, 7, 1, 9 + hour, tzinfo=UTC))

    page = _open(app, isp.chair, f"/case-reviews/{case_review.id}")

    assert "Opened 4 times by 2 people." in page
    assert "These are the latest 2 openings; 2 earlier ones are not shown." in page
    assert page[page.index(HEADING) :].count("Joe Barker") == 1


# --- The live case page ------------------------------------------------------------------------


@pytest.fixture
def people(people):
    """The Coventry panel's people, who have accepted its confidentiality agreement."""
    accept_agreement(people)
    return people


def test_chair_of_a_local_panel_sees_who_opened_a_live_case(app, db, people):
    panel_case = live_case(people.coordinator, people.panel)
    _opened(db, panel_case, people.member, datetime(2026, 1, 15, 16, 45, tzinfo=UTC))

    page = _open(app, people.chair, f"/live-cases/{panel_case.id}")

    assert HEADING in page
    assert f"Who opened case {panel_case.reference}, most recent first" in page
    assert "Opened 2 times by 2 people." in page
    # UK time in winter (GMT) is UTC.
    assert "15 January 2026 at 4:45pm" in page
    assert "Grace Mensah" in page and "Coventry Homes Partnership" in page


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.MEMBER])
def test_other_roles_do_not_see_who_opened_a_live_case(app, db, people, role):
    panel_case = live_case(people.coordinator, people.panel)
    page = _open(app, people.by_role(role), f"/live-cases/{panel_case.id}")
    assert HEADING not in page


def test_admins_read_case_openings_in_the_audit_trail_not_on_the_case(app, db, people):
    panel_case = live_case(people.coordinator, people.panel)
    _open(app, people.member, f"/live-cases/{panel_case.id}")
    admin = app.test_client()
    sign_in(admin, people.admin)

    assert admin.get(f"/live-cases/{panel_case.id}").status_code == 404
    trail = admin.get(
        "/admin/audit-trail",
        query_string={"object_type": "panel_case", "object_id": panel_case.id, "action": "view"},
    ).get_data(as_text=True)
    assert "1 event matches the filters." in trail
    assert '<td class="govuk-table__cell">member@example.org</td>' in trail

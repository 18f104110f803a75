"""The chair of a panel sees who has opened each of its cases (case reviews and live cases): one
line per person with organisation, first and last view in UK time and how many times, the latest
viewer first, paginated. Reloading a page adds to a count, not a line, and the audit trail gets
one VIEW event per person per case per UK day. Nobody but the chair sees the list, not even the
chair of another panel sitting on this one as a member."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from panel.cases import queries as case_queries
from panel.cases import services
from panel.cases.models import CaseView
from panel.core.audit import AuditAction, AuditEvent, verify_chain
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


def _opened(case, user, at: datetime) -> None:
    """An opening of `case` by `user` at `at` (UTC), as the case page records it."""
    services.record_views(user, [case], at)


def _rows(db, case) -> list[tuple[date, int]]:
    return db.session.execute(
        sa.select(CaseView.day, CaseView.count)
        .where(CaseView.object_type == case.__tablename__, CaseView.object_id == case.id)
        .order_by(CaseView.day, CaseView.user_id)
    ).all()


def _view_events(db, case) -> list[AuditEvent]:
    return db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == AuditAction.VIEW,
            AuditEvent.object_type == case.__tablename__,
            AuditEvent.object_id == case.id,
        )
    ).all()


def _lines(page: str) -> str:
    """The "Who has viewed this case" part of a page."""
    return page[page.index(HEADING) :]


# --- Recording ---------------------------------------------------------------------------------


def test_sixteen_loads_in_twelve_minutes_are_one_line_counted_sixteen_times(
    app,
    db,
    isp,  # noqa: F811
    case_review,
    monkeypatch,
):
    start = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    loads = iter(start + timedelta(seconds=45 * n) for n in range(17))
    monkeypatch.setattr(services, "utcnow", lambda: next(loads))
    member = app.test_client()
    sign_in(member, isp.member)
    for _ in range(16):
        assert member.get(f"/case-reviews/{case_review.id}").status_code == 200

    assert _rows(db, case_review) == [(date(2026, 7, 1), 16)]
    # The trail says who opened it that day, once, at the first opening.
    [event] = _view_events(db, case_review)
    assert (event.actor_id, event.occurred_at) == (isp.member.id, start)
    assert verify_chain().intact

    page = _open(app, isp.chair, f"/case-reviews/{case_review.id}")
    assert "Opened 17 times by 2 people." in page
    assert _lines(page).count("Joe Barker") == 1
    times = '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="Times">16</td>'
    assert times in page
    # 9:00 and 9:11:15 UTC are 10am and 10:11am in summer time.
    assert "1 July 2026 at 10am" in page and "1 July 2026 at 10:11am" in page


def test_openings_on_two_uk_days_are_two_rows_and_one_line(app, db, isp, case_review):  # noqa: F811
    # 23:30 UTC on 30 June is 00:30 on 1 July in the UK (summer time): the same UK day as 8am.
    for at in (
        datetime(2026, 6, 30, 22, 30, tzinfo=UTC),
        datetime(2026, 6, 30, 23, 30, tzinfo=UTC),
        datetime(2026, 7, 1, 7, 0, tzinfo=UTC),
    ):
        _opened(case_review, isp.member, at)

    assert _rows(db, case_review) == [(date(2026, 6, 30), 1), (date(2026, 7, 1), 2)]
    assert len(_view_events(db, case_review)) == 2

    [line] = case_queries.case_viewers(case_review).page.items
    assert (line.person, line.organisation, line.count) == ("Joe Barker", "CPS West Midlands", 3)
    assert (line.first_at, line.last_at) == (
        datetime(2026, 6, 30, 22, 30, tzinfo=UTC),
        datetime(2026, 7, 1, 7, 0, tzinfo=UTC),
    )


def test_the_upsert_counts_twice_in_one_transaction(db, isp, case_review):  # noqa: F811
    at = datetime(2026, 7, 1, 9, tzinfo=UTC)
    key = ("case_review", case_review.id)
    first = services.count_views(isp.member, [case_review], at)
    second = services.count_views(isp.member, [case_review], at + timedelta(minutes=5))
    db.session.commit()

    assert (first, second) == ({key: 1}, {key: 2})
    row = db.session.scalars(sa.select(CaseView)).one()
    assert (row.count, row.first_at, row.last_at) == (2, at, at + timedelta(minutes=5))


# --- The list ----------------------------------------------------------------------------------


def test_one_line_per_person_latest_viewer_first(db, isp, case_review):  # noqa: F811
    _opened(case_review, isp.member, datetime(2026, 7, 1, 9, tzinfo=UTC))
    _opened(case_review, isp.coordinator, datetime(2026, 7, 1, 10, tzinfo=UTC))
    _opened(case_review, isp.member, datetime(2026, 7, 2, 9, tzinfo=UTC))

    viewers = case_queries.case_viewers(case_review)

    assert [(v.person, v.count, v.last_at) for v in viewers.page.items] == [
        ("Joe Barker", 2, datetime(2026, 7, 2, 9, tzinfo=UTC)),
        ("Imran Sadiq", 1, datetime(2026, 7, 1, 10, tzinfo=UTC)),
    ]
    assert (viewers.total, viewers.people) == (3, 2)


def test_the_list_leaves_out_other_cases(db, isp, case_review):  # noqa: F811
    with db.session.no_autoflush:
        other = cases.case_review(isp.coordinator, isp.panel)
    _opened(other, isp.member, datetime(2026, 7, 1, 9, tzinfo=UTC))
    # A live case with the same id is another object.
    db.session.add(
        CaseView(
            object_type="live_case",
            object_id=case_review.id,
            user_id=isp.member.id,
            day=date(2026, 7, 1),
            first_at=datetime(2026, 7, 1, 9, tzinfo=UTC),
            last_at=datetime(2026, 7, 1, 9, tzinfo=UTC),
        )
    )
    db.session.commit()

    viewers = case_queries.case_viewers(case_review)

    assert (viewers.page.items, viewers.total, viewers.people) == ([], 0, 0)


def _viewed_by_many(case, number: int) -> None:
    for n in range(number):
        person = factories.user(full_name=f"Partner {n:02d}")
        for day in range(3):
            _opened(case, person, datetime(2025, 7, 1 + day, 9, n, tzinfo=UTC))


def test_the_list_takes_two_queries_however_long_the_history(db, isp, case_review):  # noqa: F811
    measured = {}
    for number in (3, 45):
        case = cases.case_review(isp.coordinator, isp.panel) if number == 45 else case_review
        _viewed_by_many(case, number)
        db.session.refresh(case)  # as the case page has it loaded
        with count_queries() as queries:
            viewers = case_queries.case_viewers(case)
        measured[number] = len(queries)
    assert measured == {3: 2, 45: 2}
    assert len(viewers.page.items) == case_queries.VIEWERS_PER_PAGE == 20
    assert viewers.page.items[0].person == "Partner 44"
    assert viewers.page.items[0].organisation.startswith("Community Support Trust")


def test_the_chair_pages_through_the_viewers(app, db, isp, case_review):  # noqa: F811
    _viewed_by_many(case_review, 44)  # 45 people with the chair
    chair = app.test_client()
    sign_in(chair, isp.chair)
    url = f"/case-reviews/{case_review.id}"

    first = chair.get(url).get_data(as_text=True)
    assert "Opened 133 times by 45 people." in first
    assert _lines(first).count('data-label="Person"') == 20
    assert f'href="{url}?viewers_page=3#viewed-by"' in first
    last = chair.get(url, query_string={"viewers_page": 3}).get_data(as_text=True)
    # The 45th line is the person who was seen longest ago.
    assert _lines(last).count('data-label="Person"') == 5
    assert "Partner 00" in last and "Partner 44" not in last
    assert chair.get(url, query_string={"viewers_page": 4}).status_code == 404
    assert chair.get(url, query_string={"viewers_page": "x"}).status_code == 404


# --- The case review page ----------------------------------------------------------------------


def test_chair_sees_who_opened_a_case_review(app, db, isp, case_review):  # noqa: F811
    _opened(case_review, isp.member, datetime(2026, 7, 1, 8, 30, tzinfo=UTC))
    _opened(case_review, isp.coordinator, datetime(2026, 7, 1, 13, 5, tzinfo=UTC))

    page = _open(app, isp.chair, f"/case-reviews/{case_review.id}")

    assert HEADING in page
    # The chair's own opening is the latest; the count includes it.
    assert "Opened 3 times by 3 people." in page
    assert f"Who opened case review {case_review.reference}, most recent first" in page
    # UK time (BST): 13:05 UTC is 2:05pm, 08:30 UTC is 9:30am.
    listed = _lines(page)
    assert listed.index("Harriet Lang") < listed.index("Imran Sadiq") < listed.index("Joe Barker")
    assert "1 July 2026 at 2:05pm" in page
    assert "1 July 2026 at 9:30am" in page
    # Each cell is headed by its column on a phone (panel-table--stack).
    assert 'class="govuk-table panel-table--stack"' in listed
    assert '<td class="govuk-table__cell" data-label="Organisation">CPS West Midlands</td>' in page
    assert 'data-label="First viewed"' in page and 'data-label="Last viewed"' in page


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.MEMBER])
def test_other_roles_do_not_see_who_opened_a_case_review(app, db, isp, case_review, role):  # noqa: F811
    _opened(case_review, isp.member, datetime(2026, 7, 1, 8, 30, tzinfo=UTC))
    page = _open(app, isp.by_role(role), f"/case-reviews/{case_review.id}")
    assert cases.NARRATIVE in page
    assert HEADING not in page
    assert "1 July 2026 at 9:30am" not in page


def test_chair_of_another_panel_sitting_as_a_member_does_not_see_it(app, db, isp, case_review):  # noqa: F811
    from panel.cases.agreement import services as agreement

    other_chair = factories.user(email="other.chair@example.org", full_name="Priya Shah")
    factories.membership(factories.panel(kind=PanelKind.SCRUTINY_PANEL), other_chair, Role.CHAIR)
    factories.membership(isp.panel, other_chair, Role.MEMBER)
    agreement.accept(other_chair, isp.panel)

    page = _open(app, other_chair, f"/case-reviews/{case_review.id}")

    assert cases.NARRATIVE in page
    assert HEADING not in page


# --- The live case page ------------------------------------------------------------------------


@pytest.fixture
def people(people):
    """The Coventry panel's people, who have accepted its confidentiality agreement."""
    accept_agreement(people)
    return people


def test_chair_of_a_local_panel_sees_who_opened_a_live_case(app, db, people):
    case = live_case(people.coordinator, people.panel)
    _opened(case, people.member, datetime(2026, 1, 15, 16, 45, tzinfo=UTC))

    page = _open(app, people.chair, f"/live-cases/{case.id}")

    assert HEADING in page
    assert f"Who opened case {case.reference}, most recent first" in page
    assert "Opened 2 times by 2 people." in page
    # UK time in winter (GMT) is UTC.
    assert "15 January 2026 at 4:45pm" in page
    assert "Grace Mensah" in page and "Coventry Homes Partnership" in page


def test_reloading_a_live_case_adds_to_a_count(app, db, people):
    case = live_case(people.coordinator, people.panel)
    member = app.test_client()
    sign_in(member, people.member)
    for _ in range(3):
        member.get(f"/live-cases/{case.id}")

    # Unless the UK day turned between the loads, one row and one event.
    assert sum(count for _, count in _rows(db, case)) == 3
    assert len(_view_events(db, case)) == len(_rows(db, case))


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.MEMBER])
def test_other_roles_do_not_see_who_opened_a_live_case(app, db, people, role):
    case = live_case(people.coordinator, people.panel)
    page = _open(app, people.by_role(role), f"/live-cases/{case.id}")
    assert HEADING not in page


def test_admins_read_case_openings_in_the_audit_trail_not_on_the_case(app, db, people):
    case = live_case(people.coordinator, people.panel)
    _open(app, people.member, f"/live-cases/{case.id}")
    admin = app.test_client()
    sign_in(admin, people.admin)

    assert admin.get(f"/live-cases/{case.id}").status_code == 404
    trail = admin.get(
        "/admin/audit-trail",
        query_string={"object_type": "live_case", "object_id": case.id, "action": "view"},
    ).get_data(as_text=True)
    assert "1 event matches the filters." in trail
    assert '<td class="govuk-table__cell">member@example.org</td>' in trail

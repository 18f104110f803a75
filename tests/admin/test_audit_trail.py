"""Admins read the audit trail, newest first, narrow it by person, organisation, object, action
and period (UK days), and download exactly what they selected as CSV, which is itself audited."""

import csv
import io
from datetime import UTC, date, datetime

import pytest

from panel.accounts import services as accounts
from panel.core.audit import AuditAction, AuditEvent, record
from panel.panels import services as panels
from panel.panels.models import Role
from tests import factories
from tests.conftest import sign_in


def cell(text: str) -> str:
    return f'<td class="govuk-table__cell">{text}</td>'


def test_audit_trail_shows_who_did_what_to_which_object_newest_first(admin_client, people, db):
    accounts.update_user(people.admin, people.member, full_name="Grace Mensah-Adjei")
    panels.change_role(people.admin, people.panel.memberships[0], Role.COORDINATOR)
    page = admin_client.get("/admin/audit-trail").get_data(as_text=True)

    assert "User account: member@example.org" in page
    assert "Full name: Grace Mensah to Grace Mensah-Adjei" in page
    assert "Membership: chair@example.org on Coventry Hate Crime Panel" in page
    assert "Role: chair to coordinator" in page
    assert cell("admin@example.org") in page
    assert cell("Changed") in page
    # Newest first: the admin signed in before making both changes.
    assert (
        page.index("Role: chair to coordinator")
        < page.index("Full name: Grace Mensah")
        < page.index(cell("Signed in"))
    )


def test_audit_trail_hides_secret_values(admin_client, people):
    accounts.update_user(people.admin, people.member, password="a new password for grace")
    page = admin_client.get("/admin/audit-trail").get_data(as_text=True)
    assert "Password: (hidden) to (changed)" in page
    assert "argon2" not in page


def test_audit_trail_filters_by_action(admin_client, people):
    panels.change_role(people.admin, people.panel.memberships[0], Role.COORDINATOR)
    page = admin_client.get(
        "/admin/audit-trail", query_string={"action": AuditAction.UPDATE.value}
    ).get_data(as_text=True)
    assert "Role: chair to coordinator" in page
    assert cell("Signed in") not in page
    assert '<option value="update" selected>' in page


def test_audit_trail_filters_by_actor_or_object_text(admin_client, people, app):
    sign_in(app.test_client(), people.reader)
    by_actor = admin_client.get("/admin/audit-trail", query_string={"q": "READER@"})
    assert cell("reader@example.org") in by_actor.get_data(as_text=True)
    assert cell("admin@example.org") not in by_actor.get_data(as_text=True)
    none = admin_client.get("/admin/audit-trail", query_string={"q": "nobody"})
    assert "No events match." in none.get_data(as_text=True)


def test_unknown_action_filter_shows_every_action(admin_client, people):
    response = admin_client.get("/admin/audit-trail", query_string={"action": "explode"})
    assert response.status_code == 200
    assert cell("Signed in") in response.get_data(as_text=True)


def test_ten_thousand_character_filter_is_a_clear_error(admin_client, people):
    response = admin_client.get("/admin/audit-trail", query_string={"q": "a" * 10_000})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Actor email or object must be 254 characters or fewer" in page


# --- Filters: who, their organisation, the object, the period ---------------------------------


def _event(db, actor, label: str, at: datetime, action=AuditAction.UPDATE, obj=None):
    """An event recorded at `at` (UTC), named `label` so the page shows which it is."""
    event = record(actor, action, obj, label=label)
    event.occurred_at = at
    db.session.commit()
    return event


def _trail(client, **filters) -> str:
    return client.get("/admin/audit-trail", query_string=filters).get_data(as_text=True)


def _date(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def test_filter_by_person_shows_only_their_events(admin_client, people, app):
    sign_in(app.test_client(), people.reader)
    # Typed, whatever its capitals: nationally there are far too many people for a list.
    page = _trail(admin_client, who="Reader@Example.org")
    assert cell("reader@example.org") in page
    assert cell("admin@example.org") not in page
    assert "1 event matches the filters." in page
    assert 'name="who" type="email" spellcheck="false" value="Reader@Example.org"' in page
    assert "Tom Whitfield (reader@example.org)</option>" not in page


def test_filter_by_organisation_shows_events_of_its_people(admin_client, people, app):
    for person in (people.chair, people.coordinator, people.member):
        sign_in(app.test_client(), person)
    page = _trail(admin_client, organisation=people.chair.organisation.name)
    assert cell("chair@example.org") in page
    assert cell("coordinator@example.org") in page
    assert cell("West Midlands Police, Coventry NPU") in page
    assert cell("member@example.org") not in page
    assert cell("admin@example.org") not in page


def test_filter_by_object_type_and_id(admin_client, people):
    accounts.update_user(people.admin, people.member, full_name="Grace Mensah-Adjei")
    accounts.update_user(people.admin, people.reader, full_name="Tom Whitfield-Jones")
    panels.change_role(people.admin, people.panel.memberships[0], Role.COORDINATOR)

    every_account = _trail(admin_client, object_type="user_account")
    assert "Full name: Grace Mensah to Grace Mensah-Adjei" in every_account
    assert "Full name: Tom Whitfield to Tom Whitfield-Jones" in every_account
    assert "Role: chair to coordinator" not in every_account

    one = _trail(admin_client, object_type="user_account", object_id=people.member.id)
    assert "Full name: Grace Mensah to Grace Mensah-Adjei" in one
    assert "Full name: Tom Whitfield to Tom Whitfield-Jones" not in one
    # Each object links to every event about it.
    href = f"/admin/audit-trail?object_type=user_account&amp;object_id={people.member.id}"
    assert f'href="{href}"' in one


def test_live_case_events_from_before_the_rename_read_as_live_case_events(admin_client, people, db):
    """A live case's table was "panel_case" until migration 0021. The trail is append-only, so
    its events keep that name; the page calls them live cases too, and finds them with the rest."""
    label = "Case CHCP-2026-001 of Coventry Hate Crime Panel"
    for object_type, action in (
        ("panel_case", AuditAction.UPDATE),
        ("live_case", AuditAction.VIEW),
    ):
        event = record(people.coordinator, action, label=label)
        event.object_type, event.object_id = object_type, 7
    record(people.coordinator, AuditAction.UPDATE, people.panel)
    db.session.commit()

    live_cases = _trail(admin_client, object_type="live_case")
    assert "2 events match the filters." in live_cases
    assert live_cases.count(f"Live case: {label}") == 2
    assert "Panel case" not in live_cases
    assert '<option value="live_case" selected>Live case</option>' in live_cases
    assert '<option value="panel_case"' not in live_cases
    # Each links to every event about its case, under the name the filter knows.
    href = "/admin/audit-trail?object_type=live_case&amp;object_id=7"
    assert live_cases.count(f'href="{href}"') == 2
    # An address made with the former name finds the same events, as does searching for the name.
    assert "2 events match the filters." in _trail(admin_client, object_type="panel_case")
    assert "2 events match the filters." in _trail(admin_client, q="live_case")


def test_object_id_needs_a_kind_of_object_and_a_number(admin_client, people):
    accounts.update_user(people.admin, people.member, full_name="Grace Mensah-Adjei")
    without_kind = _trail(admin_client, object_id=people.member.id, action="update")
    assert "There is a problem" in without_kind
    assert "Select what the object ID is of, under ‘About’" in without_kind
    # The other filters still apply.
    assert "Full name: Grace Mensah to Grace Mensah-Adjei" in without_kind
    assert cell("Signed in") not in without_kind

    not_a_number = _trail(admin_client, object_type="user_account", object_id="12a")
    assert "Object ID must be a whole number, like 42" in not_a_number
    beyond_any = _trail(admin_client, object_type="user_account", object_id="9" * 18)
    assert "Object ID must be 2,147,483,647 or less" in beyond_any


def test_unknown_person_or_organisation_is_a_clear_error(admin_client, people):
    page = _trail(admin_client, who="nobody@example.org", organisation="West Midlands Police")
    assert "Nobody has the email address ‘nobody@example.org’" in page
    assert (
        "No organisation is called ‘West Midlands Police’. "
        "Did you mean West Midlands Police, Coventry NPU?"
    ) in page
    assert cell("Signed in") in page


def test_period_is_whole_uk_days_in_summer_time(admin_client, people, db):
    # 1 July 2026 in the UK (BST, UTC+1) runs from 23:00 UTC on 30 June to 23:00 UTC on 1 July.
    _event(db, people.admin, "Late on 30 June", datetime(2026, 6, 30, 22, 59, 59, tzinfo=UTC))
    _event(db, people.admin, "First thing 1 July", datetime(2026, 6, 30, 23, 0, tzinfo=UTC))
    _event(db, people.admin, "Last thing 1 July", datetime(2026, 7, 1, 22, 59, 59, tzinfo=UTC))
    _event(db, people.admin, "First thing 2 July", datetime(2026, 7, 1, 23, 0, tzinfo=UTC))

    one_day = _trail(
        admin_client, occurred_from=_date(date(2026, 7, 1)), occurred_to=_date(date(2026, 7, 1))
    )
    assert "First thing 1 July" in one_day and "Last thing 1 July" in one_day
    assert "Late on 30 June" not in one_day and "First thing 2 July" not in one_day
    assert "2 events match the filters." in one_day
    # Shown in UK time.
    assert cell("1 July 2026 at midnight") in one_day
    assert cell("1 July 2026 at 11:59pm") in one_day

    from_only = _trail(admin_client, occurred_from=_date(date(2026, 7, 2)))
    assert "First thing 2 July" in from_only and "Last thing 1 July" not in from_only
    to_only = _trail(admin_client, occurred_to=_date(date(2026, 6, 30)))
    assert "Late on 30 June" in to_only and "First thing 1 July" not in to_only


def test_period_in_winter_is_utc_days(admin_client, people, db):
    _event(db, people.admin, "New Year's Eve", datetime(2026, 12, 31, 23, 59, tzinfo=UTC))
    _event(db, people.admin, "New Year's Day", datetime(2027, 1, 1, 0, 0, tzinfo=UTC))
    page = _trail(admin_client, occurred_from=_date(date(2027, 1, 1)))
    assert "New Year&#39;s Day" in page and "New Year&#39;s Eve" not in page


def test_bad_date_is_shown_beside_its_field_and_other_filters_apply(admin_client, people, db):
    _event(db, people.admin, "An old change", datetime(2025, 1, 10, 12, tzinfo=UTC))
    page = _trail(admin_client, occurred_from=["31", "2", "2026"], action="update")
    assert "There is a problem" in page
    assert page.count("Date from must be a real date") == 2  # the summary and the field
    assert "An old change" in page
    assert cell("Signed in") not in page
    missing = _trail(admin_client, occurred_to=["", "2", "2026"])
    assert "Date to must include a day" in missing


def test_period_at_the_ends_of_the_calendar_is_not_an_error(admin_client, people):
    page = _trail(admin_client, occurred_from=["1", "1", "1000"], occurred_to=["31", "12", "9999"])
    assert "There is a problem" not in page
    assert cell("Signed in") in page


def test_period_that_ends_before_it_starts_is_an_error(admin_client, people):
    page = _trail(
        admin_client, occurred_from=_date(date(2026, 3, 2)), occurred_to=_date(date(2026, 3, 1))
    )
    assert "‘Date to’ must be the same as or after ‘Date from’" in page


def test_filters_that_match_nothing_say_so_and_offer_to_clear_them(admin_client, people):
    page = _trail(admin_client, action="delete")
    assert "0 events match the filters." in page
    assert "No events match." in page
    assert 'href="/admin/audit-trail">clear the filters</a>' in page
    assert "Download these events as CSV" not in page


def test_pages_of_a_filtered_trail_keep_the_filters(admin_client, people, db, small_pages):
    for number in range(3):
        _event(db, people.admin, f"Change {number}", datetime(2026, 5, 1, 9, number, tzinfo=UTC))
    first = _trail(admin_client, action="update")
    assert "Change 2" in first and "Change 1" in first and "Change 0" not in first
    assert "3 events match the filters, page 1 of 2." in first
    assert 'href="/admin/audit-trail?action=update&amp;page=2"' in first
    # The download is every page, not this one.
    assert 'href="/admin/audit-trail.csv?action=update"' in first
    assert "Change 0" in _trail(admin_client, action="update", page="2")


def test_audit_trail_runs_the_same_queries_however_many_events(
    admin_client, people, db, count_queries
):
    def statements() -> int:
        with count_queries() as queries:
            assert admin_client.get("/admin/audit-trail").status_code == 200
        return len(queries)

    _event(db, people.member, "One change", datetime(2026, 5, 1, 9, tzinfo=UTC))
    few = statements()
    others = [factories.user(full_name=f"Person {number}") for number in range(10)]
    for number, person in enumerate(others):
        _event(db, person, f"Change {number}", datetime(2026, 5, 1, 10, number, tzinfo=UTC))
    assert statements() == few


# --- CSV export -------------------------------------------------------------------------------


@pytest.fixture
def small_pages(app):
    size = app.config["PAGE_SIZE"]
    app.config["PAGE_SIZE"] = 2
    yield
    app.config["PAGE_SIZE"] = size


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_csv_has_every_page_of_exactly_the_filtered_events(admin_client, people, db, small_pages):
    for number in range(3):
        _event(db, people.member, f"Change {number}", datetime(2026, 7, 1, 9, number, tzinfo=UTC))
    _event(db, people.reader, "Someone else's change", datetime(2026, 7, 1, 10, tzinfo=UTC))

    response = admin_client.get("/admin/audit-trail.csv", query_string={"who": people.member.email})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    header, *rows = _csv(response)
    assert header[:6] == [
        "Sequence",
        "When (UK time)",
        "Actor email",
        "Actor name",
        "Actor organisation",
        "Action",
    ]
    assert [row[8] for row in rows] == ["Change 2", "Change 1", "Change 0"]
    assert rows[0][1:6] == [
        "2026-07-01T10:02:00+01:00",
        "member@example.org",
        "Grace Mensah",
        "Coventry Homes Partnership",
        "Changed",
    ]


def test_csv_cells_cannot_run_as_formulas(admin_client, people, db):
    _event(db, people.admin, '=HYPERLINK("http://evil")', datetime(2026, 7, 1, tzinfo=UTC))
    rows = _csv(admin_client.get("/admin/audit-trail.csv", query_string={"q": "hyperlink"}))
    assert rows[1][8] == '\'=HYPERLINK("http://evil")'


def test_csv_export_is_itself_in_the_trail_with_its_filters(admin_client, people, db):
    accounts.update_user(people.admin, people.member, full_name="Grace Mensah-Adjei")
    admin_client.get(
        "/admin/audit-trail.csv",
        query_string={"action": "update", "occurred_from": _date(date(2026, 1, 1))},
    )
    export = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT)
    ).one()
    assert export.actor_email == "admin@example.org"
    assert export.object_label == "Audit trail"
    assert export.changes == {
        "filters": {"action": "update", "occurred_from": "2026-01-01"},
        "events": 1,
    }
    page = _trail(admin_client, action="export")
    assert cell("Exported") in page and "Audit trail" in page


def test_only_admins_download_the_trail(client, people, sign_in_as, db):
    sign_in_as(people.chair)
    assert client.get("/admin/audit-trail.csv").status_code == 403
    exports = db.select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT)
    assert db.session.scalars(exports).first() is None

"""The pool's pages: an upload previewed with its refusals and dropped columns, saved only on
confirmation; a draw made from the form, shown on the meeting's page and repeatable; and the
agency's reference on the page for the coordinator alone."""

from __future__ import annotations

import io

import pytest

from panel.cases.pool.models import PoolCase, PoolDraw
from panel.extensions import db as _db
from tests.cases.pool_factories import HEADINGS, extract, extract_rows, pool_case
from tests.conftest import sign_in
from tests.meetings.factories import meeting_on


def _count(model) -> int:
    return _db.session.scalar(_db.select(_db.func.count()).select_from(model))


def _upload(client, panel, data: bytes, name="cases.csv"):
    return client.post(
        f"/panels/{panel.id}/pool/import",
        data={"extract": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@pytest.fixture
def coordinator(client, isp):
    sign_in(client, isp.coordinator)
    return client


def test_an_upload_is_previewed_and_saved_only_when_confirmed(coordinator, isp):
    rows = [[*row, "x"] for row in extract_rows(60)]
    rows[35][2] = "Mr John Smith"
    response = _upload(coordinator, isp.panel, extract(rows, [*HEADINGS, "Victim name"]))
    assert response.status_code == 302
    page = coordinator.get(response.location).get_data(as_text=True)
    assert "59 cases will be added to the pool. 1 row refused." in page
    assert (
        "Row 37: the offence category looks like a person&#39;s name. Remove the name from the "
        "file and upload it again." in page
    )
    # The way on is above the table as well as below it, each time with what it will do.
    table = page.index("<table")
    assert page.count("Add these cases to the pool") == 2
    assert page.index("Add these cases to the pool") < table
    assert page.rindex("Add these cases to the pool") > page.index("</table>")
    assert page.index(
        "59 cases will be added to the pool. 1 row refused.", page.index("Columns")
    ) < (table)
    assert ">Row 2</th>" in page
    assert "Held (shown only to the coordinator)" in page
    assert "Given" not in page
    assert "“Victim name”: its heading says it holds personal data" in page
    assert "The first 50 of 59" in page
    assert "Smith" not in page
    assert _count(PoolCase) == 0
    confirmed = coordinator.post(response.location, data={}, follow_redirects=True)
    assert "59 cases added to the pool." in confirmed.get_data(as_text=True)
    assert _count(PoolCase) == 59


def test_an_upload_that_cannot_be_used_is_explained_in_the_error_summary(coordinator, isp):
    page = _upload(coordinator, isp.panel, b"Name,Address\nA,B\n").get_data(as_text=True)
    assert "govuk-error-summary" in page
    assert "The selected file has no column for the strands" in page
    page = _upload(coordinator, isp.panel, b"x", name="cases.xlsx").get_data(as_text=True)
    assert "The selected file must be a CSV file" in page


def test_someone_elses_upload_is_not_found(client, app, isp):
    sign_in(client, isp.coordinator)
    location = _upload(client, isp.panel, extract(extract_rows(3))).location
    client.post("/sign-out")
    sign_in(client, isp.chair)
    assert client.get(location).status_code == 403  # the chair does not import at all


def test_a_draw_from_the_form_is_shown_on_the_meeting_page_and_repeats(coordinator, app, isp):
    meeting = meeting_on(isp.panel, days_from_now=10)
    with app.test_request_context():
        for _ in range(12):
            pool_case(isp.coordinator, isp.panel)
    _db.session.commit()
    form = coordinator.get(f"/panels/{isp.panel.id}/pool/draw").get_data(as_text=True)
    assert "12 cases in the pool can be drawn" in form
    response = coordinator.post(
        f"/panels/{isp.panel.id}/pool/draw",
        data={"how_many": "5", "strands": ["race"], "outcomes": ["14"], "meeting_id": meeting.id},
    )
    assert response.status_code == 302
    draw = _db.session.scalars(_db.select(PoolDraw)).one()
    page = coordinator.get(response.location).get_data(as_text=True)
    assert draw.seed in page
    # "Repeat" would read as "draw again": the page says what the button does, and why.
    assert "Check this draw can be repeated" in page
    assert "Repeat this draw" not in page
    assert (
        "Anyone can check this draw: the same seed and filters over the pool as it was give the "
        "same cases." in page
    )
    assert "method 1" not in page
    assert "20CV/123456A/25" in page  # the coordinator sees the agency's reference
    meeting_page = coordinator.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "5 cases drawn at random on" in meeting_page
    assert "from 12 eligible: race strand, outcome 14" in meeting_page
    repeated = coordinator.get(f"/draws/{draw.id}/repeat").get_data(as_text=True)
    assert "Same cases drawn" in repeated


def test_a_draw_asking_for_too_many_is_refused_beside_the_field(coordinator, app, isp):
    with app.test_request_context():
        pool_case(isp.coordinator, isp.panel)
    _db.session.commit()
    page = coordinator.post(
        f"/panels/{isp.panel.id}/pool/draw", data={"how_many": "3", "meeting_id": "0"}
    ).get_data(as_text=True)
    assert "govuk-error-summary" in page
    assert "Only 1 case matches this theme in the pool: draw 1 or fewer" in page
    page = coordinator.post(
        f"/panels/{isp.panel.id}/pool/draw", data={"how_many": "", "meeting_id": "0"}
    ).get_data(as_text=True)
    assert "Enter how many cases to draw" in page
    page = coordinator.post(
        f"/panels/{isp.panel.id}/pool/draw", data={"how_many": "25", "meeting_id": "0"}
    ).get_data(as_text=True)
    assert "Enter how many cases to draw, as a whole number from 1 to 20" in page


@pytest.mark.parametrize("role", ["chair", "member"])
def test_nobody_but_the_coordinator_sees_the_agency_reference(client, app, isp, role):
    with app.test_request_context():
        for _ in range(3):
            pool_case(isp.coordinator, isp.panel)
        from panel.cases.pool import services

        draw = services.draw_cases(isp.coordinator, isp.panel, services.DrawFilters(), 2, None)
    _db.session.commit()
    sign_in(client, getattr(isp, role))
    page = client.get(f"/draws/{draw.id}").get_data(as_text=True)
    assert "drawn at random" in page
    assert "20CV/" not in page
    assert "Agency’s reference" not in page  # not even a column saying it is hidden
    pool_page = client.get(f"/panels/{isp.panel.id}/pool").get_data(as_text=True)
    assert "20CV/" not in pool_page


def test_a_reader_never_learns_the_pool_exists(client, isp):
    sign_in(client, isp.reader)
    assert client.get(f"/panels/{isp.panel.id}/pool").status_code == 404


def test_the_case_review_drawn_shows_its_reference_to_the_coordinator_until_checked(
    client, app, isp
):
    from panel.cases import services as case_services
    from panel.cases.pool import services

    with app.test_request_context():
        pool_case(isp.coordinator, isp.panel, agency_reference="20CV/654321B/25")
        draw = services.draw_cases(isp.chair, isp.panel, services.DrawFilters(), 1, None)
    review = draw.cases[0].case_review
    _db.session.commit()
    sign_in(client, isp.coordinator)
    assert "20CV/654321B/25" in client.get(f"/case-reviews/{review.id}").get_data(as_text=True)
    # The placeholder summary still there, the check is refused with a reason and the
    # reference kept; written, the check deletes it.
    page = client.get(f"/case-reviews/{review.id}").get_data(as_text=True)
    assert f'href="/case-reviews/{review.id}/check"' not in page
    assert "Replace the summary written when it was drawn before it is checked" in page
    refused = client.post(
        f"/case-reviews/{review.id}/check", data={"checked": "y", "seen": review.text_sha256}
    )
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "govuk-error-summary" in page or "govuk-notification-banner" in page
    assert "its summary is still the one written when it was drawn" in page
    assert "20CV/654321B/25" in page
    review.narrative = "A woman was abused on a bus for her religion."
    _db.session.commit()
    with app.test_request_context():
        case_services.confirm_checked(isp.coordinator, review, review.text_sha256)
    _db.session.commit()
    page = client.get(f"/case-reviews/{review.id}").get_data(as_text=True)
    assert "20CV/654321B/25" not in page
    assert "Agency’s reference" not in page


@pytest.mark.parametrize(
    ("role", "pool_link", "draw_link"),
    [("coordinator", True, True), ("chair", True, True), ("member", True, False)],
)
def test_the_pool_is_found_from_the_panel_and_a_meeting_by_those_who_may_use_it(
    client, isp, role, pool_link, draw_link
):
    meeting_on(isp.panel, days_from_now=5)  # sooner: the form's choice when opened elsewhere
    meeting = meeting_on(isp.panel, days_from_now=10)
    sign_in(client, getattr(isp, role))
    panel_page = client.get(f"/panels/{isp.panel.id}").get_data(as_text=True)
    assert (f'href="/panels/{isp.panel.id}/pool"' in panel_page) is pool_link
    meeting_page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    draw_url = f"/panels/{isp.panel.id}/pool/draw?meeting_id={meeting.id}"
    assert (f'href="{draw_url}"' in meeting_page) is draw_link
    assert ("Draw cases at random" in meeting_page) is draw_link
    if draw_link:  # the form opens with this meeting chosen
        form = client.get(draw_url).get_data(as_text=True)
        assert f'value="{meeting.id}" checked' in form


def test_a_reader_is_not_shown_the_pool_on_the_panel_page(client, isp):
    sign_in(client, isp.reader)
    page = client.get(f"/panels/{isp.panel.id}").get_data(as_text=True)
    assert "/pool" not in page
    assert "drawn at random" not in page

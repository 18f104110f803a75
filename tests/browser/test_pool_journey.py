"""Cases drawn at random, in a real browser: the coordinator imports a 200-row extract of
finalised cases (one row has a name in a cell: refused and explained), confirms it, draws 5
cases on a theme, repeats the draw from its recorded seed and gets the same 5, and finds the
draw on the meeting's page. The import and draw pages fit a 320px phone. axe checks every page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from panel.demo import ISP
from panel.extensions import db
from panel.panels.models import Panel
from tests.browser.conftest import CheckedPage, LiveServer
from tests.browser.test_small_screens import PHONE, assert_fits_the_screen
from tests.cases.pool_factories import extract, extract_rows

DESKTOP = {"width": 1280, "height": 900}


def _accept_agreement_if_asked(browser_page: CheckedPage) -> None:
    page = browser_page.page
    if "/confidentiality" in page.url:
        page.get_by_label("I have read the confidentiality agreement and I agree to it").check()
        browser_page.follow(page.get_by_role("button", name="Accept and continue"))


def _drawn_references(browser_page: CheckedPage) -> list[str]:
    table = browser_page.page.get_by_role("table", name="The cases drawn")
    return table.locator("tbody th a").all_inner_texts()


def test_the_coordinator_imports_a_pool_draws_on_a_theme_and_repeats_the_draw(
    browser_page: CheckedPage, live_server: LiveServer, tmp_path
):
    page = browser_page.page
    with live_server.app.app_context():
        panel_id = db.session.scalar(db.select(Panel.id).where(Panel.name == ISP))
    rows = extract_rows(200, seed=11)
    rows[35][2] = "Mr John Smith"  # row 37 as a spreadsheet numbers it
    csv_file = tmp_path / "finalised-cases.csv"
    csv_file.write_bytes(extract(rows))

    browser_page.sign_in("coordinator@panel.example")
    browser_page.goto(f"/panels/{panel_id}/pool")
    _accept_agreement_if_asked(browser_page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pool of finalised cases")

    # The upload page, on a phone too.
    browser_page.follow(page.get_by_role("button", name="Import cases"))
    page.set_viewport_size(PHONE)
    browser_page.check()
    assert_fits_the_screen(browser_page)
    page.set_viewport_size(DESKTOP)
    page.get_by_label("Upload an extract of finalised cases").set_input_files(str(csv_file))
    browser_page.follow(page.get_by_role("button", name="Upload and check"))

    # The preview: the row with a name refused and explained, nothing saved yet.
    expect(page.locator("#will-add")).to_have_text(
        "199 cases will be added to the pool. 1 row refused."
    )
    expect(page.locator("#refused")).to_contain_text(
        "Row 37: the offence category looks like a person's name. Remove the name from the file "
        "and upload it again."
    )
    expect(page.get_by_text("Nothing has been saved yet.").first).to_be_visible()
    expect(page.get_by_text("Smith")).to_have_count(0)
    # The button above the table, as well as below it.
    confirm = page.get_by_role("button", name="Add these cases to the pool")
    expect(confirm).to_have_count(2)
    browser_page.follow(confirm.first)
    expect(page.get_by_text("199 cases added to the pool.")).to_be_visible()

    # A draw on a theme: 5 disability cases closed with no further action.
    browser_page.follow(page.get_by_role("button", name="Draw cases"))
    page.set_viewport_size(PHONE)
    browser_page.check()
    assert_fits_the_screen(browser_page)
    page.set_viewport_size(DESKTOP)
    page.get_by_label("How many cases?").fill("5")
    page.get_by_role("group", name="Strands (optional)").get_by_label("Disability").check()
    page.get_by_label("No further action (14 to 18 and 21)").check()
    meetings = page.get_by_role("group", name="Which meeting are the case reviews for?")
    expect(meetings.get_by_role("radio").first).to_be_checked()  # the next meeting
    browser_page.follow(page.get_by_role("button", name="Draw the cases"))

    summary = page.locator("#draw-summary")
    expect(summary).to_contain_text(
        re.compile(
            r"5 cases drawn at random on .* from \d+ eligible: disability strand, "
            r"no further action"
        )
    )
    seed = page.locator("#seed").inner_text()
    drawn = _drawn_references(browser_page)
    assert len(drawn) == 5
    # The coordinator sees each case's agency reference, to find its file.
    table = page.get_by_role("table", name="The cases drawn")
    expect(table.get_by_role("columnheader", name="Agency’s reference")).to_be_visible()
    expect(table).to_contain_text("20CV/")

    # Anyone may run it again from its seed: the same 5 cases.
    expect(page.locator("#seed-hint")).to_contain_text("Anyone can check this draw")
    browser_page.follow(page.get_by_role("button", name="Check this draw can be repeated"))
    expect(page.locator("#repeat-result")).to_contain_text("Same cases drawn")
    assert page.locator("#seed").inner_text() == seed
    assert _drawn_references(browser_page) == drawn

    # The meeting's page says how its cases were chosen, and links to the draw.
    browser_page.follow(
        page.get_by_role("link", name=re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)"))
    )
    draw_link = page.locator("#cases-drawn + ul").get_by_role(
        "link", name=re.compile("5 cases drawn at random")
    )
    expect(draw_link).to_be_visible()
    browser_page.follow(draw_link)
    assert _drawn_references(browser_page) == drawn

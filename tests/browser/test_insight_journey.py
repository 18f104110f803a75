"""Insight in a real browser: the chair of the scrutiny panel opens its insight page from the
panel's page, switches to the last financial year, downloads a table as CSV, and produces and
downloads the annual report (read back: OFFICIAL on every page); the same page, report produced,
on a 320px phone fits the screen. axe checks every page, charts included."""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from panel.core.time import uk_today
from tests.browser.conftest import CheckedPage

PHONE = {"width": 320, "height": 800}


def last_financial_year() -> tuple[str, str]:
    """The key and the label of the financial year before the current one."""
    today = uk_today()
    year = (today.year if today.month >= 4 else today.year - 1) - 1
    return f"fy-{year}", f"The {year} to {year + 1} financial year"


def open_the_scrutiny_panels_insight(browser_page: CheckedPage) -> None:
    page = browser_page.page
    browser_page.sign_in("chair@panel.example")
    browser_page.follow(
        page.locator("#your-panels").get_by_role("link", name="West Midlands Independent")
    )
    browser_page.follow(page.get_by_role("link", name="Figures and trends of"))
    expect(page.get_by_role("heading", name="Insight", exact=False).first).to_be_visible()


def test_the_chair_reads_last_years_figures_and_downloads_a_table(browser_page: CheckedPage):
    page = browser_page.page
    open_the_scrutiny_panels_insight(browser_page)
    expect(page.get_by_text("Figures for the last 12 months")).to_be_visible()
    expect(page.get_by_role("img", name="Case reviews by strand")).to_be_visible()

    key, label = last_financial_year()
    page.get_by_role("combobox", name="Period").select_option(key)
    browser_page.follow(page.get_by_role("button", name="Show figures"))
    expect(page.get_by_text(f"Figures for {label[0].lower()}{label[1:]}")).to_be_visible()
    table = page.locator("table#case-reviews-by-strand")
    expect(
        table.get_by_role("rowheader", name="Race (including nationality and ethnicity)")
    ).to_be_visible()

    link = page.locator('a[href*="table=case-reviews-by-strand"]')
    expect(link).to_have_accessible_name(
        re.compile(r"Download this table as CSV\s*:\s*Case reviews by strand")
    )
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(f"case-reviews-by-strand-{key}.csv")
    with open(download.value.path(), encoding="utf-8-sig") as file:
        rows = list(csv.reader(io.StringIO(file.read())))
    assert rows[0] == ["Strand", "Case reviews", "Positive outcomes", "Positive outcome rate"]
    assert len(rows) == 9  # the header and the eight strands

    # The annual report of the same year: the last complete one, which the form offers first.
    year = int(key.removeprefix("fy-"))
    expect(page.get_by_role("combobox", name="Financial year")).to_have_value(str(year))
    browser_page.follow(page.get_by_role("button", name="Produce the annual report"))
    expect(
        page.get_by_text(
            f"April {year} to March {year + 1} is being produced, full and reader-safe"
        )
    ).to_be_visible()
    # Produced after the answer: the page offers a refresh until it is listed.
    refresh = page.get_by_role("link", name="Refresh this page")
    for _ in range(60):
        if not refresh.count():
            break
        page.wait_for_timeout(500)
        browser_page.follow(refresh)
    produced = page.locator("#annual-report").locator("..").get_by_role("row").nth(1)
    expect(produced).to_contain_text(f"April {year} to March {year + 1}")
    with page.expect_download() as download:
        produced.get_by_role("link", name=re.compile("Full report")).click()
    assert download.value.suggested_filename == f"annual-report-{year}-{year + 1}.pdf"
    pages = [p.extract_text() for p in PdfReader(download.value.path()).pages]
    assert pages and all("OFFICIAL" in p and "OFFICIAL-SENSITIVE" not in p for p in pages)
    assert "Annual report" in pages[0]


def test_a_period_not_offered_is_explained_in_the_error_summary(browser_page: CheckedPage):
    page = browser_page.page
    browser_page.sign_in("chair@panel.example")
    browser_page.goto("/insight?period=last-century")
    expect(page.get_by_role("alert")).to_contain_text("Select a period from the list")


def test_the_insight_page_fits_a_phone(browser_page: CheckedPage):
    page = browser_page.page
    page.set_viewport_size(PHONE)
    open_the_scrutiny_panels_insight(browser_page)
    browser_page.follow(page.get_by_role("button", name="Produce the annual report"))
    expect(page.get_by_role("link", name=re.compile("Reader-safe version"))).to_be_visible()
    width, screen = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= screen, f"the insight page is {width}px wide on a {screen}px screen"

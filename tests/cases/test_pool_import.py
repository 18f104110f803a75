"""Importing an extract of finalised cases into the pool: columns recognised, columns dropped for
carrying personal data, every cell through the guard, each refused row explained, exact dates
coarsened, and nothing saved until the coordinator confirms."""

from __future__ import annotations

from datetime import date

import pytest

from panel.access import NotAllowed
from panel.cases.pool import services
from panel.cases.pool.models import PoolCase, PoolImport
from panel.cases.pool.services import PoolRefused, read_extract, read_month
from panel.cases.pool.vocabularies import Column
from panel.cases.vocabularies import OffenceCategory, Outcome, Strand
from panel.core import encryption
from panel.core.audit import AuditEvent
from panel.extensions import db as _db
from tests.cases.pool_factories import HEADINGS, extract, extract_rows

TODAY = date(2026, 2, 3)
OWN = frozenset({"ISP"})


def _read(rows, headings=None):
    return read_extract(extract(rows, headings), TODAY, OWN)


def _count(model) -> int:
    return _db.session.scalar(_db.select(_db.func.count()).select_from(model))


def test_a_clean_extract_is_read_whole():
    preview = _read(extract_rows(200))
    assert len(preview.rows) == 200
    assert preview.refused == []
    assert set(preview.recognised.values()) == set(Column)
    number, first = preview.rows[0]
    assert number == 2  # as a spreadsheet numbers it, under the headings
    assert first.agency_reference.startswith("20CV/")


def test_a_name_in_a_cell_refuses_the_row_and_says_why():
    rows = extract_rows(40)
    rows[35][2] = "Mr John Smith"  # spreadsheet row 37
    preview = _read(rows)
    assert len(preview.rows) == 39
    assert preview.refused == [
        (
            37,
            "Row 37: the offence category looks like a person's name. Remove the name from the "
            "file and upload it again.",
        )
    ]
    # The name itself is never repeated back, nor kept.
    assert "Smith" not in str(preview.refused)


def test_the_guard_reads_every_cell_of_every_kept_column():
    rows = extract_rows(5)
    rows[0][5] = "12 High Street"
    rows[1][1] = "Race; 07700 900123"
    rows[2][0] = "Jane Doe"  # a name where the reference should be
    refused = dict(_read(rows).refused)
    assert "policing area looks like an address" in refused[2]
    assert "strands looks like a phone number" in refused[3]
    assert "agency's reference looks like a person's name" in refused[4]


def test_columns_with_names_addresses_or_dates_of_birth_are_dropped_by_their_heading():
    rows = [[*row, "Someone", "1 Long Lane", "01/02/1980"] for row in extract_rows(3)]
    preview = _read(rows, [*HEADINGS, "Victim Name", "Home Address", "DOB"])
    assert [heading for heading, _ in preview.dropped] == ["Victim Name", "Home Address", "DOB"]
    assert len(preview.rows) == 3  # the rows themselves are fine without them


def test_a_column_the_pool_does_not_use_is_dropped_if_the_guard_finds_personal_data_in_it():
    rows = [[*row, "Called back by Sarah Jones", "Y"] for row in extract_rows(3)]
    preview = _read(rows, [*HEADINGS, "Notes", "Flagged"])
    assert preview.dropped == [("Notes", "its cells hold what looks like a person's name")]
    assert preview.ignored == ["Flagged"]


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("19", "the outcome code is not a Home Office outcome type (1 to 22, or 1A)"),
        ("NFA", "the outcome code is not a Home Office outcome type (1 to 22, or 1A)"),
        ("", "the outcome code is missing"),
    ],
)
def test_a_bad_outcome_code_is_refused(cell, reason):
    rows = extract_rows(2)
    rows[1][3] = cell
    assert _read(rows).refused == [(3, f"Row 3: {reason}.")]


def test_outcome_codes_as_extracts_write_them():
    read = services.read_outcome
    assert read("OC14") == read("Outcome 14") == read("14") == read("014") == Outcome.OC14
    assert read("1A") == read("oc1a") == Outcome.OC1A
    assert read("16: Evidential difficulties") == Outcome.OC16


def test_strands_and_offences_as_extracts_write_them():
    assert services.read_strands("Race; Religion / faith") == [Strand.RACE, Strand.RELIGION]
    assert services.read_strands("Homophobic and Disability") == [
        Strand.SEXUAL_ORIENTATION,
        Strand.DISABILITY,
    ]
    assert services.read_offence("Stalking") == OffenceCategory.HARASSMENT
    with pytest.raises(ValueError, match="not a strand"):
        services.read_strands("Race; Football")


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("2025-03", (2025, 3, False)),
        ("03/2025", (2025, 3, False)),
        ("March 2025", (2025, 3, False)),
        ("Mar-25", (2025, 3, False)),
        # Exact dates are coarsened to their month and year: the day is never kept.
        ("14/03/2025", (2025, 3, True)),
        ("2025-03-14", (2025, 3, True)),
        ("14 March 2025", (2025, 3, True)),
    ],
)
def test_finalised_months_and_exact_dates(text, read):
    assert read_month(text, TODAY) == read


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-05", "in the future"),
        ("1999-12", "before 2000"),
        ("13/2025", "not a real month"),
        ("last spring", "not a month and year"),
    ],
)
def test_months_that_cannot_be_right_are_refused(text, reason):
    with pytest.raises(ValueError, match=reason):
        read_month(text, TODAY)


def test_the_preview_counts_exact_dates_coarsened():
    rows = extract_rows(3)
    rows[0][4] = "14/03/2025"
    preview = _read(rows)
    assert preview.coarsened == 1
    assert (preview.rows[0][1].finalised_year, preview.rows[0][1].finalised_month) == (2025, 3)


def test_files_it_cannot_use_are_refused_whole():
    with pytest.raises(PoolRefused, match="no column for the outcome code"):
        _read(extract_rows(2), [h if h != "Outcome Code" else "Result" for h in HEADINGS])
    with pytest.raises(PoolRefused, match="at most 5,000"):
        _read(extract_rows(5_001))
    with pytest.raises(PoolRefused, match="no cases"):
        _read([])
    with pytest.raises(PoolRefused, match="must be a CSV"):
        read_extract(b"\x89PNG\x00\x00", TODAY, OWN)


def test_nothing_is_saved_until_the_coordinator_confirms(app, isp):
    rows = extract_rows(10)
    rows[3][2] = "Mr John Smith"
    with app.test_request_context():
        held = services.start_import(isp.coordinator, isp.panel, "cases.csv", extract(rows))
        assert _count(PoolCase) == 0
        # The held rows keep the references encrypted, and the refused row's reason only.
        assert "20CV/" not in str(held.preview["rows"])
        assert "Smith" not in str(held.preview)
        assert services.confirm_import(isp.coordinator, held) == 9
    assert _count(PoolCase) == 9
    assert _count(PoolImport) == 0
    saved = _db.session.scalars(_db.select(PoolCase).order_by(PoolCase.id)).first()
    assert encryption.decrypt(saved.agency_reference_encrypted) == "20CV/100000A/25"
    event = _db.session.scalars(
        _db.select(AuditEvent)
        .where(AuditEvent.object_type == "panel")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event.changes["pool_cases_imported"] == 9
    assert event.changes["rows_refused"] == 1


def test_only_the_uploader_confirms_and_only_the_coordinator_imports(app, isp):
    with app.test_request_context():
        with pytest.raises(NotAllowed):
            services.start_import(isp.chair, isp.panel, "cases.csv", extract(extract_rows(2)))
        held = services.start_import(isp.coordinator, isp.panel, "c.csv", extract(extract_rows(2)))
        assert services.pending_import(isp.chair, isp.panel, held.id) is None
        assert services.pending_import(isp.coordinator, isp.panel, held.id) is held


def test_a_new_upload_replaces_the_last_one_not_confirmed(app, isp):
    with app.test_request_context():
        services.start_import(isp.coordinator, isp.panel, "a.csv", extract(extract_rows(2)))
        services.start_import(isp.coordinator, isp.panel, "b.csv", extract(extract_rows(3)))
    assert _count(PoolImport) == 1

"""Builders for the pool of finalised cases in tests: extracts as police systems write them, and
pools filled through the service."""

from __future__ import annotations

import csv
import io
import random

from panel.cases.pool import services
from panel.cases.pool.services import PoolCaseDetails
from panel.cases.vocabularies import OffenceCategory, Outcome, Strand

HEADINGS = [
    "Crime Number",
    "Hate Strand",
    "Offence Category",
    "Outcome Code",
    "Finalised",
    "NPU",
]
AREAS = ["Coventry North", "Coventry South", "Coventry Central", "Birmingham East"]
OFFENCES = ["Public order", "Violence with injury", "Harassment", "Criminal damage"]
STRANDS = ["Race", "Religion", "Disability", "Sexual orientation", "Transgender", "Race; Religion"]
OUTCOMES = ["1", "8", "14", "15", "16", "18", "3", "21"]


def extract_rows(count: int, seed: int = 7) -> list[list[str]]:
    """`count` plausible rows of an extract (headings not included), the same for the same seed."""
    rng = random.Random(seed)
    return [
        [
            f"20CV/{100000 + number:06d}A/25",
            rng.choice(STRANDS),
            rng.choice(OFFENCES),
            rng.choice(OUTCOMES),
            f"2025-{rng.randint(1, 9):02d}",
            rng.choice(AREAS),
        ]
        for number in range(count)
    ]


def extract(rows: list[list[str]], headings: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings or HEADINGS)
    writer.writerows(rows)
    return out.getvalue().encode()


def pool_case(actor, panel, **overrides):
    fields = dict(
        strands=[Strand.RACE],
        offence_category=OffenceCategory.PUBLIC_ORDER,
        outcome=Outcome.OC14,
        finalised_year=2025,
        finalised_month=3,
        policing_area="Coventry North",
        agency_reference="20CV/123456A/25",
    )
    fields.update(overrides)
    return services.add_pool_case(actor, panel, PoolCaseDetails(**fields))

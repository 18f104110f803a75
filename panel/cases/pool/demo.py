"""The demo pool: 200 finalised cases of the scrutiny panel's area, as a force extract would give
them, and one draw made a week ago for the panel's next meeting, on a theme (disability and
religion, no further action), so that its page, the meeting page's sentence and "Repeat this
draw" have something to show. Random but fixed: the same seed gives the same pool every time."""

from __future__ import annotations

import random
from datetime import timedelta

from panel.accounts.models import User
from panel.cases.pool import services
from panel.cases.pool.models import PoolCase
from panel.cases.pool.services import DrawFilters, PoolCaseDetails
from panel.cases.pool.vocabularies import OutcomeGroup
from panel.cases.vocabularies import OffenceCategory, Outcome, Strand
from panel.core.database import utcnow
from panel.extensions import db
from panel.meetings.models import Meeting, MeetingStatus
from panel.panels.models import Panel

POOL_SIZE = 200
SEED = 2026
# The demo draw's seed, recorded as any draw's is.
DRAW_SEED = "5eed00000000d1a1"
AREAS = (
    "Coventry North",
    "Coventry South",
    "Coventry Central",
    "Birmingham East",
    "Birmingham West",
    "Wolverhampton",
    "Dudley",
    "Sandwell",
    "Walsall",
    "Solihull",
)
# Roughly as recorded hate crime falls: race about four in five.
STRANDS = (
    [Strand.RACE] * 16
    + [Strand.RELIGION] * 2
    + [Strand.SEXUAL_ORIENTATION] * 2
    + [Strand.DISABILITY, Strand.TRANSGENDER]
)
OUTCOMES = [Outcome.OC1] * 5 + [
    Outcome.OC3,
    Outcome.OC8,
    Outcome.OC8,
    Outcome.OC14,
    Outcome.OC15,
    Outcome.OC15,
    Outcome.OC16,
    Outcome.OC16,
    Outcome.OC18,
    Outcome.OC21,
]


def load_demo_pool(panel: Panel, coordinator: User) -> int:
    """Fill the panel's pool and make its demo draw, unless it has a pool already; how many
    cases were added."""
    if db.session.scalar(db.select(PoolCase.id).where(PoolCase.panel_id == panel.id).limit(1)):
        return 0
    rng = random.Random(SEED)  # noqa: S311 - demo data, the same every time
    today = utcnow()
    for number in range(POOL_SIZE):
        strands = [rng.choice(STRANDS)]
        if rng.random() < 0.1:
            strands.append(rng.choice(STRANDS))
        months_ago = rng.randint(2, 14)
        year, month = divmod(today.year * 12 + today.month - 1 - months_ago, 12)
        services.add_pool_case(
            coordinator,
            panel,
            PoolCaseDetails(
                strands=list(dict.fromkeys(strands)),
                offence_category=rng.choice(list(OffenceCategory)),
                outcome=rng.choice(OUTCOMES),
                finalised_year=year,
                finalised_month=month + 1,
                policing_area=rng.choice(AREAS),
                agency_reference=f"20{rng.choice(['CV', 'BE', 'WV', 'DY'])}/"
                f"{300000 + number * 37:06d}{rng.choice('ABCDEFGH')}/{year % 100}",
            ),
        )
    upcoming = db.session.scalar(
        db.select(Meeting)
        .where(
            Meeting.panel_id == panel.id,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at > today,
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )
    services.draw_cases(
        coordinator,
        panel,
        DrawFilters(
            strands=(Strand.RELIGION, Strand.DISABILITY),
            outcome_groups=(OutcomeGroup.NO_FURTHER_ACTION,),
            stratified=True,
        ),
        2,
        upcoming,
        seed=DRAW_SEED,
        now=today - timedelta(days=7),
    )
    return POOL_SIZE

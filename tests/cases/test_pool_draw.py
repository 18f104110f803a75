"""Drawing cases at random from the pool: uniform, stratified when asked, refused with a reason
when it cannot be made, reproducible from its recorded seed over the pool as it was, audited; the
cases drawn become draft case reviews for the meeting; and the agency's reference is the
coordinator's alone, until the case review is checked, when it is deleted."""

from __future__ import annotations

from collections import Counter

import pytest

from panel.access import NotAllowed
from panel.cases import services as case_services
from panel.cases.models import CaseReviewStatus
from panel.cases.pool import services
from panel.cases.pool.models import PoolCase
from panel.cases.pool.services import DrawFilters, PoolRefused, pick
from panel.cases.pool.vocabularies import OutcomeGroup
from panel.cases.vocabularies import LocationType, Outcome, ReportingRoute, Strand
from panel.core.audit import AuditEvent
from panel.extensions import db as _db
from tests.cases.pool_factories import pool_case
from tests.meetings.factories import meeting_on

# Fixed seeds: the statistical tests below give the same answer on every run.
SEEDS = [f"{n:016x}" for n in range(1, 2_001)]


def test_each_case_is_equally_likely_to_be_drawn():
    # 2,000 draws of 1 from 10: each case expected 200 times. Chi-square with 9 degrees of
    # freedom stays under 27.88 (p = 0.001) for a uniform draw; these seeds give a fixed value.
    counts = Counter(pick(list(range(10)), 1, seed)[0] for seed in SEEDS)
    chi_square = sum((counts[case] - 200) ** 2 / 200 for case in range(10))
    assert chi_square < 27.88
    assert all(150 < counts[case] < 250 for case in range(10))


def test_draws_of_several_are_uniform_too():
    counts = Counter(case for seed in SEEDS[:1000] for case in pick(list(range(20)), 5, seed))
    # 5,000 picks over 20 cases: 250 each expected.
    assert all(190 < counts[case] < 310 for case in range(20))


def test_a_stratified_draw_has_one_of_each_strand_even_when_it_is_rare():
    ids = list(range(100))
    rare = {97}  # one case in a hundred has the strand
    common = set(range(50))
    for seed in SEEDS[:200]:
        chosen = pick(ids, 3, seed, [(Strand.RACE, common), (Strand.DISABILITY, rare)])
        assert 97 in chosen
        assert set(chosen) & common
        assert len(set(chosen)) == 3


def test_the_same_seed_picks_the_same_cases():
    assert pick(list(range(50)), 5, SEEDS[0]) == pick(list(range(50)), 5, SEEDS[0])
    assert pick(list(range(50)), 5, SEEDS[0]) != pick(list(range(50)), 5, SEEDS[1])


@pytest.fixture
def pool(app, isp):
    """30 cases: every third disability (outcome 15), the rest race (outcome 1)."""
    with app.test_request_context():
        for number in range(30):
            disability = number % 3 == 0
            pool_case(
                isp.coordinator,
                isp.panel,
                strands=[Strand.DISABILITY if disability else Strand.RACE],
                outcome=Outcome.OC15 if disability else Outcome.OC1,
                agency_reference=f"20CV/{number:06d}A/25",
            )
    _db.session.commit()
    return isp


ANY = DrawFilters()


def _draw(app, person, panel, filters=ANY, how_many=3, meeting=None, seed=None):
    with app.test_request_context():
        return services.draw_cases(person, panel, filters, how_many, meeting, seed=seed)


def test_a_draw_by_theme_picks_only_matching_cases_and_records_itself(app, pool):
    meeting = meeting_on(pool.panel, days_from_now=14)
    filters = DrawFilters(
        strands=(Strand.DISABILITY,), outcome_groups=(OutcomeGroup.NO_FURTHER_ACTION,)
    )
    draw = _draw(app, pool.chair, pool.panel, filters, 4, meeting)
    assert draw.eligible_count == 10
    assert len(draw.cases) == 4
    assert all(case.strands == [Strand.DISABILITY] for case in draw.cases)
    assert len(draw.seed) == 16
    assert filters.describe() == "disability strand, no further action"
    # Each case drawn is a draft case review for the meeting, with what the pool knew.
    review = draw.cases[0].case_review
    assert review.status == CaseReviewStatus.ADDED
    assert review.strands == [Strand.DISABILITY]
    assert review.outcome == Outcome.OC15
    assert (review.incident_year, review.incident_month) == (2025, 3)
    assert review.reporting_route == ReportingRoute.NOT_KNOWN
    # The extract does not say where it happened: "Not known", not "Other".
    assert review.location_type == LocationType.NOT_KNOWN
    assert draw.meeting == meeting
    event = _db.session.scalars(
        _db.select(AuditEvent).where(AuditEvent.object_type == "pool_draw")
    ).one()
    assert event.changes["seed"] == draw.seed
    assert event.changes["eligible"] == 10
    assert event.changes["pool_cases"] == [case.id for case in draw.cases]


def test_repeating_a_draw_gives_the_same_cases_after_the_pool_changes(app, pool):
    first = _draw(app, pool.coordinator, pool.panel, DrawFilters(strands=(Strand.RACE,)), 5)
    recorded = [case.id for case in first.cases]
    # Later: more cases added, another draw takes some of the rest.
    with app.test_request_context():
        for _ in range(10):
            pool_case(pool.coordinator, pool.panel, strands=[Strand.RACE])
    _draw(app, pool.coordinator, pool.panel, DrawFilters(strands=(Strand.RACE,)), 5)
    again = services.rerun_draw(first)
    assert again.picked == recorded
    assert again.eligible_count == first.eligible_count == 20
    assert again.matches


def test_a_draw_discarded_from_still_repeats(app, pool):
    first = _draw(app, pool.coordinator, pool.panel, how_many=2)
    with app.test_request_context():
        services.discard_pool(pool.coordinator, pool.panel)
    assert services.rerun_draw(first).matches
    with pytest.raises(PoolRefused, match="No case in the pool matches"):
        _draw(app, pool.coordinator, pool.panel, how_many=1)


def test_cases_drawn_are_not_drawn_again(app, pool):
    first = _draw(app, pool.coordinator, pool.panel, DrawFilters(strands=(Strand.DISABILITY,)), 6)
    second = _draw(app, pool.coordinator, pool.panel, DrawFilters(strands=(Strand.DISABILITY,)), 4)
    assert second.eligible_count == 4
    assert not {c.id for c in first.cases} & {c.id for c in second.cases}


@pytest.mark.parametrize(
    ("filters", "how_many", "message"),
    [
        (DrawFilters(strands=(Strand.DISABILITY,)), 11, "Only 10 cases match this theme"),
        (DrawFilters(strands=(Strand.AGE,)), 1, "No case in the pool matches this theme"),
        (
            DrawFilters(strands=(Strand.RACE, Strand.AGE), stratified=True),
            3,
            "has the Age strand, so the draw cannot include one of each",
        ),
        (
            DrawFilters(strands=(Strand.RACE, Strand.DISABILITY), stratified=True),
            1,
            "draw at least 2 cases",
        ),
        (DrawFilters(stratified=True), 2, "Choose the strands"),
    ],
)
def test_a_draw_that_cannot_be_made_says_why(app, pool, filters, how_many, message):
    with pytest.raises(PoolRefused, match=message):
        _draw(app, pool.coordinator, pool.panel, filters, how_many)


def test_members_and_readers_may_not_draw(app, pool):
    for person in (pool.member, pool.reader):
        with pytest.raises(NotAllowed):
            _draw(app, person, pool.panel)


def test_only_the_coordinator_sees_the_agency_reference_until_the_check_deletes_it(app, pool):
    draw = _draw(app, pool.chair, pool.panel, DrawFilters(strands=(Strand.RACE,)), 1)
    drawn = draw.cases[0]
    with app.test_request_context():
        assert services.agency_reference(pool.coordinator, drawn).startswith("20CV/")
        for person in (pool.chair, pool.member, pool.reader, pool.admin):
            assert services.agency_reference(person, drawn) is None
        # The summary written from the file, the chair (who drew it, so is the draft's author)
        # leaves the check to the coordinator.
        drawn.case_review.narrative = "A man was abused in the street for his race."
        case_services.confirm_checked(
            pool.coordinator, drawn.case_review, drawn.case_review.text_sha256
        )
    _db.session.expire_all()
    assert _db.session.get(PoolCase, drawn.id).agency_reference_encrypted is None
    event = _db.session.scalars(
        _db.select(AuditEvent)
        .where(AuditEvent.object_type == "pool_case", AuditEvent.object_id == drawn.id)
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event.changes == {"agency_reference": ["(hidden)", None]}


def test_a_drawn_case_review_cannot_be_checked_until_its_summary_is_written(app, pool):
    # The check deletes the agency's reference: checked with the placeholder summary, the
    # coordinator could no longer find the file to write the summary from.
    draw = _draw(app, pool.chair, pool.panel, DrawFilters(strands=(Strand.RACE,)), 1)
    drawn = draw.cases[0]
    review = drawn.case_review
    with app.test_request_context():
        assert not case_services.may_check(pool.coordinator, review)
        with pytest.raises(case_services.CaseReviewRefused, match="summary is still the one"):
            case_services.confirm_checked(pool.coordinator, review, review.text_sha256)
        assert services.agency_reference(pool.coordinator, drawn).startswith("20CV/")
        assert not review.is_checked
        review.narrative = review.narrative + " A man was abused in the street for his race."
        assert case_services.may_check(pool.coordinator, review)


def test_discarding_the_pool_deletes_the_references_of_cases_not_drawn(app, pool):
    draw = _draw(app, pool.coordinator, pool.panel, how_many=1)
    with app.test_request_context():
        assert services.discard_pool(pool.coordinator, pool.panel) == 29
    kept = _db.session.scalars(
        _db.select(PoolCase).where(PoolCase.agency_reference_encrypted.is_not(None))
    ).all()
    assert [case.id for case in kept] == [draw.cases[0].id]  # until its case review is checked


def test_a_theme_in_words_as_the_meeting_page_says_it():
    by = services.describe_outcomes
    assert by([Outcome.OC8]) == "outcome 8"
    assert by([Outcome.OC16, Outcome.OC14, Outcome.OC15]) == "outcomes 14 to 16"
    assert by([Outcome.OC1, Outcome.OC14, Outcome.OC15]) == "outcomes 1, 14 and 15"
    theme = DrawFilters(
        strands=(Strand.DISABILITY,),
        outcomes=(Outcome.OC14, Outcome.OC15, Outcome.OC16),
        policing_area="Coventry North",
        finalised_from=(2025, 1),
        finalised_to=(2025, 6),
    )
    assert theme.describe() == (
        "disability strand, outcomes 14 to 16, Coventry North, finalised January 2025 to June 2025"
    )
    assert DrawFilters().describe() == "any case in the pool"
    # One of each strand says something only when more than one strand is chosen.
    one = DrawFilters(strands=(Strand.RACE,), stratified=True)
    assert one.describe() == "race strand"
    two = DrawFilters(strands=(Strand.RACE, Strand.AGE), stratified=True)
    assert two.describe().endswith(", at least one of each strand")

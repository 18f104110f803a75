"""The demo panels' two years of history tell a story the insight pages can show: disability hate
crime rising, one agency answering recommendations late, victim care most often rated short. Read
with plain queries, so that the story is checked apart from the pages that chart it.

The demo data and its history are loaded once for the module, as in tests/test_demo.py.
"""

from __future__ import annotations

import html
import re
import statistics
from collections import Counter, defaultdict
from datetime import timedelta

import pytest

from panel.accounts import services as accounts
from panel.accounts.models import Organisation
from panel.cases.models import CaseReview, CaseReviewStrand, StageFinding
from panel.cases.services import reference_prefixes
from panel.cases.vocabularies import Answer, Outcome, Rating, Stage, Strand
from panel.core import anonymise
from panel.core.audit import verify_chain
from panel.core.database import utcnow
from panel.core.time import uk_today
from panel.demo import (
    COVENTRY,
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    ISP,
    load_demo_data,
    load_demo_history,
)
from panel.demo_story import LATE_AGENCY
from panel.extensions import db as _db
from panel.interventions.models import Intervention, InterventionUpdate, LiveCase, LiveCaseStrand
from panel.interventions.vocabularies import LiveCaseStatus
from panel.lessons.lifecycle import AWAITING_AGENCY
from panel.lessons.models import Lesson, Recommendation, RecommendationEvent
from panel.lessons.models import RecommendationStatus as S
from panel.meetings.models import AgendaItem, Attendance, Meeting
from panel.panels.models import Panel
from tests.conftest import sign_in

LINK = re.compile(r'href="([^"]+)"')
POSITIVE = {Outcome.OC1, Outcome.OC1A} | {getattr(Outcome, f"OC{n}") for n in range(2, 11)}


@pytest.fixture(scope="module")
def history(module_db):
    load_demo_data()
    return load_demo_history()


@pytest.fixture
def db(history, in_module_db):
    return _db


def _panel(db, name):
    return db.session.scalar(db.select(Panel).where(Panel.name == name))


def _by_year(db, model, strand_model, key, panel, strand):
    """(last 12 months, the 12 months before) of the panel's cases with `strand`."""
    now = utcnow()
    dates = db.session.scalars(
        db.select(model.created_at)
        .join(strand_model, getattr(strand_model, key) == model.id)
        .where(model.panel_id == panel.id, strand_model.strand == strand)
    ).all()
    last = sum(1 for d in dates if now - timedelta(days=365) <= d <= now)
    before = sum(1 for d in dates if now - timedelta(days=730) <= d < now - timedelta(days=365))
    return last, before


def test_disability_hate_crime_rises_in_case_reviews_and_live_cases(db):
    reviews = _by_year(
        db, CaseReview, CaseReviewStrand, "case_review_id", _panel(db, ISP), Strand.DISABILITY
    )
    live = _by_year(
        db, LiveCase, LiveCaseStrand, "live_case_id", _panel(db, COVENTRY), Strand.DISABILITY
    )
    for last, before in (reviews, live):
        assert before >= 5  # enough to show, not "fewer than 5"
        assert last >= 1.5 * before and last - before >= 8, (last, before)
    # The other strands do not rise like it: race, the largest, stays level or falls.
    last, before = _by_year(
        db, CaseReview, CaseReviewStrand, "case_review_id", _panel(db, ISP), Strand.RACE
    )
    assert last <= before


def _days_to_respond(db):
    """Days from each answered recommendation's making to its response, by organisation."""
    answered = db.session.execute(
        db.select(Organisation.name, Recommendation.created_at, db.func.min(RecommendationEvent.at))
        .join(Recommendation.organisation)
        .join(RecommendationEvent, RecommendationEvent.recommendation_id == Recommendation.id)
        .where(RecommendationEvent.status.in_([S.ACCEPTED, S.NOT_ACCEPTED]))
        .group_by(Recommendation.id, Organisation.name, Recommendation.created_at)
    ).all()
    days = defaultdict(list)
    for name, made, responded in answered:
        days[name].append((responded - made).total_seconds() / 86400)
    return days


def test_one_agency_answers_recommendations_late_and_holds_the_overdue_ones(db):
    days = _days_to_respond(db)
    late = statistics.median(days.pop(LATE_AGENCY))
    others = {name: statistics.median(values) for name, values in days.items()}
    assert len(others) >= 3
    assert late >= 60 and all(late >= 2 * median for median in others.values()), (late, others)
    today = uk_today()
    overdue = Counter(
        db.session.scalars(
            db.select(Organisation.name)
            .join(Recommendation.organisation)
            .where(Recommendation.status.in_(AWAITING_AGENCY), Recommendation.due_date < today)
        )
    )
    assert overdue[LATE_AGENCY] >= 5
    assert all(n <= 1 for name, n in overdue.items() if name != LATE_AGENCY), overdue
    # Each of the main agencies has enough recommendations in the last year to be charted.
    made = Counter(
        db.session.scalars(
            db.select(Organisation.name)
            .join(Recommendation.organisation)
            .where(Recommendation.created_at >= utcnow() - timedelta(days=365))
        )
    )
    assert sum(1 for n in made.values() if n >= 5) >= 4, made


def test_victim_care_is_the_stage_most_often_rated_short(db):
    short = Counter(
        db.session.scalars(
            db.select(StageFinding.stage).where(StageFinding.rating == Rating.AREA_FOR_IMPROVEMENT)
        )
    )
    (most, count), (_, runner_up) = short.most_common(2)
    assert most == Stage.VICTIM_CARE and count >= runner_up + 10
    assert all(short[stage] > 0 for stage in (Stage.REPORT, Stage.INVESTIGATION, Stage.CHARGING))


def test_outcomes_and_victims_feeling_safer_vary_by_strand(db):
    rates = {}
    for strand in (Strand.DISABILITY, Strand.RACE):
        outcomes = db.session.scalars(
            db.select(CaseReview.outcome)
            .join(CaseReviewStrand)
            .where(CaseReviewStrand.strand == strand)
        ).all()
        rates[strand] = sum(o in POSITIVE for o in outcomes) / len(outcomes)
    assert 0.15 < rates[Strand.DISABILITY] < rates[Strand.RACE] < 0.8, rates
    safer = {}
    for strand in (Strand.DISABILITY, Strand.RACE):
        answers = db.session.scalars(
            db.select(LiveCase.felt_safer)
            .join(LiveCaseStrand)
            .where(LiveCase.status == LiveCaseStatus.CLOSED, LiveCaseStrand.strand == strand)
        ).all()
        assert len(answers) >= 10
        safer[strand] = answers.count(Answer.YES) / len(answers)
    assert 0.3 < safer[Strand.DISABILITY] < safer[Strand.RACE] < 0.95, safer


def test_history_is_consistent_anonymised_audited_and_added_once(app, db):
    assert load_demo_history() == {}
    assert verify_chain().intact
    # Each recommendation's status is its last event's, and its events are in order.
    for recommendation in db.session.scalars(db.select(Recommendation)):
        events = recommendation.events
        assert events[0].status == S.OPEN and events[-1].status == recommendation.status
        assert [e.at for e in events] == sorted(e.at for e in events)
        assert events[0].at >= recommendation.created_at - timedelta(seconds=1)
    for intervention in db.session.scalars(db.select(Intervention)):
        moves = [u for u in intervention.updates if u.status is not None]
        assert moves[-1].status == intervention.status
        assert all(u.at >= intervention.created_at for u in intervention.updates)
    for case in db.session.scalars(db.select(LiveCase).where(LiveCase.closed_at.is_not(None))):
        assert case.created_at < case.closed_at
    # A case review was added before the meeting that reviewed it, and closed after it.
    reviewed = db.session.execute(
        db.select(CaseReview.created_at, Meeting.starts_at, CaseReview.closed_at)
        .join(AgendaItem, AgendaItem.case_review_id == CaseReview.id)
        .join(AgendaItem.meeting)
        .where(CaseReview.closed_at.is_not(None))
    ).all()
    assert len(reviewed) >= 100
    assert all(added < held < closed for added, held, closed in reviewed)
    assert db.session.scalar(db.select(db.func.count()).select_from(Attendance)) >= 500
    with app.test_request_context():
        prefixes = reference_prefixes()
        texts = set(db.session.scalars(db.select(CaseReview.narrative)))
        texts |= set(db.session.scalars(db.select(StageFinding.comment)))
        texts |= set(db.session.scalars(db.select(Lesson.text)))
        texts |= set(db.session.scalars(db.select(Recommendation.text)))
        texts |= set(db.session.scalars(db.select(Recommendation.response)))
        texts |= set(db.session.scalars(db.select(LiveCase.risk_reason)))
        texts |= set(db.session.scalars(db.select(Intervention.description)))
        texts |= set(db.session.scalars(db.select(InterventionUpdate.text)))
        for text in texts - {None}:
            assert anonymise.find(text, prefixes) == [], text


@pytest.mark.parametrize("email", [email for email, *_ in DEMO_ACCOUNTS])
def test_demo_accounts_pages_work_on_the_history(client, db, email):
    """Every kind of page a demo account reaches from its home page still works on two years of
    history: no errors, and no page grown past the bounded-pages limit. One page of each kind (its
    address with the numbers taken out), up to 80."""
    sign_in(client, accounts.find_user_by_email(email), DEMO_PASSWORD)
    kinds, queue, fetched = {"/"}, ["/"], 0
    while queue and fetched < 80:
        url = queue.pop(0)
        response = client.get(url)
        fetched += 1
        assert response.status_code in (200, 302), (url, response.status_code)
        if response.mimetype != "text/html":
            continue  # CSV downloads stay whole
        assert len(response.data) < 300_000, url
        for link in LINK.findall(response.get_data(as_text=True)):
            link = html.unescape(link).split("#")[0]
            kind = re.sub(r"\d+", "N", link)
            if (
                link.startswith("/")
                and not link.startswith(("//", "/static/"))
                and kind not in kinds
            ):
                kinds.add(kind)
                queue.append(link)
    assert fetched >= 8

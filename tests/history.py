"""Two sizes of history for the same demo accounts, for tests that compare a page on each.

`small_history()` is the demo data (`flask demo-data`) with every state a page needs (minutes in
draft, submitted and approved, apologies for a meeting to come, links in e-mails), and returns
the ids of the objects the demo accounts see. `grow_history(small)` adds, to the same database, a
fraction of the national dataset (`panel/national_data.py`: other forces' panels, the demo panels'
years of history and an audit trail) and, in bulk, a big history on those very objects: their
panels, meetings, case reviews, lessons, recommendations, live cases and interventions, so that
every list a demo account sees there is a couple of hundred times longer than in the demo data.

The same ids name the same objects in both, so one address is a page of each size.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from panel.accounts.links import services as links
from panel.accounts.models import OrganisationKind, User
from panel.accounts.passkeys.models import Passkey
from panel.accounts.services import create_user, find_user_by_email
from panel.cases import services as case_services
from panel.cases.agreement import services as agreement
from panel.cases.pool.models import PoolCase, PoolDraw
from panel.cases.vocabularies import Rating, Stage, Strand
from panel.core import unit_of_work
from panel.core.time import uk_today
from panel.demo import (
    COVENTRY,
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DUDLEY,
    ISP,
    load_demo_data,
)
from panel.extensions import db
from panel.insight import pdf as insight_pdf
from panel.insight import services as insight_services
from panel.interventions.models import Intervention, LiveCase
from panel.interventions.vocabularies import InterventionStatus
from panel.lessons import services as lesson_services
from panel.lessons.models import LessonKind, Recommendation, RecommendationStatus
from panel.meetings import services as meeting_services
from panel.meetings.agenda import services as agenda
from panel.meetings.attendance import services as attendance
from panel.meetings.calendar import services as calendar
from panel.meetings.models import ActionStatus, AgendaItem, AgendaItemKind, Meeting, MeetingStatus
from panel.minutes import services as minutes_services
from panel.minutes.key_messages import services as key_messages
from panel.minutes.key_messages.models import KeyMessagesPublication
from panel.minutes.models import Minutes, MinutesVersion
from panel.national_data import load_national_data
from panel.panels.models import Membership, Panel, Role
from tests.cases import factories as case_factories

# The demo accounts by the role each shows: the scrutiny panel's chair, the coordinator of both
# panels, a partner member (Coventry Homes Partnership, on both), a reader (an IAG volunteer, on
# all three) and the administrator.
ACCOUNTS = {
    "chair": "chair@panel.example",
    "coordinator": "coordinator@panel.example",
    "partner": "member@panel.example",
    "reader": "reader@panel.example",
    "admin": "admin@panel.example",
}
assert set(ACCOUNTS.values()) == {email for email, *_ in DEMO_ACCOUNTS}
# A reader of the advisory group with a passkey besides the demo authenticator app: the pages
# that name and remove it are theirs.
READER_WITH_TWO_FACTOR = "iag.dudley@panel.example"
# Someone just given an account, with no second factor yet: the set-up pages are theirs. Not a
# demo account (the national dataset loads the demo data again, which gives those the demo key).
NEWCOMER = "newcomer@panel.example"

# The national dataset at this fraction: a couple of seconds on SQLite.
NATIONAL_FRACTION = 0.001
NATIONAL_SEED = 7


@dataclass(frozen=True)
class Small:
    """Ids of the objects the demo accounts see, by what they are."""

    isp: int
    coventry: int
    dudley: int
    # The scrutiny panel's meetings: held a fortnight ago with minutes in draft (the busiest:
    # the big history is added to it), minutes submitted, minutes approved, minutes published
    # (the demo's), and its next meeting, scheduled.
    busy_meeting: int
    submitted_meeting: int
    approved_meeting: int
    published_meeting: int
    upcoming_meeting: int
    # Coventry's last meeting, held with no minutes yet.
    unminuted_meeting: int
    busy_agenda_item: int
    upcoming_agenda_item: int
    template_item: int
    case_review: int
    lesson: int
    recommendation: int
    accepted_recommendation: int
    implemented_recommendation: int
    live_case: int
    intervention: int
    published_minutes: int
    # A key message of the busiest meeting's minutes.
    key_message: int
    housing: int
    partner: int
    partner_membership: int
    calendar_token: str
    invitation_token: str
    reset_token: str
    # The passkey of the reader with a passkey (`READER_WITH_TWO_FACTOR`).
    passkey: int
    # The scrutiny panel's annual report produced for this financial year (the last complete).
    report_year: int
    # The scrutiny panel's draw from its pool (the demo's).
    pool_draw: int


def account(role: str) -> User:
    user = find_user_by_email(ACCOUNTS[role])
    assert user is not None
    return user


def _panel(name: str) -> Panel:
    return db.session.scalars(db.select(Panel).where(Panel.name == name)).one()


def _held_meeting(panel: Panel, days_ago: int) -> Meeting:
    """A meeting of the panel held `days_ago` days ago, with its standing agenda."""
    start = datetime.combine(uk_today() - timedelta(days=days_ago), time(13), tzinfo=UTC)
    meeting = Meeting(
        panel=panel,
        starts_at=start,
        duration_minutes=150,
        place="CPS West Midlands, Birmingham office",
        status=MeetingStatus.HELD,
    )
    meeting.agenda_items = [
        AgendaItem(position=item.position, kind=item.kind, title=item.title)
        for item in meeting_services.agenda_template(panel)
    ]
    db.session.add(meeting)
    db.session.flush()
    return meeting


def small_history() -> Small:
    """The demo data and the states pages need, committed; the ids of what the pages show."""
    load_demo_data()
    isp, coventry, dudley = _panel(ISP), _panel(COVENTRY), _panel(DUDLEY)
    chair, coordinator = account("chair"), account("coordinator")
    partner, admin = account("partner"), account("admin")
    housing = partner.organisation
    for person, panels in (
        (chair, [isp]),
        (coordinator, [isp, coventry]),
        (partner, [isp, coventry]),
    ):
        for panel in panels:
            agreement.accept(person, panel)

    # The busiest meeting: held a fortnight ago, a new case review on its agenda with stage
    # findings, a lesson, a declaration of interest, the register taken, a guest and an action;
    # its minutes in draft.
    busy = _held_meeting(isp, 14)
    case_review = case_factories.case_review(coordinator, isp)
    busy_item = case_services.place_on_agenda(coordinator, case_review, busy)
    case_services.record_stage_findings(
        coordinator,
        case_review,
        {Stage.INVESTIGATION: case_services.FindingDetails(Rating.SATISFACTORY, "Prompt arrest.")},
        None,
    )
    agenda.declare_interest(
        find_user_by_email("interfaith@panel.example"), busy_item, "Knows the family."
    )
    attendance.record_register(
        coordinator,
        busy,
        {
            entry.user.id: attendance.Mark(attendance.AttendanceStatus.PRESENT)
            for entry in attendance.register_of(busy)
        },
    )
    attendance.add_guest(coordinator, busy, "Priya Nair", "Tell MAMA")
    meeting_services.add_action(
        coordinator, busy, "Tell housing the findings.", housing, uk_today() + timedelta(days=21)
    )
    lesson = lesson_services.record_lesson(
        coordinator,
        lesson_services.LessonDetails(
            LessonKind.IMPROVEMENT, [Strand.RACE], "No interpreter offered.", Stage.INVESTIGATION
        ),
        case_review=case_review,
    )
    recommendation = lesson_services.add_recommendation(
        chair,
        lesson,
        lesson_services.RecommendationDetails(
            housing, "Offer an interpreter first.", uk_today() + timedelta(days=60)
        ),
        notify=False,
    ).recommendation
    busy_minutes = minutes_services.start(coordinator, busy)
    key_message = key_messages.add(
        chair,
        busy_minutes,
        key_messages.KeyMessageDetails(
            "Take the Victim Personal Statement early.", key_messages.Audience.COMMUNITY
        ),
    )

    submitted = _held_meeting(isp, 28)
    minutes = minutes_services.start(coordinator, submitted)
    minutes_services.submit(coordinator, minutes, minutes.edit_version)
    approved = _held_meeting(isp, 42)
    minutes = minutes_services.start(coordinator, approved)
    minutes_services.submit(coordinator, minutes, minutes.edit_version)
    minutes_services.approve(chair, minutes, minutes.edit_version)

    report_year = insight_pdf.years_offered(uk_today())[0]
    insight_services.produce_annual_report(
        chair, isp, report_year, today=uk_today(), render=lambda _: b"%PDF-1.7\n"
    )

    published_minutes = db.session.scalars(
        db.select(Minutes)
        .join(Minutes.meeting)
        .where(Meeting.panel_id == isp.id, Meeting.status == MeetingStatus.MINUTES_PUBLISHED)
    ).one()
    upcoming = db.session.scalars(
        db.select(Meeting)
        .where(Meeting.panel_id == isp.id, Meeting.status == MeetingStatus.SCHEDULED)
        .order_by(Meeting.starts_at)
        .limit(1)
    ).one()
    upcoming_item = db.session.scalars(
        db.select(AgendaItem)
        .where(AgendaItem.meeting_id == upcoming.id, AgendaItem.case_review_id.is_not(None))
        .limit(1)
    ).one()
    attendance.send_apologies(partner, upcoming, partner, "Sam Collins")
    unminuted = db.session.scalars(
        db.select(Meeting)
        .where(Meeting.panel_id == coventry.id, Meeting.status == MeetingStatus.HELD)
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    ).one()
    live_case = db.session.scalars(
        db.select(LiveCase).where(LiveCase.panel_id == coventry.id).order_by(LiveCase.id).limit(1)
    ).one()
    intervention = db.session.scalars(
        db.select(Intervention)
        .where(
            Intervention.live_case_id == live_case.id,
            Intervention.owner_organisation_id == housing.id,
        )
        .limit(1)
    ).one()
    passkey = Passkey(
        user_id=find_user_by_email(READER_WITH_TWO_FACTOR).id,
        credential_id=b"a credential id",
        public_key=b"a public key",
        sign_count=0,
        name="Work laptop",
        transports=["internal"],
    )
    db.session.add(passkey)
    create_user(
        None, email=NEWCOMER, full_name="Ade Bello", organisation=housing, password=DEMO_PASSWORD
    )
    db.session.flush()

    def recommendation_in(status: RecommendationStatus) -> int:
        return db.session.scalars(
            db.select(Recommendation.id)
            .where(Recommendation.panel_id == isp.id, Recommendation.status == status)
            .order_by(Recommendation.id)
            .limit(1)
        ).one()

    invited = db.session.scalars(db.select(User).where(User.email == "courts@panel.example")).one()
    small = Small(
        isp=isp.id,
        coventry=coventry.id,
        dudley=dudley.id,
        busy_meeting=busy.id,
        submitted_meeting=submitted.id,
        approved_meeting=approved.id,
        published_meeting=published_minutes.meeting_id,
        upcoming_meeting=upcoming.id,
        unminuted_meeting=unminuted.id,
        busy_agenda_item=busy_item.id,
        upcoming_agenda_item=upcoming_item.id,
        template_item=meeting_services.agenda_template(isp)[0].id,
        case_review=case_review.id,
        lesson=lesson.id,
        recommendation=recommendation.id,
        accepted_recommendation=recommendation_in(RecommendationStatus.ACCEPTED),
        implemented_recommendation=recommendation_in(RecommendationStatus.IMPLEMENTED),
        live_case=live_case.id,
        intervention=intervention.id,
        published_minutes=published_minutes.id,
        key_message=key_message.id,
        report_year=report_year,
        housing=housing.id,
        partner=partner.id,
        partner_membership=db.session.scalar(
            db.select(Membership.id).filter_by(panel_id=isp.id, user_id=partner.id)
        ),
        calendar_token=calendar.issue_calendar_token(partner),
        invitation_token=links.issue(admin, invited, links.LinkPurpose.INVITATION),
        reset_token=links.issue(admin, partner, links.LinkPurpose.PASSWORD_RESET),
        passkey=passkey.id,
        pool_draw=db.session.scalars(db.select(PoolDraw.id).filter_by(panel_id=isp.id)).one(),
    )
    unit_of_work.commit()
    return small


# --- The big history ---------------------------------------------------------------------------

# How many more of each thing the big history adds to each list: about 200 times the demo's.
MORE = 1_200
# How many more members each demo panel has, two from each organisation. A panel's membership
# does not grow with history: 20,000 people sit on 430 panels nationally, about 50 a panel, and
# Coventry's meets with forty-plus organisations. Lists of a panel's members stay whole (the
# register, presenters) at three times the busiest panel; lists of everyone (people,
# organisations) grow with the nation and are bounded.
MEMBERS = 150


def _table(name: str) -> sa.Table:
    return db.metadata.tables[name]


def _row(name: str, row_id: int) -> dict:
    """A row as stored, without its id: the template for copies."""
    table = _table(name)
    row = dict(
        db.session.connection()
        .execute(sa.select(table).where(table.c.id == row_id))
        .mappings()
        .one()
    )
    row.pop("id")
    return row


def _insert(name: str, rows: Iterable[dict], template: dict | None = None) -> list[int]:
    """Insert `rows` (each over `template`) into table `name` in bulk; their ids, in order."""
    table = _table(name)
    rows = [{**(template or {}), **row} for row in rows]
    if not rows:
        return []
    connection = db.session.connection()
    if "id" not in table.c:
        connection.execute(sa.insert(table), rows)
        return []
    result = connection.execute(
        sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
    )
    return [row_id for (row_id,) in result]


def _moment(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def grow_history(small: Small) -> None:
    """Add the big history to the database `small_history` made, and commit."""
    load_national_data(NATIONAL_FRACTION, NATIONAL_SEED)
    rng = random.Random(NATIONAL_SEED)
    today = uk_today()
    now = datetime.now(UTC)
    chair, coordinator, partner = account("chair"), account("coordinator"), account("partner")

    # People: organisations, users, and members of each demo panel.
    organisations = _insert(
        "organisation",
        (
            {"name": f"Partner organisation {n:04d}", "kind": rng.choice(list(OrganisationKind))}
            for n in range(MORE)
        ),
        _row("organisation", small.housing),
    )
    people = _insert(
        "user_account",
        (
            {
                "email": f"person{n:04d}@history.example",
                "full_name": f"Person {n:04d} Example",
                "organisation_id": organisations[n // 2 if n < MEMBERS else n],
                "calendar_token": None,
                "session_token": f"history-session-{n:04d}",
            }
            for n in range(MORE)
        ),
        _row("user_account", small.partner),
    )
    members = people[:MEMBERS]
    for panel_id, role in (
        (small.isp, Role.MEMBER),
        (small.coventry, Role.MEMBER),
        (small.dudley, Role.READER),
    ):
        _insert("membership", ({"panel_id": panel_id, "user_id": u, "role": role} for u in members))

    # Meetings: years of them on each demo panel, minutes published, and years to come.
    published_version = db.session.scalars(
        db.select(MinutesVersion).where(MinutesVersion.minutes_id == small.published_minutes)
    ).one()
    publication = db.session.scalars(
        db.select(KeyMessagesPublication).where(
            KeyMessagesPublication.minutes_id == small.published_minutes
        )
    ).one()
    for panel_id in (small.isp, small.coventry, small.dudley):
        past = _insert(
            "meeting",
            (
                {
                    "panel_id": panel_id,
                    "series_id": None,
                    "starts_at": _moment(today - timedelta(days=60 + 3 * n)),
                    "status": MeetingStatus.MINUTES_PUBLISHED,
                }
                for n in range(MORE)
            ),
            _row("meeting", small.published_meeting),
        )
        minutes = _insert(
            "minutes",
            ({"meeting_id": m, "agreed_at_meeting_id": None} for m in past),
            _row("minutes", small.published_minutes),
        )
        versions = _insert(
            "minutes_version",
            ({"minutes_id": m} for m in minutes),
            _row("minutes_version", published_version.id),
        )
        # Each published with key messages: years of them in the panel's archive.
        _insert(
            "key_messages_publication",
            (
                {
                    "minutes_version_id": v,
                    "minutes_id": m,
                    "meeting_id": meeting,
                    "panel_id": panel_id,
                    "meeting_starts_at": _moment(today - timedelta(days=60 + 3 * n)),
                }
                for n, (v, m, meeting) in enumerate(zip(versions, minutes, past, strict=True))
            ),
            _row("key_messages_publication", publication.id),
        )
        _insert(
            "meeting",
            (
                {
                    "panel_id": panel_id,
                    "series_id": None,
                    "starts_at": _moment(today + timedelta(days=30 + 3 * n)),
                    "status": MeetingStatus.SCHEDULED,
                }
                for n in range(MORE)
            ),
            _row("meeting", small.upcoming_meeting),
        )

    # The scrutiny panel's pool: cases waiting to be drawn, and draws, half of them for the next
    # meeting (whose page names its draws).
    waiting_case = db.session.scalars(
        db.select(PoolCase.id).filter_by(panel_id=small.isp, draw_id=None).limit(1)
    ).one()
    pool_cases = _insert(
        "pool_case",
        ({"added_at": now - timedelta(minutes=n)} for n in range(MORE)),
        _row("pool_case", waiting_case),
    )
    _insert("pool_case_strand", ({"pool_case_id": c, "strand": Strand.RACE} for c in pool_cases))
    _insert(
        "pool_draw",
        (
            {
                "meeting_id": small.upcoming_meeting if n % 2 else None,
                "drawn_at": now - timedelta(hours=n),
            }
            for n in range(MORE)
        ),
        _row("pool_draw", small.pool_draw),
    )

    # Case reviews on the scrutiny panel, waiting for a meeting.
    case_reviews = _insert(
        "case_review",
        (
            {"reference": f"ISP-H-{n:05d}", "created_at": now - timedelta(hours=n)}
            for n in range(MORE)
        ),
        _row("case_review", small.case_review),
    )
    _insert(
        "case_review_strand", ({"case_review_id": c, "strand": Strand.RACE} for c in case_reviews)
    )

    # The busiest meeting and the next one: long agendas (half of the busiest's case reviews),
    # everyone on the register, guests, actions, declarations, notes in the draft minutes.
    for meeting_id in (small.busy_meeting, small.upcoming_meeting):
        items = _insert(
            "agenda_item",
            (
                {
                    "meeting_id": meeting_id,
                    "position": 100 + n,
                    "kind": AgendaItemKind.CASE_REVIEW if n % 2 else AgendaItemKind.FREE,
                    "title": f"ISP-H-{n:05d}" if n % 2 else f"Item {n}",
                    "duration_minutes": 5,
                    "case_review_id": case_reviews[n]
                    if n % 2 and meeting_id == small.busy_meeting
                    else None,
                    "presenter_user_id": None,
                    "presenter_organisation_id": organisations[n],
                    "notes": None,
                }
                for n in range(MORE)
            ),
        )
        _insert(
            "interest_declaration",
            (
                {
                    "agenda_item_id": rng.choice(items),
                    "user_id": u,
                    "reason": "Knows the family.",
                    "declared_at": now,
                }
                for u in members
            ),
        )
    _insert(
        "attendance",
        (
            {
                "meeting_id": small.busy_meeting,
                "user_id": u,
                "organisation_id": organisations[n // 2 if n < MEMBERS else n],
                "status": attendance.AttendanceStatus.PRESENT,
            }
            for n, u in enumerate(members)
        ),
    )
    _insert(
        "guest",
        (
            {
                "meeting_id": small.busy_meeting,
                "name": f"Guest {n}",
                "organisation_name": f"Guest body {n}",
            }
            for n in range(MORE)
        ),
    )
    # Actions agreed at the busiest meeting, and actions still open from the meeting before it:
    # matters arising at the busiest meeting and the next.
    for meeting_id in (small.busy_meeting, small.published_meeting):
        _insert(
            "meeting_action",
            (
                {
                    "panel_id": small.isp,
                    "meeting_id": meeting_id,
                    "description": f"Action {n}: write to the partner.",
                    "owner_organisation_id": rng.choice([small.housing, *organisations[:50]]),
                    "due_date": today + timedelta(days=rng.randint(-90, 90)),
                    "status": ActionStatus.OPEN,
                    "created_at": now,
                }
                for n in range(MORE)
            ),
        )
    busy_minutes = db.session.scalars(
        db.select(Minutes).where(Minutes.meeting_id == small.busy_meeting)
    ).one()
    busy_items = db.session.scalars(
        db.select(AgendaItem.id).where(AgendaItem.meeting_id == small.busy_meeting)
    ).all()
    _insert(
        "minutes_note",
        (
            {
                "minutes_id": busy_minutes.id,
                "agenda_item_id": i,
                "restricted": "Discussed.",
                "public": "Discussed.",
                "updated_at": now,
            }
            for i in busy_items
        ),
    )

    # Lessons: of the busiest case review and of the busiest meeting; recommendations of the
    # demo lesson, to the partner's organisation, and the history of one of them.
    lesson = _row("lesson", small.lesson)
    for about in (
        {"case_review_id": small.case_review},
        {"case_review_id": None, "meeting_id": small.busy_meeting, "stage": None},
    ):
        lessons = _insert(
            "lesson",
            (
                {
                    **about,
                    "text": f"Lesson {n}: offer an interpreter.",
                    "search_document": f"Lesson {n}: offer an interpreter.",
                    "created_at": now - timedelta(hours=n),
                }
                for n in range(MORE)
            ),
            lesson,
        )
        _insert("lesson_strand", ({"lesson_id": x, "strand": Strand.RACE} for x in lessons))
    _insert(
        "recommendation",
        (
            {
                "text": f"Recommendation {n}.",
                "due_date": today + timedelta(days=rng.randint(-200, 200)),
                "created_at": now - timedelta(hours=n),
            }
            for n in range(MORE)
        ),
        _row("recommendation", small.recommendation),
    )
    _insert(
        "recommendation_event",
        (
            {
                "recommendation_id": small.recommendation,
                "status": RecommendationStatus.OPEN,
                "note": f"Chased {n}.",
                "at": now - timedelta(hours=n),
                "by_id": chair.id,
                "by_organisation_id": chair.organisation_id,
            }
            for n in range(MORE)
        ),
    )

    # Live cases on Coventry's panel; interventions of the demo live case, owned by the
    # partner's organisation (some logged by partners); the update log of the demo intervention.
    live_case = _row("live_case", small.live_case)
    live_cases = _insert(
        "live_case",
        (
            {
                "reference": f"CHCP-H-{n:05d}",
                "review_date": today + timedelta(days=rng.randint(-60, 60)),
                "created_at": now - timedelta(hours=n),
            }
            for n in range(MORE)
        ),
        live_case,
    )
    _insert(
        "live_case_strand", ({"live_case_id": c, "strand": Strand.DISABILITY} for c in live_cases)
    )
    _insert(
        "intervention",
        (
            {
                "due_date": today + timedelta(days=rng.randint(-60, 60)),
                "logged_by_partner": n % 3 == 0,
                "created_at": now - timedelta(hours=n),
                "status": InterventionStatus.AGREED,
            }
            for n in range(MORE)
        ),
        _row("intervention", small.intervention),
    )
    _insert(
        "intervention_update",
        (
            {
                "intervention_id": small.intervention,
                "at": now - timedelta(hours=n),
                "author_id": partner.id,
                "author_organisation_id": small.housing,
                "text": f"Visited {n}.",
                "status": None,
                "restricted": False,
            }
            for n in range(MORE)
        ),
    )

    # Who has viewed the busiest case review and live case, day after day.
    for object_type, object_id in (
        ("case_review", small.case_review),
        ("live_case", small.live_case),
    ):
        _insert(
            "case_view",
            (
                {
                    "object_type": object_type,
                    "object_id": object_id,
                    "user_id": members[n % MEMBERS],
                    "day": today - timedelta(days=n // MEMBERS),
                    "first_at": now - timedelta(days=n // MEMBERS),
                    "last_at": now - timedelta(days=n // MEMBERS),
                    "count": 1,
                }
                for n in range(MORE)
            ),
        )

    # Text saved past the personal-data guard, on each demo panel.
    _insert(
        "guard_override",
        (
            {
                "panel_id": small.isp,
                "case_review_id": small.case_review,
                "object_type": "case_review",
                "object_id": small.case_review,
                "label": f"ISP {n}",
                "actor_id": coordinator.id,
                "reason": "A place name.",
                "kinds": ["NAME"],
                "saved_at": now - timedelta(minutes=n),
            }
            for n in range(MORE)
        ),
    )
    unit_of_work.commit()
    db.session.expire_all()

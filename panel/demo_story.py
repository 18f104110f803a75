"""The demo panels' last two years, so that the insight pages have something to show on `make run`.

`flask demo-data` loads this after the demo set (`panel.demo.load_demo_data`): two years of the
scrutiny panel's and the Coventry panel's meetings before the ones the demo set schedules, with
what happened at each. The history tells a story a chair could take to a board:

- **Disability hate crime rises**: its share of the case reviews and of the live cases grows from
  about one in sixteen to two in five over the two years.
- **One agency answers late**: the housing provider (Coventry Homes Partnership) takes months to
  respond to recommendations and to implement them, and holds most of the overdue ones; the police,
  the CPS, the courts and the victims' service answer within their due dates.
- **The rest varies believably**: positive outcomes (OC1-OC10) are less common for disability cases;
  victim care is the stage most often rated an area for improvement; most victims of closed live
  cases felt safer, fewer of them for disability cases.

Each object's life is decided when it is made and written as it stands today, with each step in
its history (recommendation events, intervention updates) and in the audit trail on the day it
happened, with the changes the services record. The services take a flush or two a call, far too
slow for two years of history, so the rows are made here: the main objects as ORM objects flushed
in a few batches, the rows nothing else reads (attendance, stage findings, recommendation events,
intervention updates) and the audit trail in one insert per table. The trail is chained from its
head with `panel.core.audit.chain_hash`, in time order within the history, so `flask audit-verify`
passes. The history's meetings are held, with their attendance, but have no minutes: rendering
minutes takes half a second a meeting (`panel/national_data.py` stores placeholders instead).

Deterministic: a fixed seed, every date relative to today. Anonymised: texts from the tables below,
which the personal-data guard passes (tests/test_demo_story.py checks). Added once: a panel that
already has a meeting before the story's end has its history.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from panel.accounts.models import Organisation, User
from panel.cases.models import CaseReview, CaseReviewStatus, StageFinding
from panel.cases.services import reference_prefix
from panel.cases.vocabularies import (
    AgeBand,
    Answer,
    LocationType,
    OffenceCategory,
    Outcome,
    OutOfCourtDisposal,
    Rating,
    ReportingRoute,
    Stage,
    Strand,
    UpliftAnswer,
    strand_labels,
)
from panel.core.audit import (
    CHAINED,
    AuditAction,
    AuditChainHead,
    AuditEvent,
    chain_hash,
    chain_key,
)
from panel.core.time import UK, uk_today
from panel.extensions import db
from panel.interventions.models import Intervention, InterventionUpdate, LiveCase
from panel.interventions.services import intervention_types
from panel.interventions.vocabularies import (
    ClosureReason,
    InterventionStatus,
    LiveCaseStatus,
    RiskLevel,
    VictimNeed,
    VictimOutcome,
)
from panel.lessons.models import (
    Lesson,
    LessonKind,
    Recommendation,
    RecommendationEvent,
    RecommendationStatus,
)
from panel.meetings.demo import COVENTRY_ROOM
from panel.meetings.models import (
    AgendaItem,
    AgendaItemKind,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Recurrence,
)
from panel.meetings.services import agenda_template
from panel.panels.models import Membership, Panel, Role

SEED = 17
DAYS = 730  # two years
# The late agency, and the organisations that answer recommendations for each stage.
LATE_AGENCY = "Coventry Homes Partnership"
POLICE = "West Midlands Police, Coventry NPU"
CPS = "CPS West Midlands"
COURTS = "HM Courts and Tribunals Service"
VICTIMS = "West Midlands Victims' Service"
AGENCIES_BY_STAGE = {
    Stage.REPORT: (POLICE, POLICE, LATE_AGENCY, LATE_AGENCY, VICTIMS),
    Stage.INVESTIGATION: (POLICE, POLICE, POLICE, CPS),
    Stage.CHARGING: (CPS, CPS, POLICE),
    Stage.COURT: (COURTS, COURTS, CPS),
    Stage.SENTENCING: (COURTS, CPS),
    Stage.VICTIM_CARE: (VICTIMS, VICTIMS, POLICE, CPS, LATE_AGENCY, LATE_AGENCY),
    Stage.OUTCOME: (POLICE, CPS),
}
# Who answers for each agency: demo accounts that sit on the scrutiny panel.
RESPONDERS = {
    POLICE: "inspector.coventry@panel.example",
    CPS: "chair@panel.example",
    COURTS: "courts@panel.example",
    VICTIMS: "victims@panel.example",
    LATE_AGENCY: "member@panel.example",
}


PLACES_TO_MEET = {True: "CPS West Midlands, Birmingham office", False: COVENTRY_ROOM}


def disability_share(progress: float) -> float:
    """The share of new cases with the disability strand, `progress` of the way through the two
    years (0 to 1): the rise the story tells."""
    return 0.06 + 0.34 * progress


# --- What the texts say: coarse, anonymised, each passing the personal-data guard ------------

OFFENCES = {
    OffenceCategory.PUBLIC_ORDER: ("Public Order Act 1986 s.4A", "was abused in the street"),
    OffenceCategory.HARASSMENT: (
        "Protection from Harassment Act 1997 s.2",
        "was harassed over several weeks",
    ),
    OffenceCategory.VIOLENCE_WITHOUT_INJURY: (
        "Crime and Disorder Act 1998 s.29",
        "was pushed and threatened",
    ),
    OffenceCategory.VIOLENCE_WITH_INJURY: (
        "Crime and Disorder Act 1998 s.29",
        "was assaulted and needed treatment",
    ),
    OffenceCategory.MALICIOUS_COMMUNICATIONS: (
        "Malicious Communications Act 1988 s.1",
        "received abusive messages online",
    ),
    OffenceCategory.CRIMINAL_DAMAGE: (
        "Crime and Disorder Act 1998 s.30",
        "had hostile graffiti sprayed on their door",
    ),
}
OFFENCE_WEIGHTS = (4, 4, 2, 1, 2, 2)
HOSTILITY = {
    Strand.RACE: "racist",
    Strand.RELIGION: "anti-religious",
    Strand.SEXUAL_ORIENTATION: "homophobic",
    Strand.DISABILITY: "disablist",
    Strand.TRANSGENDER: "transphobic",
}
OTHER_STRANDS = (Strand.RACE,) * 10 + (Strand.RELIGION,) * 3 + (Strand.SEXUAL_ORIENTATION,) * 3
OTHER_STRANDS += (Strand.TRANSGENDER,)
AREAS = ("Coventry NPU", "Birmingham East NPU", "Dudley NPU", "Wolverhampton NPU", "Walsall NPU")
LOCATIONS = {
    OffenceCategory.MALICIOUS_COMMUNICATIONS: (LocationType.ONLINE,),
    OffenceCategory.HARASSMENT: (LocationType.HOME, LocationType.NEIGHBOURHOOD),
}
PLACES = (
    LocationType.NEIGHBOURHOOD,
    LocationType.PUBLIC_TRANSPORT,
    LocationType.WORKPLACE,
    LocationType.HOME,
    LocationType.NIGHT_TIME_ECONOMY,
)
ROUTES = (
    ReportingRoute.TELEPHONE,
    ReportingRoute.TELEPHONE,
    ReportingRoute.WEBSITE,
    ReportingRoute.THIRD_PARTY_CENTRE,
    ReportingRoute.TRUE_VISION,
    ReportingRoute.OFFICER_ON_PATROL,
)
AGE_BANDS = tuple(band for band in AgeBand if band != AgeBand.NOT_KNOWN)
POSITIVE = (Outcome.OC1,) * 5 + (Outcome.OC3, Outcome.OC8, Outcome.OC8)
NOT_POSITIVE = (Outcome.OC14, Outcome.OC15, Outcome.OC16, Outcome.OC16, Outcome.OC18, Outcome.OC21)
# Positive outcome rate by strand: disability cases reach a charge less often.
POSITIVE_RATE = {Strand.DISABILITY: 0.3}
POSITIVE_RATE_OTHERWISE = 0.5
ENDINGS = {
    Outcome.OC1: "Suspect 1 was charged and convicted; the court applied the uplift for hostility.",
    Outcome.OC3: "Suspect 1 admitted the offence and accepted a conditional caution with a course.",
    Outcome.OC8: "The victim chose a community resolution with a written apology.",
    Outcome.OC14: "No suspect could be identified and the victim did not support further action.",
    Outcome.OC15: "Suspect 1 was identified but the evidence did not meet the charging test.",
    Outcome.OC16: "The victim withdrew support and the case was filed for evidential difficulties.",
    Outcome.OC18: "The investigation was completed but no suspect was identified.",
    Outcome.OC21: "Further investigation was judged not to be in the public interest.",
}

# Rating weights (good practice, satisfactory, area for improvement) by stage: victim care is
# most often rated short, then the report and the investigation.
RATING_WEIGHTS = {
    Stage.REPORT: (3, 5, 3),
    Stage.INVESTIGATION: (3, 5, 3),
    Stage.CHARGING: (4, 6, 2),
    Stage.COURT: (3, 6, 2),
    Stage.SENTENCING: (4, 6, 1),
    Stage.VICTIM_CARE: (2, 4, 6),
    Stage.OUTCOME: (4, 6, 1),
}
RATINGS = (Rating.GOOD_PRACTICE, Rating.SATISFACTORY, Rating.AREA_FOR_IMPROVEMENT)
COMMENTS = {
    Stage.REPORT: (
        "Flagged as hate crime from the first call and attended promptly.",
        "Attended within the expected time; the risk assessment was brief.",
        "Not flagged as hate crime until a later report, so the pattern was missed.",
    ),
    Stage.INVESTIGATION: (
        "Clear investigation plan and early evidence gathered.",
        "Reasonable lines of enquiry followed, with some delay.",
        "The suspect's account was obtained late and supervision was not recorded.",
    ),
    Stage.CHARGING: (
        "The right aggravated offence, with the hate crime flag on the file.",
        "A sound decision, recorded briefly.",
        "The victim's wishes were not recorded before the decision.",
    ),
    Stage.COURT: (
        "Special measures arranged and the Victim Personal Statement read.",
        "The file was complete; the hearing went ahead as listed.",
        "The Victim Personal Statement was taken too late to be used.",
    ),
    Stage.SENTENCING: (
        "Uplift applied and announced in open court.",
        "Sentence proportionate to the offence.",
        "The uplift was applied but not announced in open court.",
    ),
    Stage.VICTIM_CARE: (
        "The victim was kept informed throughout and referred to support.",
        "The victim was told the outcome; support was offered once.",
        "No referral to support was recorded and the victim learnt the outcome by asking.",
    ),
    Stage.OUTCOME: (
        "A proportionate outcome that the victim supported.",
        "A reasonable outcome in the circumstances.",
        "The outcome did not reflect the pattern of hostility shown.",
    ),
}
NO_COURT = "No prosecution, so the stage did not arise."
LESSONS = {
    LessonKind.IMPROVEMENT: {
        Stage.REPORT: "Reports from third-party centres are not always flagged as hate crime at "
        "first contact. Flag the hostility described, whoever takes the report.",
        Stage.INVESTIGATION: "Suspects' accounts were obtained late. Set a target date for the "
        "interview in the investigation plan.",
        Stage.CHARGING: "The victim's wishes were not recorded before the charging decision.",
        Stage.COURT: "Victim Personal Statements arrived too late for the prosecutor to use.",
        Stage.SENTENCING: "The uplift for hostility was not always announced in open court.",
        Stage.VICTIM_CARE: "Victims were not referred to support or told the outcome without "
        "asking. Every victim should be referred and kept informed.",
        Stage.OUTCOME: "The outcome did not reflect a repeated pattern of hostility.",
    },
    LessonKind.GOOD_PRACTICE: {
        Stage.REPORT: "Flagging the report as a hate crime from the first call kept the case "
        "on track. Share with call handlers.",
        Stage.INVESTIGATION: "An early, clear investigation plan secured the evidence.",
        Stage.CHARGING: "Choosing the aggravated offence made the hostility part of the case.",
        Stage.COURT: "Special measures helped the victim give their best evidence.",
        Stage.SENTENCING: "The court said in open court that the uplift applied.",
        Stage.VICTIM_CARE: "Regular updates to the victim kept their confidence in the process.",
        Stage.OUTCOME: "The outcome matched what the victim wanted and the harm done.",
    },
}
RECOMMENDATIONS = {
    Stage.REPORT: "Brief staff taking reports on flagging the hostility described.",
    Stage.INVESTIGATION: "Add a target date for the suspect's interview to hate crime plans.",
    Stage.CHARGING: "Record the victim's wishes on the file before every charging decision.",
    Stage.COURT: "Remind case progression staff to request the Victim Personal Statement early.",
    Stage.SENTENCING: "Remind advocates to ask the court to announce the uplift.",
    Stage.VICTIM_CARE: "Check at each review that the victim was referred to support and told "
    "the outcome.",
    Stage.OUTCOME: "Review outcomes where a pattern of hostility was reported.",
}
RESPONSES = (
    "Accepted. Guidance is being updated and briefed to teams.",
    "Accepted, and added to the next training cycle.",
)
NOT_ACCEPTED_RESPONSE = "Not accepted: existing guidance already covers this."
EVIDENCE = (
    "Guidance updated and briefed to every team; a sample check found it in use.",
    "The change is in the procedure and was covered in training.",
)

RISK_REASONS = {
    RiskLevel.HIGH: "Repeated targeting at home; the victim is afraid to go out.",
    RiskLevel.MEDIUM: "Hostile comments on several occasions near the victim's home.",
    RiskLevel.STANDARD: "A single incident; the victim wants reassurance.",
}
NEEDS_BY_STRAND = {
    Strand.DISABILITY: (VictimNeed.HEALTH_DISABILITY, VictimNeed.SAFETY),
    Strand.RACE: (VictimNeed.SAFETY, VictimNeed.COMMUNITY),
    Strand.RELIGION: (VictimNeed.COMMUNITY, VictimNeed.SAFETY),
    Strand.SEXUAL_ORIENTATION: (VictimNeed.EMOTIONAL_SUPPORT, VictimNeed.COMMUNITY),
    Strand.TRANSGENDER: (VictimNeed.EMOTIONAL_SUPPORT, VictimNeed.SAFETY),
}
EXTRA_NEEDS = (VictimNeed.HOUSING, VictimNeed.EMOTIONAL_SUPPORT, VictimNeed.EMPLOYMENT)
# (intervention type, owner organisation, description), by the kind of need it answers.
INTERVENTIONS = {
    VictimNeed.SAFETY: (
        ("Target hardening at the victim’s home", POLICE, "Door camera and letterbox guard."),
        ("Reassurance patrols", POLICE, "Patrols past the victim's home for a month."),
    ),
    VictimNeed.HOUSING: (
        (
            "Housing action against a perpetrator",
            LATE_AGENCY,
            "Tenancy warning and an acceptable behaviour contract.",
        ),
    ),
    VictimNeed.HEALTH_DISABILITY: (
        (
            "Referral to a support group or specialist service",
            "Coventry Disability Advocacy",
            "Referral to disability advocacy for support through the process.",
        ),
        (
            "Referral to a support group or specialist service",
            "Coventry and Warwickshire Mind",
            "Referral for wellbeing support.",
        ),
    ),
    VictimNeed.EMOTIONAL_SUPPORT: (
        (
            "Referral to a support group or specialist service",
            VICTIMS,
            "Referral to victim support for emotional support.",
        ),
    ),
    VictimNeed.COMMUNITY: (
        (
            "School or community engagement",
            "Coventry City Council",
            "Community engagement session in the area.",
        ),
        ("Restorative justice", "Restorative Justice West Midlands", "Restorative meeting."),
    ),
    VictimNeed.EMPLOYMENT: (
        (
            "Employment or work opportunity",
            "Coventry City Council",
            "Supported work placement close to home.",
        ),
    ),
}
# Specialist services for the strands they serve, where the victim needs support or community.
SPECIALISTS = {
    (Strand.SEXUAL_ORIENTATION, VictimNeed.EMOTIONAL_SUPPORT): (
        (
            "Referral to a support group or specialist service",
            "Coventry LGBT+ Centre",
            "Introduction to the LGBT+ centre's peer support group.",
        ),
    ),
    (Strand.TRANSGENDER, VictimNeed.EMOTIONAL_SUPPORT): (
        (
            "Referral to a support group or specialist service",
            "Coventry LGBT+ Centre",
            "Referral to the LGBT+ centre's trans support worker.",
        ),
    ),
    (Strand.RELIGION, VictimNeed.COMMUNITY): (
        (
            "Referral to a support group or specialist service",
            "Tell MAMA",
            "Referral for casework support and advice on reporting.",
        ),
        (
            "Referral to a support group or specialist service",
            "Community Security Trust",
            "Security advice for the victim and their place of worship.",
        ),
    ),
}
PROGRESS_NOTE = "Contact made and the work has started."
DONE_NOTE = "Done as agreed; the victim was told."
NOT_DONE_NOTE = "The victim declined this once it was offered."


# --- The plan --------------------------------------------------------------------------------


class Pending:
    """A row inserted in bulk after its parents (`_insert_pending`); its id once inserted. Values
    that are objects stand for their ids."""

    def __init__(self, model, values: dict) -> None:
        self.model, self.values, self.id = model, values, None
        self.__tablename__ = model.__tablename__


def _insert_pending(rows: list[Pending]) -> None:
    """Insert the rows in one statement per table. Only attendance rows are named in the audit
    trail: their ids are read back by their (meeting, member) pair, as RETURNING would take rows
    one at a time on SQLite."""
    by_model: dict[type, list[Pending]] = {}
    for row in rows:
        row.values = {
            key: value.id if hasattr(value, "__tablename__") else value
            for key, value in row.values.items()
        }
        by_model.setdefault(row.model, []).append(row)
    for model, group in by_model.items():
        db.session.execute(sa.insert(model), [row.values for row in group])
    attendance = by_model.get(Attendance, [])
    meeting_ids = sorted({row.values["meeting_id"] for row in attendance})
    ids = {
        (meeting_id, user_id): id_
        for id_, meeting_id, user_id in db.session.execute(
            sa.select(Attendance.id, Attendance.meeting_id, Attendance.user_id).where(
                Attendance.meeting_id.in_(meeting_ids)
            )
        )
    }
    for row in attendance:
        row.id = ids[row.values["meeting_id"], row.values["user_id"]]


@dataclass
class Story:
    """What the story adds, and the audit trail of it, written in time order at the end."""

    rng: random.Random
    today: date
    people: dict[str, User]
    organisations: dict[str, Organisation]
    events: list[tuple[datetime, int, User, AuditAction, object, str, dict]] = field(
        default_factory=list
    )
    # Rows nothing else in the story reads, inserted in bulk once their parents have ids.
    pending: list[Pending] = field(default_factory=list)
    added: dict[str, int] = field(default_factory=dict)
    # The last reference number used by table and year, and a member of each organisation.
    cache: dict[str, int] = field(default_factory=dict)

    def audit(self, at: datetime, actor: User, action, obj, label: str, changes: dict) -> None:
        self.events.append((at, len(self.events), actor, action, obj, label, changes))

    def later(self, model, **values) -> Pending:
        row = Pending(model, values)
        self.pending.append(row)
        return row

    def count(self, what: str, n: int = 1) -> None:
        self.added[what] = self.added.get(what, 0) + n

    def done(self, day: date) -> bool:
        """Whether a step planned for `day` has happened by today."""
        return day < self.today


def load_demo_story(isp: Panel, coventry: Panel, people: dict[str, User]) -> dict[str, int]:
    """Add the two years of history to the demo scrutiny panel and the Coventry panel, unless they
    have it; returns how many of each thing were added. `people` maps demo e-mails to users."""
    today = uk_today()
    start = today - timedelta(days=DAYS)
    story = Story(
        random.Random(SEED),  # noqa: S311 - made-up demo data, not a secret
        today,
        people,
        {org.name: org for org in db.session.scalars(db.select(Organisation))},
    )
    ends = {
        # Before the first meeting each panel's demo set schedules (panel/meetings/demo.py).
        isp: today - timedelta(days=84),
        coventry: today - timedelta(days=42),
    }
    for panel, end in ends.items():
        if db.session.scalar(
            db.select(Meeting.id)
            .where(Meeting.panel_id == panel.id, Meeting.starts_at < _at(end, 0))
            .limit(1)
        ):
            return {}
    coordinator = people["coordinator@panel.example"]
    types = intervention_types(coventry)
    with db.session.no_autoflush:  # one flush per batch, not one per query
        isp_meetings = _meetings(story, isp, start, ends[isp], 6, time(14), coordinator)
        for number, meeting in enumerate(isp_meetings):
            progress = number / max(1, len(isp_meetings) - 1)
            _review_cases(story, isp, meeting, progress, isp_meetings)
        cov_meetings = _meetings(story, coventry, start, ends[coventry], 2, time(10), coordinator)
        for number, meeting in enumerate(cov_meetings):
            progress = number / max(1, len(cov_meetings) - 1)
            _refer_live_cases(story, coventry, meeting, progress, types)
    db.session.flush()
    _insert_pending(story.pending)
    _write_trail(sorted(story.events, key=lambda e: e[:2]))
    story.count("audit events", len(story.events))
    return story.added


def _write_trail(events) -> None:
    """The story's audit events, in time order, chained from the trail's head as
    `panel.core.audit` chains each event the services record; inserted in one statement (as
    objects they took half the story's time)."""
    key = chain_key()
    head = db.session.scalars(
        sa.select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()
    ).one_or_none()
    if head is None:
        head = AuditChainHead.first(key)
        db.session.add(head)
    rows = []
    for at, _order, actor, action, obj, label, changes in events:
        row = {
            "occurred_at": at,
            "actor_id": actor.id,
            "actor_email": actor.email,
            "action": action,
            "object_type": obj.__tablename__,
            "object_id": obj.id,
            "object_label": (label() if callable(label) else label)[:200],
            "changes": changes or None,
            "remote_addr": None,
            "sequence": head.last_sequence + 1,
            "previous_hash": head.last_hash,
        }
        row["hash"] = chain_hash(key, *(row[name] for name in CHAINED))
        head.last_sequence, head.last_hash = row["sequence"], row["hash"]
        rows.append(row)
    if rows:
        db.session.execute(sa.insert(AuditEvent), rows)
    db.session.flush()


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), UK).astimezone(UTC)


def _weighted(rng: random.Random, values, weights):
    return rng.choices(values, weights)[0]


# --- Meetings and attendance -----------------------------------------------------------------


def _meetings(story, panel, start, end, every_weeks, at, coordinator) -> list[Meeting]:
    """The panel's history: a series every `every_weeks` weeks on the weekday of the demo set's
    meetings, held, with the standing agenda and everyone's attendance."""
    weekday = 3 if every_weeks > 2 else 1  # Thursdays for the scrutiny panel, Tuesdays locally
    first = start + timedelta(days=(weekday - start.weekday()) % 7)
    days = []
    day = first
    while day < end:
        days.append(day)
        day += timedelta(weeks=every_weeks)
    created = _at(first - timedelta(days=28), 9)
    series = MeetingSeries(
        panel=panel,
        recurrence=Recurrence.EVERY_N_WEEKS,
        interval_weeks=every_weeks,
        first_date=first,
        count=len(days),
        created_at=created,
        created_by_id=coordinator.id,
    )
    template = agenda_template(panel)
    members = db.session.scalars(
        db.select(Membership)
        .where(Membership.panel_id == panel.id, Membership.role != Role.READER)
        .order_by(Membership.id)
    ).all()
    meetings = []
    for day in days:
        meeting = Meeting(
            panel=panel,
            series=series,
            starts_at=_at(day, at.hour, at.minute),
            duration_minutes=150 if every_weeks > 2 else 120,
            # Where the demo set's meetings are (panel/meetings/demo.py), online as well.
            place=PLACES_TO_MEET[every_weeks > 2],
            online_link="https://teams.example.org/l/" + panel.name.lower().replace(" ", "-"),
            status=MeetingStatus.HELD,
            created_at=created,
        )
        meeting.agenda_items = [
            AgendaItem(
                position=item.position,
                kind=item.kind,
                title=item.title,
                duration_minutes=item.duration_minutes,
            )
            for item in template
        ]
        db.session.add(meeting)
        meetings.append(meeting)
    db.session.add(series)
    db.session.flush()
    story.audit(
        created,
        coordinator,
        AuditAction.CREATE,
        series,
        f"Series of {len(meetings)} meetings of {panel.name}",
        {"recurrence": series.recurrence.value, "meetings": [m.id for m in meetings]},
    )
    for meeting in meetings:
        ended = meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
        label = _meeting_label(meeting)
        story.audit(
            ended,
            coordinator,
            AuditAction.UPDATE,
            meeting,
            label,
            {"status": [MeetingStatus.SCHEDULED.value, MeetingStatus.HELD.value]},
        )
        for membership in members:
            user = membership.user
            # Some organisations send apologies more often than others.
            away = 0.3 if user.email in ("courts@panel.example", "cst@panel.example") else 0.1
            status = (
                AttendanceStatus.APOLOGIES
                if story.rng.random() < away
                else AttendanceStatus.PRESENT
            )
            row = story.later(
                Attendance,
                meeting_id=meeting,
                user_id=user.id,
                organisation_id=user.organisation_id,
                status=status,
            )
            story.audit(
                ended + timedelta(minutes=5),
                coordinator,
                AuditAction.CREATE,
                row,
                f"{user.full_name} at {label}",
                {
                    "organisation": user.organisation.name,
                    "status": status.value,
                    "deputy_name": None,
                },
            )
            story.count("attendance")
    story.count("meetings", len(meetings))
    return meetings


def _meeting_label(meeting: Meeting) -> str:
    local = meeting.starts_at.astimezone(UK)
    return f"{meeting.panel.name} meeting on {local:%d %B %Y at %H:%M}"


def _strands(rng: random.Random, progress: float) -> list[Strand]:
    if rng.random() < disability_share(progress):
        return [Strand.DISABILITY] + ([Strand.RACE] if rng.random() < 0.15 else [])
    return [rng.choice(OTHER_STRANDS)]


# --- The scrutiny panel: case reviews, stage findings, lessons, recommendations ----------------


def _review_cases(story: Story, panel: Panel, meeting: Meeting, progress: float, meetings) -> None:
    rng = story.rng
    coordinator = story.people["coordinator@panel.example"]
    chair = story.people["chair@panel.example"]
    held = meeting.starts_at.astimezone(UK).date()
    aob = meeting.agenda_items[-1]
    for _ in range(6 + round(3 * progress) + rng.randint(0, 1)):
        strands = _strands(rng, progress)
        offence = _weighted(rng, list(OFFENCES), OFFENCE_WEIGHTS)
        legislation, what = OFFENCES[offence]
        rate = min(POSITIVE_RATE.get(s, POSITIVE_RATE_OTHERWISE) for s in strands)
        outcome = rng.choice(POSITIVE if rng.random() < rate else NOT_POSITIVE)
        added = _at(held - timedelta(days=rng.randint(14, 35)), 11, rng.randint(0, 59))
        incident = held - timedelta(days=rng.randint(240, 420))
        victim = "The victim" + (", who has a disability," if Strand.DISABILITY in strands else "")
        case = CaseReview(
            panel=panel,
            reference=_reference(story, CaseReview, panel, added),
            status=CaseReviewStatus.CLOSED,
            offence_category=offence,
            legislation=legislation,
            reporting_route=rng.choice(ROUTES),
            incident_month=incident.month,
            incident_year=incident.year,
            policing_area=rng.choice(AREAS),
            location_type=rng.choice(LOCATIONS.get(offence, PLACES)),
            victim_age_band=rng.choice(AGE_BANDS),
            victim_key_worker=rng.choice((Answer.YES, Answer.NO, Answer.NO)),
            repeat_victim=rng.choice((Answer.YES, Answer.NO, Answer.NO)),
            suspect_identified=Answer.NO if outcome in (Outcome.OC14, Outcome.OC18) else Answer.YES,
            outcome=outcome,
            out_of_court_disposal={
                Outcome.OC8: OutOfCourtDisposal.COMMUNITY_RESOLUTION,
                Outcome.OC3: OutOfCourtDisposal.CONDITIONAL_CAUTION,
            }.get(outcome, OutOfCourtDisposal.NONE),
            uplift_applied=UpliftAnswer.YES
            if outcome == Outcome.OC1
            else UpliftAnswer.NOT_APPLICABLE,
            uplift_announced=(
                rng.choice((UpliftAnswer.YES, UpliftAnswer.YES, UpliftAnswer.NO))
                if outcome == Outcome.OC1
                else UpliftAnswer.NOT_APPLICABLE
            ),
            victim_wishes_recorded=rng.choice((Answer.YES, Answer.YES, Answer.NO)),
            narrative=f"{victim} {what}, with {HOSTILITY[strands[0]]} comments. {ENDINGS[outcome]}",
            created_at=added,
            created_by_id=coordinator.id,
        )
        case.strands = strands
        # Checked for identifying detail by the chair before it went on the agenda (the findings
        # changed the text since, which withdrew the check).
        case.checked_by_id = chair.id
        case.checked_at = added + timedelta(days=rng.randint(1, 7))
        ratings = {}
        for stage in Stage:
            if stage in (Stage.COURT, Stage.SENTENCING) and outcome not in (Outcome.OC1,):
                ratings[stage] = (Rating.NOT_ASSESSED, NO_COURT)
                continue
            rating = _weighted(rng, RATINGS, RATING_WEIGHTS[stage])
            ratings[stage] = (rating, COMMENTS[stage][RATINGS.index(rating)])
        reviewed = meeting.starts_at + timedelta(minutes=rng.randint(30, 140))
        for stage, (rating, comment) in ratings.items():
            story.later(
                StageFinding,
                case_review_id=case,
                stage=stage,
                rating=rating,
                comment=comment,
                updated_at=reviewed,
                updated_by_id=coordinator.id,
            )
        case.closed_at = _at(held + timedelta(days=rng.randint(7, 28)), 15)
        db.session.add(case)
        item = AgendaItem(
            position=aob.position,
            kind=AgendaItemKind.CASE_REVIEW,
            title=f"Case review {case.reference}",
            duration_minutes=panel.default_case_review_minutes,
            case_review=case,
        )
        meeting.agenda_items.append(item)
        aob.position += 1
        _case_audit(story, case, item, meeting, reviewed, ratings, strands)
        _lessons(story, panel, case, meeting, reviewed, ratings, chair, coordinator, meetings)
        story.count("case reviews")


def _reference(story: Story, model, panel: Panel, added: datetime) -> str:
    """The panel's next case review or live case reference for the year the case was added,
    numbered on from any the demo set already used that year."""
    year = added.astimezone(UK).year
    key = f"{model.__tablename__} {year}"
    if key not in story.cache:
        stem = f"{reference_prefix(panel)}-{year}-"
        used = db.session.scalars(
            db.select(model.reference).where(
                model.panel_id == panel.id, model.reference.startswith(stem)
            )
        )
        story.cache[key] = max((int(r[len(stem) :]) for r in used), default=0)
    story.cache[key] += 1
    return f"{reference_prefix(panel)}-{year}-{story.cache[key]:03d}"


def _case_audit(story, case, item, meeting, reviewed, ratings, strands) -> None:
    coordinator = story.people["coordinator@panel.example"]
    chair = story.people["chair@panel.example"]

    def label() -> str:
        return case.audit_label

    columns = {
        "offence_category": case.offence_category.value,
        "legislation": case.legislation,
        "reporting_route": case.reporting_route.value,
        "incident_month": case.incident_month,
        "incident_year": case.incident_year,
        "policing_area": case.policing_area,
        "location_type": case.location_type.value,
        "victim_age_band": case.victim_age_band.value,
        "victim_key_worker": case.victim_key_worker.value,
        "repeat_victim": case.repeat_victim.value,
        "suspect_identified": case.suspect_identified.value,
        "outcome": case.outcome.value,
        "out_of_court_disposal": case.out_of_court_disposal.value,
        "uplift_applied": case.uplift_applied.value,
        "uplift_announced": case.uplift_announced.value,
        "victim_wishes_recorded": case.victim_wishes_recorded.value,
        "narrative": "(set)",
    }
    story.audit(
        case.created_at,
        coordinator,
        AuditAction.CREATE,
        case,
        label,
        {"reference": case.reference, "strands": strand_labels(strands), **columns},
    )
    placed = case.created_at + timedelta(days=2)
    day = meeting.starts_at.astimezone(UK)
    story.audit(
        placed,
        coordinator,
        AuditAction.CREATE,
        item,
        lambda: (
            f"Agenda item {item.position} ({item.title}) of the {meeting.panel.name} meeting on "
            f"{day.day} {day:%B %Y}"
        )[:200],
        {"title": item.title, "duration_minutes": item.duration_minutes},
    )
    story.audit(
        placed,
        coordinator,
        AuditAction.UPDATE,
        case,
        label,
        {"status": [CaseReviewStatus.ADDED.value, CaseReviewStatus.ON_AGENDA.value]},
    )
    findings = {}
    for stage, (rating, _comment) in ratings.items():
        findings[f"{stage.value}_rating"] = [None, rating.value]
        findings[f"{stage.value}_comment"] = ["(hidden)", "(changed)"]
    findings["status"] = [CaseReviewStatus.ON_AGENDA.value, CaseReviewStatus.REVIEWED.value]
    story.audit(reviewed, coordinator, AuditAction.UPDATE, case, label, findings)
    story.audit(
        case.closed_at,
        chair,
        AuditAction.UPDATE,
        case,
        label,
        {"status": [CaseReviewStatus.REVIEWED.value, CaseReviewStatus.CLOSED.value]},
    )


def _lessons(story, panel, case, meeting, reviewed, ratings, chair, coordinator, meetings) -> None:
    rng = story.rng
    short = [s for s, (r, _) in ratings.items() if r == Rating.AREA_FOR_IMPROVEMENT][:2]
    good = [s for s, (r, _) in ratings.items() if r == Rating.GOOD_PRACTICE]
    chosen = [(s, LessonKind.IMPROVEMENT) for s in short]
    if good and rng.random() < 0.5:
        chosen.append((rng.choice(good), LessonKind.GOOD_PRACTICE))
    for stage, kind in chosen:
        at = reviewed + timedelta(minutes=10)
        lesson = Lesson(
            panel=panel,
            case_review=case,
            stage=stage,
            kind=kind,
            text=LESSONS[kind][stage],
            created_at=at,
            updated_at=at,
            created_by_id=coordinator.id,
            updated_by_id=coordinator.id,
        )
        lesson.strands = case.strands
        db.session.add(lesson)
        story.count("lessons")

        def label(lesson=lesson) -> str:
            return (
                f"{lesson.kind.label} lesson {lesson.id} ({lesson.about}) of {lesson.panel.name}"
            )[:200]

        story.audit(
            at,
            coordinator,
            AuditAction.CREATE,
            lesson,
            label,
            {
                "kind": kind.value,
                "stage": stage.value,
                "strands": strand_labels(case.strands),
                "text": "(set)",
            },
        )
        if kind == LessonKind.IMPROVEMENT and rng.random() < 0.8:
            _recommend(story, lesson, stage, at + timedelta(minutes=5), chair, meetings)
        parts = [lesson.text]
        for recommendation in lesson.recommendations:
            parts += [recommendation.text, recommendation.response, recommendation.evidence]
        lesson.search_document = "\n".join(part for part in parts if part)


def _recommend(story, lesson, stage, at, chair, meetings) -> None:
    """A recommendation and its life to today: the late agency answers months after its due date;
    the others within it."""
    rng = story.rng
    agency = rng.choice(AGENCIES_BY_STAGE[stage])
    organisation = story.organisations[agency]
    responder = story.people[RESPONDERS[agency]]
    late = agency == LATE_AGENCY
    made = at.astimezone(UK).date()
    due = made + timedelta(days=rng.randint(56, 84) if late else rng.randint(90, 150))
    recommendation = Recommendation(
        lesson=lesson,
        panel_id=lesson.panel.id,
        organisation=organisation,
        text=RECOMMENDATIONS[stage],
        due_date=due,
        status=RecommendationStatus.OPEN,
        created_at=at,
        created_by_id=chair.id,
    )
    db.session.add(recommendation)
    story.count("recommendations")

    def label() -> str:
        return (
            f"Recommendation {recommendation.id} to {organisation.name} of {lesson.panel.name}"
        )[:200]

    def step(day: date, actor: User, status: RecommendationStatus, note, changes) -> bool:
        if not story.done(day):
            return False
        moment = _at(day, 10, rng.randint(0, 59))
        old = recommendation.status
        recommendation.status = status
        story.later(
            RecommendationEvent,
            recommendation_id=recommendation,
            status=status,
            note=note,
            at=moment,
            by_id=actor.id,
            by_organisation_id=actor.organisation_id,
        )
        story.audit(
            moment,
            actor,
            AuditAction.UPDATE,
            recommendation,
            label,
            {"status": [old.value, status.value], **changes},
        )
        return True

    story.later(
        RecommendationEvent,
        recommendation_id=recommendation,
        status=RecommendationStatus.OPEN,
        note=None,
        at=at,
        by_id=chair.id,
        by_organisation_id=chair.organisation_id,
    )
    story.audit(
        at,
        chair,
        AuditAction.CREATE,
        recommendation,
        label,
        {"organisation": organisation.name, "due_date": due.isoformat(), "text": "(set)"},
    )
    respond = made + timedelta(days=rng.randint(60, 150) if late else rng.randint(7, 35))
    if rng.random() < 0.04 and not late:  # the panel no longer asks for it
        withdrawn = "Overtaken by a national change."
        step(
            respond,
            chair,
            RecommendationStatus.WITHDRAWN,
            withdrawn,
            {"note": ["(hidden)", "(set)"]},
        )
        return
    accepted = rng.random() > (0.15 if late else 0.08)
    status = RecommendationStatus.ACCEPTED if accepted else RecommendationStatus.NOT_ACCEPTED
    response = rng.choice(RESPONSES) if accepted else NOT_ACCEPTED_RESPONSE
    if not step(respond, responder, status, response, {"response": [None, response]}):
        return
    recommendation.response = response
    if accepted:
        implement = (
            respond + timedelta(days=rng.randint(60, 180))
            if late
            else min(due - timedelta(days=3), respond + timedelta(days=rng.randint(30, 90)))
        )
        evidence = rng.choice(EVIDENCE)
        if not step(
            implement,
            responder,
            RecommendationStatus.IMPLEMENTED,
            evidence,
            {"evidence": [None, evidence]},
        ):
            return
        recommendation.evidence = evidence
        signed_off = implement
    else:
        signed_off = respond
    # The chair closes it at the panel's next meeting after that, where there is one.
    next_meeting = next(
        (m.starts_at.astimezone(UK).date() for m in meetings if m.starts_at.date() > signed_off),
        signed_off + timedelta(days=rng.randint(20, 40)),
    )
    step(next_meeting, chair, RecommendationStatus.CLOSED, None, {})


# --- The Coventry panel: live cases and interventions ----------------------------------------


def _refer_live_cases(story: Story, panel: Panel, meeting: Meeting, progress: float, types) -> None:
    rng = story.rng
    coordinator = story.people["coordinator@panel.example"]
    held = meeting.starts_at.astimezone(UK).date()
    types = {t.name: t for t in types}
    for _ in range(rng.choice((2, 3, 3, 4)) + round(progress)):
        strands = _strands(rng, progress)
        risk = _weighted(rng, list(RiskLevel), (1, 2, 3))
        needs = list(NEEDS_BY_STRAND[strands[0]])
        if rng.random() < 0.5:
            needs.append(rng.choice(EXTRA_NEEDS))
        needs = list(dict.fromkeys(needs))
        referred = _at(held - timedelta(days=rng.randint(2, 12)), 12, rng.randint(0, 59))
        case = LiveCase(
            panel=panel,
            reference=_reference(story, LiveCase, panel, referred),
            referred_by_id=story.organisations[
                rng.choice((POLICE, POLICE, "Coventry City Council", LATE_AGENCY, VICTIMS))
            ].id,
            policing_area="Coventry NPU",
            risk_level=risk,
            risk_reason=RISK_REASONS[risk],
            summary=None,
            status=LiveCaseStatus.OPEN,
            review_date=held + timedelta(days=28),
            created_at=referred,
            created_by_id=coordinator.id,
        )
        case.strands = strands
        case.needs = needs
        db.session.add(case)
        story.count("live cases")
        story.audit(
            referred,
            coordinator,
            AuditAction.CREATE,
            case,
            lambda case=case: f"Live case {case.reference} of {panel.name}"[:200],
            {
                "reference": case.reference,
                "strands": strand_labels(strands),
                "needs": ", ".join(need.label for need in case.needs),
                "policing_area": case.policing_area,
                "risk_level": risk.value,
                "risk_reason": "(set)",
                "summary": None,
                "review_date": case.review_date.isoformat(),
            },
        )
        finished = []
        for need in needs[:3]:
            options = SPECIALISTS.get((strands[0], need), INTERVENTIONS[need])
            kind, owner, description = rng.choice(options)
            finished.append(
                _intervention(story, panel, case, meeting, types[kind], owner, description, need)
            )
        _close(story, case, max(finished), strands)


def _intervention(story, panel, case, meeting, kind, owner_name, description, need) -> date:
    """An intervention agreed at the meeting and its updates to today; returns the day it
    finished (or would)."""
    rng = story.rng
    coordinator = story.people["coordinator@panel.example"]
    owner = story.organisations[owner_name]
    author = _member_of(story, panel, owner) or coordinator
    agreed = meeting.starts_at + timedelta(minutes=rng.randint(20, 100))
    day = agreed.astimezone(UK).date()
    started = day + timedelta(days=rng.randint(3, 14))
    finished = started + timedelta(days=rng.randint(14, 60))
    intervention = Intervention(
        panel=panel,
        live_case=case,
        type=kind,
        description=description,
        owner_organisation=owner,
        due_date=finished + timedelta(days=rng.randint(0, 14)),
        status=InterventionStatus.AGREED,
        agreed_at=meeting,
        created_at=agreed,
        created_by_id=coordinator.id,
    )
    story.later(
        InterventionUpdate,
        intervention_id=intervention,
        at=agreed,
        author_id=coordinator.id,
        author_organisation_id=coordinator.organisation_id,
        text=None,
        status=InterventionStatus.AGREED,
        restricted=False,
    )
    db.session.add(intervention)
    story.count("interventions")

    def label() -> str:
        return (
            f"Intervention {intervention.id} ({kind.name}) for {case.reference} of {panel.name}"
        )[:200]

    story.audit(
        agreed,
        coordinator,
        AuditAction.CREATE,
        intervention,
        label,
        {
            "type": kind.name,
            "owner": owner.name,
            "lead": None,
            "due_date": intervention.due_date.isoformat(),
            "description": "(set)",
            "logged_by_partner": False,
        },
    )
    # Victims of disability hate crime turn support down a little more often.
    declined = 0.15 if need == VictimNeed.HEALTH_DISABILITY else 0.08
    end = (
        InterventionStatus.NOT_COMPLETED
        if rng.random() < declined
        else InterventionStatus.COMPLETED
    )
    for when, status, text in (
        (started, InterventionStatus.IN_PROGRESS, PROGRESS_NOTE),
        (finished, end, NOT_DONE_NOTE if end == InterventionStatus.NOT_COMPLETED else DONE_NOTE),
    ):
        if not story.done(when):
            break
        moment = _at(when, 11, rng.randint(0, 59))
        changes = {"status": [intervention.status.value, status.value]}
        if status == InterventionStatus.NOT_COMPLETED:
            intervention.status_reason = text
            changes["status_reason"] = [None, text]
        changes["update"] = "(added)"
        intervention.status = status
        story.later(
            InterventionUpdate,
            intervention_id=intervention,
            at=moment,
            author_id=author.id,
            author_organisation_id=author.organisation_id,
            text=text,
            status=status,
            restricted=False,
        )
        story.audit(moment, author, AuditAction.UPDATE, intervention, label, changes)
        story.count("intervention updates")
    return finished


def _member_of(story: Story, panel: Panel, organisation: Organisation) -> User | None:
    key = f"member {organisation.id}"
    if key not in story.cache:
        user_id = db.session.scalar(
            db.select(User.id)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.panel_id == panel.id, User.organisation_id == organisation.id)
            .order_by(User.id)
            .limit(1)
        )
        story.cache[key] = user_id or 0
    return db.session.get(User, story.cache[key]) if story.cache[key] else None


def _close(story: Story, case: LiveCase, finished: date, strands: list[Strand]) -> None:
    """Close the case a few weeks after its last intervention ended, if that is past."""
    rng = story.rng
    closing = finished + timedelta(days=rng.randint(7, 28))
    if not story.done(closing):
        case.review_date = max(case.review_date, story.today + timedelta(days=rng.randint(7, 28)))
        return
    coordinator = story.people["coordinator@panel.example"]
    safer_rate = 0.55 if Strand.DISABILITY in strands else 0.75
    draw = rng.random()
    felt_safer = (
        Answer.YES
        if draw < safer_rate
        else Answer.NO
        if draw < safer_rate + 0.15
        else Answer.NOT_KNOWN
    )
    if felt_safer == Answer.YES:
        outcome = _weighted(rng, (VictimOutcome.NEEDS_MET, VictimOutcome.PARTLY_MET), (4, 1))
        reason = ClosureReason.RESOLVED
    else:
        outcome = rng.choice(
            (VictimOutcome.PARTLY_MET, VictimOutcome.NOT_MET, VictimOutcome.NOT_KNOWN)
        )
        reason = rng.choice(
            (ClosureReason.VICTIM_DECLINED, ClosureReason.MOVED_AWAY, ClosureReason.REFERRED_ON)
        )
    moment = _at(closing, 16)
    case.status = LiveCaseStatus.CLOSED
    case.closure_reason, case.victim_outcome, case.felt_safer = reason, outcome, felt_safer
    case.closed_at = moment
    story.audit(
        moment,
        coordinator,
        AuditAction.UPDATE,
        case,
        lambda: f"Live case {case.reference} of {case.panel.name}"[:200],
        {
            "status": [LiveCaseStatus.OPEN.value, LiveCaseStatus.CLOSED.value],
            "closure_reason": [None, reason.value],
            "victim_outcome": [None, outcome.value],
            "felt_safer": [None, felt_safer.value],
            "closed_at": [None, moment.isoformat()],
        },
    )

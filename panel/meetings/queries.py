"""Read models for meeting pages: each loads what its page shows in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import joinedload, selectinload

from panel.accounts.models import Organisation, User
from panel.cases.models import CaseReview, CaseReviewStatus
from panel.core.database import utcnow
from panel.core.pagination import paginate
from panel.extensions import db
from panel.meetings.models import (
    MAX_ACTIONS,
    MAX_AGENDA_ITEMS,
    MAX_GUESTS,
    AgendaItem,
    AgendaTemplateItem,
    Attendance,
    Guest,
    InterestDeclaration,
    Meeting,
    MeetingAction,
    MeetingStatus,
)
from panel.panels.models import Membership, Panel, Role

UPCOMING, PAST = "upcoming", "past"


def meetings_of(panel: Panel, when: str, now: datetime | None = None) -> Pagination:
    """A page of the panel's upcoming meetings (soonest first) or past ones (latest first)."""
    now = now or utcnow()
    select = db.select(Meeting).where(Meeting.panel_id == panel.id)
    if when == PAST:
        select = select.where(Meeting.starts_at < now).order_by(Meeting.starts_at.desc())
    else:
        select = select.where(Meeting.starts_at >= now).order_by(Meeting.starts_at)
    return paginate(select)


def next_meeting(panel: Panel, now: datetime | None = None) -> Meeting | None:
    return db.session.scalar(
        db.select(Meeting)
        .where(
            Meeting.panel_id == panel.id,
            Meeting.starts_at >= (now or utcnow()),
            Meeting.status == MeetingStatus.SCHEDULED,
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )


def next_meetings_for(user: User, limit: int = 5, now: datetime | None = None) -> list[Meeting]:
    """The user's next scheduled meetings across every panel where they see meetings."""
    panels = (
        db.select(Membership.panel_id)
        .where(Membership.user_id == user.id, Membership.role != Role.READER)
        .scalar_subquery()
    )
    return list(
        db.session.scalars(
            db.select(Meeting)
            .options(joinedload(Meeting.panel))
            .where(
                Meeting.panel_id.in_(panels),
                Meeting.starts_at >= (now or utcnow()),
                Meeting.status == MeetingStatus.SCHEDULED,
            )
            .order_by(Meeting.starts_at)
            .limit(limit)
        )
    )


def known_names(meeting: Meeting) -> list[str]:
    """The names Panel itself records for the meeting, which its minutes may use: the panel's
    members, everyone on its attendance (members who have since left too), their deputies and
    its guests (the first MAX_GUESTS, as the meeting lists them). One query."""
    guests = (
        db.select(Guest.name)
        .where(Guest.meeting_id == meeting.id)
        .order_by(Guest.id)
        .limit(MAX_GUESTS)
        .subquery()
    )
    names = sa.union(
        db.select(User.full_name)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.panel_id == meeting.panel_id),
        db.select(User.full_name)
        .join(Attendance, Attendance.user_id == User.id)
        .where(Attendance.meeting_id == meeting.id),
        db.select(Attendance.deputy_name).where(
            Attendance.meeting_id == meeting.id, Attendance.deputy_name.is_not(None)
        ),
        db.select(guests.c.name),
    )
    return list(db.session.scalars(names))


def agenda_of(meeting: Meeting) -> list[AgendaItem]:
    """The agenda in order (at most MAX_AGENDA_ITEMS), with presenters and declarations of
    interest (and who made them) loaded."""
    return list(
        db.session.scalars(
            db.select(AgendaItem)
            .options(
                joinedload(AgendaItem.presenter_user).joinedload(User.organisation),
                joinedload(AgendaItem.presenter_organisation),
                selectinload(AgendaItem.declarations)
                .joinedload(InterestDeclaration.user)
                .joinedload(User.organisation),
            )
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position)
            .limit(MAX_AGENDA_ITEMS)
        ).unique()
    )


def agenda_item_of(meeting: Meeting, agenda_item_id: int) -> AgendaItem | None:
    """One item of this meeting's agenda; None for an item of another meeting, so that an id
    from another panel's agenda is a 404 like a missing one."""
    return db.session.scalar(
        db.select(AgendaItem).where(
            AgendaItem.id == agenda_item_id, AgendaItem.meeting_id == meeting.id
        )
    )


def standing_item_of(panel: Panel, template_item_id: int) -> AgendaTemplateItem | None:
    """One of this panel's standing agenda items; None for another panel's."""
    return db.session.scalar(
        db.select(AgendaTemplateItem).where(
            AgendaTemplateItem.id == template_item_id, AgendaTemplateItem.panel_id == panel.id
        )
    )


@dataclass(frozen=True)
class Presenters:
    """Who may present an agenda item: the panel's members who see meetings, and their
    organisations."""

    people: list[User]
    organisations: list[Organisation]


def presenters_for(panel: Panel) -> Presenters:
    people = list(
        db.session.scalars(
            db.select(User)
            .join(Membership, Membership.user_id == User.id)
            .options(joinedload(User.organisation))
            .where(
                Membership.panel_id == panel.id,
                Membership.role != Role.READER,
                User.active.is_(True),
            )
            .order_by(User.full_name, User.id)
        )
    )
    organisations = sorted({person.organisation for person in people}, key=lambda o: o.name)
    return Presenters(people=people, organisations=organisations)


# How many case reviews "Add case reviews" lists at once: those waiting longest. The page says
# how many more there are; they can be added next, or each from its own page.
READY_CASE_REVIEWS_SHOWN = 30


@dataclass(frozen=True)
class ReadyCaseReviews:
    shown: list[CaseReview]
    more: int


def case_reviews_ready_for(meeting: Meeting, withheld: frozenset[int]) -> ReadyCaseReviews:
    """The panel's case reviews this meeting could discuss: not closed, not on its agenda
    already, and not on the agenda of another meeting still scheduled (which will discuss it).
    A case discussed at a meeting already held may be carried over to this one. Those waiting
    longest come first; `withheld` (cases the person may not see) are left out."""
    on_an_agenda_to_come = (
        db.select(AgendaItem.case_review_id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(
            AgendaItem.case_review_id.is_not(None),
            sa.or_(Meeting.id == meeting.id, Meeting.status == MeetingStatus.SCHEDULED),
        )
    )
    conditions = [
        CaseReview.panel_id == meeting.panel_id,
        CaseReview.status != CaseReviewStatus.CLOSED,
        CaseReview.id.not_in(on_an_agenda_to_come),
    ]
    if withheld:
        conditions.append(CaseReview.id.not_in(withheld))
    total = db.session.scalar(db.select(sa.func.count(CaseReview.id)).where(*conditions))
    shown = list(
        db.session.scalars(
            db.select(CaseReview)
            .options(selectinload(CaseReview.strand_rows), selectinload(CaseReview.stage_findings))
            .where(*conditions)
            .order_by(CaseReview.created_at, CaseReview.id)
            .limit(READY_CASE_REVIEWS_SHOWN)
        )
    )
    return ReadyCaseReviews(shown=shown, more=max(total - len(shown), 0))


def last_meetings_discussing(case_review_ids: list[int]) -> dict[int, int]:
    """For each of these case reviews on the agenda of a meeting not cancelled, the id of the
    last such meeting (by start, then id); case reviews never on one are left out. One query."""
    if not case_review_ids:
        return {}
    last: dict[int, tuple[datetime, int]] = {}
    for case_review_id, starts_at, meeting_id in db.session.execute(
        db.select(AgendaItem.case_review_id, Meeting.starts_at, Meeting.id)
        .join(AgendaItem.meeting)
        .where(
            AgendaItem.case_review_id.in_(case_review_ids),
            Meeting.status != MeetingStatus.CANCELLED,
        )
    ):
        last[case_review_id] = max(
            last.get(case_review_id, (starts_at, meeting_id)), (starts_at, meeting_id)
        )
    return {case_review_id: meeting_id for case_review_id, (_, meeting_id) in last.items()}


# --- Declarations of interest in agenda items --------------------------------------------------
# A declaration in a case review item also withholds that case from the person who declared
# (`access.withheld_case_ids`).


def declared_interest(user: User, agenda_item: AgendaItem) -> bool:
    """Whether `user` has declared an interest in `agenda_item`."""
    return (
        db.session.scalar(
            db.select(InterestDeclaration.id).where(
                InterestDeclaration.agenda_item_id == agenda_item.id,
                InterestDeclaration.user_id == user.id,
            )
        )
        is not None
    )


def declared_items(user: User, meeting: Meeting) -> set[int]:
    """The ids of the meeting's agenda items in which `user` has declared an interest, in one
    query, for pages that list several items."""
    return set(
        db.session.scalars(
            db.select(InterestDeclaration.agenda_item_id)
            .join(AgendaItem, AgendaItem.id == InterestDeclaration.agenda_item_id)
            .where(AgendaItem.meeting_id == meeting.id, InterestDeclaration.user_id == user.id)
        )
    )


def declaration_of(user: User, agenda_item: AgendaItem) -> InterestDeclaration | None:
    return db.session.scalar(
        db.select(InterestDeclaration).where(
            InterestDeclaration.agenda_item_id == agenda_item.id,
            InterestDeclaration.user_id == user.id,
        )
    )


# --- Actions agreed at a meeting ---------------------------------------------------------------


def owner_organisations(panel: Panel) -> list[Organisation]:
    """The organisations that may own an action: those of the panel's members (not readers)."""
    return list(
        db.session.scalars(
            db.select(Organisation)
            .where(
                Organisation.id.in_(
                    db.select(User.organisation_id)
                    .join(Membership, Membership.user_id == User.id)
                    .where(Membership.panel_id == panel.id, Membership.role != Role.READER)
                )
            )
            .order_by(Organisation.name)
        )
    )


def actions_raised_at(meeting: Meeting) -> list[MeetingAction]:
    """The actions agreed at this meeting, open and closed, in the order they were added (at
    most MAX_ACTIONS)."""
    return list(
        db.session.scalars(
            db.select(MeetingAction)
            .options(joinedload(MeetingAction.owner_organisation))
            .where(MeetingAction.meeting_id == meeting.id)
            .order_by(MeetingAction.id)
            .limit(MAX_ACTIONS)
        )
    )


def action_of(meeting: Meeting, meeting_action_id: int) -> MeetingAction | None:
    """An action of this meeting's panel (raised here or earlier); None for another panel's."""
    return db.session.scalar(
        db.select(MeetingAction).where(
            MeetingAction.id == meeting_action_id, MeetingAction.panel_id == meeting.panel_id
        )
    )


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The panel's last meeting before `meeting`, leaving out cancelled ones: the one whose
    minutes `meeting` agrees under "minutes of the last meeting"."""
    return db.session.scalar(
        db.select(Meeting)
        .where(
            Meeting.panel_id == meeting.panel_id,
            Meeting.starts_at < meeting.starts_at,
            Meeting.status != MeetingStatus.CANCELLED,
        )
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )

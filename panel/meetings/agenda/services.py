"""A meeting's agenda and the panel's standing items: adding, changing, removing and reordering;
and declarations of interest in agenda items.

Positions run 1, 2, 3... with no gaps after every change, so "move up" always swaps with the item
shown above. A meeting's agenda may change only while the meeting is scheduled or held: after
that the minutes are being written from it. The standing items are a template copied into each
new meeting; changing them leaves meetings already scheduled as they are.

Every new item, however it is added (an item of the meeting's own, case reviews from the agenda
page, a case review from its own page), is placed by one rule, `position_for_new_item`: just
before "Any other business", which closes the meeting.

Every change to an agenda or the standing items asks `access` first whether the actor may manage
the panel's meetings, as the pages do, so a command or another service (a case review put on an
agenda from its own page) gets the same answer.

A member declares an interest in an agenda item, or withdraws it (conflicts of interest). The
declaration is part of the meeting's record. For a case review item it also withholds that case
from the person who declared. Declarations follow the agenda: they can be made or withdrawn while
the meeting is scheduled or held, not once its minutes are being written. Only members who may
declare an interest at the meeting may (asked of the meeting, never of the item: a case withheld
from someone after they declared must not stop them withdrawing).

Titles are typed in ("Tensions after the attack on ..."), and so are reasons for an interest: the
audit trail records that they were given or changed, never the words, and names an item by its
number and meeting ("Agenda item 4 of the ... meeting on 5 March 2026"). A case review's item is
called by the case's reference, which is never personal data, so its title stays.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from panel import access
from panel.access import Action
from panel.accounts.models import Organisation, User
from panel.cases.models import CaseReview, CaseReviewStatus
from panel.core.audit import (
    TEXT_HIDDEN,
    TEXT_SET,
    AuditAction,
    apply_changes,
    masked,
    record,
    text_removed,
    text_set,
)
from panel.extensions import db
from panel.meetings import queries, services
from panel.meetings.attendance.services import meeting_label
from panel.meetings.models import (
    MAX_AGENDA_ITEMS,
    AgendaItem,
    AgendaItemKind,
    AgendaTemplateItem,
    InterestDeclaration,
    Meeting,
    MeetingStatus,
)
from panel.panels.models import Panel

# While a meeting is in one of these its agenda may change; later, the minutes rely on it.
OPEN_STATUSES = frozenset({MeetingStatus.SCHEDULED, MeetingStatus.HELD})

UP, DOWN = -1, 1

# "Any other business" by the names panels give it. Standing items after it (such as "Date of
# next meeting") close the meeting with it.
_ANY_OTHER_BUSINESS = re.compile(r"\bany\s+other\s+business\b|\bAOB\b", re.IGNORECASE)
_CLOSING_KINDS = frozenset({AgendaItemKind.STANDING, AgendaItemKind.MATTERS_ARISING})

# An agenda's free text, which the audit trail records only as set or changed.
TEXT_FIELDS = frozenset({"title", "reason"})


class AgendaRefused(Exception):
    """A change the agenda does not allow; the message is written for the user."""


@dataclass(frozen=True)
class ItemDetails:
    """An agenda item as a person enters it. At most one of the presenters is set."""

    title: str
    duration_minutes: int | None = None
    presenter_user: User | None = None
    presenter_organisation: Organisation | None = None


def is_open(meeting: Meeting) -> bool:
    return meeting.status in OPEN_STATUSES


def check_open(meeting: Meeting) -> None:
    """Raise `AgendaRefused` unless the meeting's agenda may still change."""
    if not is_open(meeting):
        raise AgendaRefused(
            "The agenda can only be changed while the meeting is scheduled or held. "
            f"This meeting’s status is: {meeting.status.label.lower()}."
        )


def start_times(meeting: Meeting, items: Sequence[AgendaItem]) -> list[datetime | None]:
    """When each item should start if the meeting keeps to time. After an item with no duration
    the times are unknown (None), rather than guessed."""
    times: list[datetime | None] = []
    start: datetime | None = meeting.starts_at
    for item in items:
        times.append(start)
        if start is not None and item.duration_minutes:
            start = start + timedelta(minutes=item.duration_minutes)
        else:
            start = None
    return times


def is_any_other_business(item: AgendaItem | AgendaTemplateItem) -> bool:
    return bool(_ANY_OTHER_BUSINESS.search(item.title))


def position_for_new_item(items: Sequence[AgendaItem]) -> int:
    """Where a new item goes on an agenda of `items` (positions from 1): the one rule for every
    way of adding an item.

    Case reviews, and anything else the meeting adds, come before any other business, which
    closes the meeting. So a new item goes just before "Any other business" when nothing but
    standing items follows it ("Date of next meeting" closes the meeting too). If the coordinator
    has moved "Any other business" above an item of the meeting's own (a case review, or an item
    added for this meeting), they arranged it so on purpose: the new item goes at the end, and
    they can move it. An agenda with no "Any other business" grows at the end."""
    ordered = _in_order(items)
    for index in range(len(ordered) - 1, -1, -1):
        if is_any_other_business(ordered[index]):
            if all(item.kind in _CLOSING_KINDS for item in ordered[index + 1 :]):
                return index + 1
            break
    return len(ordered) + 1


def where_added(item: AgendaItem) -> str:
    """Where a new item went, for the page's message: " before “Any other business”" if it did
    (`position_for_new_item`), " at the end" if nothing follows it, else nothing."""
    following = next(
        (other for other in item.meeting.agenda_items if other.position == item.position + 1),
        None,
    )
    if following is not None and is_any_other_business(following):
        return f" before “{following.title}”"
    return " at the end" if following is None else ""


def case_reviews_added(items: Sequence[AgendaItem]) -> str:
    """What the page says once case reviews are added to an agenda: how many, and where."""
    count = "1 case review" if len(items) == 1 else f"{len(items)} case reviews"
    return f"{count} added to the agenda{where_added(items[-1])}."


def case_review_title(case_review: CaseReview) -> str:
    """A case review's item is called by the case's reference, never by anything in the case."""
    return f"Case review {case_review.reference}"


# --- A meeting's agenda ------------------------------------------------------------------------


def add_item(actor: User, meeting: Meeting, details: ItemDetails) -> AgendaItem:
    """Add an item of the meeting's own, where `position_for_new_item` puts it."""
    access.require(actor, Action.MANAGE_MEETINGS, meeting)
    check_open(meeting)
    _check_presenter(meeting.panel, details)
    item = _insert(
        actor,
        meeting,
        AgendaItem(
            kind=AgendaItemKind.FREE,
            title=details.title,
            duration_minutes=details.duration_minutes,
            presenter_user=details.presenter_user,
            presenter_organisation=details.presenter_organisation,
        ),
    )
    db.session.flush()
    return item


def add_case_reviews(
    actor: User, meeting: Meeting, chosen: Sequence[tuple[CaseReview, int | None]]
) -> list[AgendaItem]:
    """Put each chosen case review, with its duration in minutes, on the meeting's agenda, in the
    order given, where `position_for_new_item` puts them; each case on no agenda before is now
    on one. All or nothing: one case that cannot go refuses them all, in one transaction."""
    access.require(actor, Action.MANAGE_MEETINGS, meeting)
    check_open(meeting)
    _check_room(meeting, len(chosen))
    listed = {item.case_review_id for item in meeting.agenda_items}
    for case_review, _ in chosen:
        _check_case_review(meeting, case_review, listed)
        listed.add(case_review.id)
    items = [
        _put_case_review(actor, meeting, case_review, minutes) for case_review, minutes in chosen
    ]
    db.session.flush()
    return items


def edit_item(actor: User, item: AgendaItem, details: ItemDetails) -> AgendaItem:
    """Change an item. A case review's item keeps its title, the case's reference."""
    access.require(actor, Action.MANAGE_MEETINGS, item.meeting)
    check_open(item.meeting)
    _check_presenter(item.meeting.panel, details, keeping=item)
    old_presenter = item.presenter
    title = item.title if item.kind == AgendaItemKind.CASE_REVIEW else details.title
    changes = masked(
        apply_changes(item, {"title": title, "duration_minutes": details.duration_minutes}),
        TEXT_FIELDS,
    )
    item.presenter_user = details.presenter_user
    item.presenter_organisation = details.presenter_organisation
    # Recorded by name: ids in the trail would mean nothing once people move on.
    if item.presenter != old_presenter:
        changes["presenter"] = [old_presenter, item.presenter]
    if changes:
        record(actor, AuditAction.UPDATE, item, label=_label(item), changes=changes)
        db.session.flush()
    return item


def remove_item(actor: User, item: AgendaItem) -> None:
    """Remove an item, and the declarations of interest made in it, from the agenda."""
    access.require(actor, Action.MANAGE_MEETINGS, item.meeting)
    meeting = item.meeting
    check_open(meeting)
    record(
        actor,
        AuditAction.DELETE,
        item,
        label=_label(item),
        changes={"title": _title(item), "declarations_of_interest": len(item.declarations)},
    )
    case_review = item.case_review
    meeting.agenda_items.remove(item)
    _renumber(_in_order(meeting.agenda_items))
    if case_review is not None:
        _back_off_the_agenda(actor, case_review)
    db.session.flush()


def _back_off_the_agenda(actor: User, case_review: CaseReview) -> None:
    """A case taken off its only agenda is no longer on one; a reviewed case stays reviewed."""
    db.session.flush()
    still_listed = db.session.scalar(
        db.select(AgendaItem.id).where(AgendaItem.case_review_id == case_review.id).limit(1)
    )
    if still_listed is None and case_review.status == CaseReviewStatus.ON_AGENDA:
        changes = apply_changes(case_review, {"status": CaseReviewStatus.ADDED})
        record(actor, AuditAction.UPDATE, case_review, label=case_review.reference, changes=changes)


def move_item(actor: User, item: AgendaItem, step: int) -> bool:
    """Swap the item with the one above (`UP`) or below (`DOWN`); False if it is already first
    or last."""
    access.require(actor, Action.MANAGE_MEETINGS, item.meeting)
    check_open(item.meeting)
    return _move(actor, item, _in_order(item.meeting.agenda_items), step, _label(item))


# --- The panel's standing items ----------------------------------------------------------------


def standing_items(actor: User, panel: Panel) -> list[AgendaTemplateItem]:
    """The panel's standing items. The first time anyone looks, the default set is saved (the
    commit is otherwise a no-op), so that its items have ids to edit them by."""
    access.require(actor, Action.MANAGE_MEETINGS, panel)
    items = _template(actor, panel)
    db.session.flush()
    return items


def add_standing_item(
    actor: User, panel: Panel, title: str, duration_minutes: int | None
) -> AgendaTemplateItem:
    """Add a standing item at the end; meetings scheduled from now on start with it."""
    access.require(actor, Action.MANAGE_MEETINGS, panel)
    items = _template(actor, panel)
    _renumber(items)
    item = AgendaTemplateItem(
        panel=panel,
        position=len(items) + 1,
        title=title,
        kind=AgendaItemKind.STANDING,
        duration_minutes=duration_minutes,
    )
    db.session.add(item)
    db.session.flush()
    record(
        actor,
        AuditAction.CREATE,
        item,
        label=_standing_label(item),
        changes={
            "title": text_set(title),
            "duration_minutes": duration_minutes,
            "position": item.position,
        },
    )
    db.session.flush()
    return item


def edit_standing_item(
    actor: User, item: AgendaTemplateItem, title: str, duration_minutes: int | None
) -> AgendaTemplateItem:
    access.require(actor, Action.MANAGE_MEETINGS, item.panel)
    changes = masked(
        apply_changes(item, {"title": title, "duration_minutes": duration_minutes}), TEXT_FIELDS
    )
    if changes:
        record(actor, AuditAction.UPDATE, item, label=_standing_label(item), changes=changes)
        db.session.flush()
    return item


def remove_standing_item(actor: User, item: AgendaTemplateItem) -> None:
    """Remove a standing item from the template; meetings already scheduled keep theirs.

    The last one stays: a panel with no standing items is given the default set again when its
    next meeting is scheduled, which would undo the removal without saying so."""
    access.require(actor, Action.MANAGE_MEETINGS, item.panel)
    items = _template(actor, item.panel)
    if len(items) <= 1:
        raise AgendaRefused("The last standing item cannot be removed. Change it instead.")
    record(
        actor,
        AuditAction.DELETE,
        item,
        label=_standing_label(item),
        changes={"title": text_removed(item.title)},
    )
    items.remove(item)
    db.session.delete(item)
    _renumber(items)
    db.session.flush()


def move_standing_item(actor: User, item: AgendaTemplateItem, step: int) -> bool:
    access.require(actor, Action.MANAGE_MEETINGS, item.panel)
    return _move(actor, item, _template(actor, item.panel), step, _standing_label(item))


def set_default_case_review_minutes(actor: User, panel: Panel, minutes: int) -> Panel:
    """How long a case review is given when it is added to an agenda, unless the coordinator
    gives it another duration there."""
    access.require(actor, Action.MANAGE_MEETINGS, panel)
    changes = apply_changes(panel, {"default_case_review_minutes": minutes})
    if changes:
        record(actor, AuditAction.UPDATE, panel, changes=changes)
        db.session.flush()
    return panel


# --- Declarations of interest ------------------------------------------------------------------


def declare_interest(actor: User, agenda_item: AgendaItem, reason: str) -> InterestDeclaration:
    """Declare the actor's interest in the item; declaring again changes the reason. The reason
    ("I know the family of the victim") says who knows whom: it shows to the panel, and the audit
    trail only records that one was given or changed, as for case text."""
    access.require(actor, Action.DECLARE_INTEREST, agenda_item.meeting)
    _check_declarations_open(agenda_item)
    declaration = queries.declaration_of(actor, agenda_item)
    if declaration is not None:
        changes = apply_changes(declaration, {"reason": reason})
        if changes:
            changes = masked(changes, TEXT_FIELDS)
            record(
                actor,
                AuditAction.UPDATE,
                declaration,
                label=_declaration_label(declaration),
                changes=changes,
            )
            db.session.flush()
        return declaration
    declaration = InterestDeclaration(agenda_item=agenda_item, user=actor, reason=reason)
    db.session.add(declaration)
    db.session.flush()
    record(
        actor,
        AuditAction.CREATE,
        declaration,
        label=_declaration_label(declaration),
        changes={"agenda_item": agenda_item.position, "reason": TEXT_SET},
    )
    db.session.flush()
    access.who_sees_what_changed()  # the case is withheld from the actor from now on
    return declaration


def withdraw_interest(actor: User, agenda_item: AgendaItem) -> bool:
    """Withdraw the actor's declaration in the item; False if they had none."""
    access.require(actor, Action.DECLARE_INTEREST, agenda_item.meeting)
    _check_declarations_open(agenda_item)
    declaration = queries.declaration_of(actor, agenda_item)
    if declaration is None:
        return False
    record(
        actor,
        AuditAction.DELETE,
        declaration,
        label=_declaration_label(declaration),
        changes={"agenda_item": agenda_item.position, "reason": TEXT_HIDDEN},
    )
    agenda_item.declarations.remove(declaration)
    db.session.flush()
    access.who_sees_what_changed()  # the case is open to the actor again
    return True


# --- Helpers -----------------------------------------------------------------------------------


def _check_room(meeting: Meeting, adding: int) -> None:
    """Refuse to take an agenda past MAX_AGENDA_ITEMS."""
    if len(meeting.agenda_items) + adding > MAX_AGENDA_ITEMS:
        raise AgendaRefused(
            f"An agenda holds at most {MAX_AGENDA_ITEMS} items, and this one has "
            f"{len(meeting.agenda_items)}. Remove an item, or put it on another meeting's agenda."
        )


def _insert(actor: User, meeting: Meeting, item: AgendaItem) -> AgendaItem:
    """Place a new item on the meeting's agenda by `position_for_new_item`, moving the items from
    there on down one, and audit it. The caller commits."""
    _check_room(meeting, 1)
    items = _in_order(meeting.agenda_items)
    position = position_for_new_item(items)
    items.insert(position - 1, item)
    meeting.agenda_items.append(item)
    _renumber(items)
    db.session.flush()
    record(
        actor,
        AuditAction.CREATE,
        item,
        label=_label(item),
        changes={
            "title": _title(item, TEXT_SET),
            "presenter": item.presenter,
            "duration_minutes": item.duration_minutes,
            "position": item.position,
        },
    )
    return item


def _check_case_review(meeting: Meeting, case_review: CaseReview, listed: set[int | None]):
    if case_review.panel_id != meeting.panel_id:
        raise AgendaRefused("A case review can only go on a meeting of its own panel.")
    if case_review.status == CaseReviewStatus.CLOSED:
        raise AgendaRefused(
            f"Case review {case_review.reference} is closed, so it cannot go on an agenda."
        )
    if case_review.id in listed:
        raise AgendaRefused(
            f"Case review {case_review.reference} is already on this meeting’s agenda."
        )
    if not case_review.is_checked:
        raise AgendaRefused(
            f"Case review {case_review.reference} has not been checked for identifying detail "
            "since its text last changed. A chair or coordinator who did not write it must "
            "check it before it can go on an agenda."
        )


def _put_case_review(
    actor: User, meeting: Meeting, case_review: CaseReview, minutes: int | None
) -> AgendaItem:
    item = _insert(
        actor,
        meeting,
        AgendaItem(
            kind=AgendaItemKind.CASE_REVIEW,
            title=case_review_title(case_review),
            case_review_id=case_review.id,
            duration_minutes=minutes,
        ),
    )
    if case_review.status == CaseReviewStatus.ADDED:
        changes = apply_changes(case_review, {"status": CaseReviewStatus.ON_AGENDA})
        record(
            actor, AuditAction.UPDATE, case_review, label=case_review.audit_label, changes=changes
        )
    return item


def _template(actor: User, panel: Panel) -> list[AgendaTemplateItem]:
    """The standing items in order; creating the defaults, recorded as the actor's, if the panel
    has none yet. The caller commits."""
    had_any = db.session.scalar(
        db.select(AgendaTemplateItem.id).where(AgendaTemplateItem.panel_id == panel.id).limit(1)
    )
    items = services.agenda_template(panel)
    if had_any is None and items:
        record(
            actor,
            AuditAction.CREATE,
            panel,
            label=f"Standing agenda items of {panel.name}",
            changes={"standing_items": [item.title for item in items]},
        )
    return _in_order(items)


def _check_presenter(panel: Panel, details: ItemDetails, keeping: AgendaItem | None = None):
    """A presenter must sit on the panel (or be their organisation). An item's existing presenter
    may stay after they leave, so that editing its title does not lose them."""
    if details.presenter_user is not None and details.presenter_organisation is not None:
        raise AgendaRefused("Choose a person or an organisation to present the item, not both.")
    if keeping is not None and (
        (details.presenter_user, details.presenter_organisation)
        == (keeping.presenter_user, keeping.presenter_organisation)
    ):
        return
    presenters = queries.presenters_for(panel)
    if details.presenter_user is not None and details.presenter_user not in presenters.people:
        raise AgendaRefused("The presenter must be a member of the panel.")
    if (
        details.presenter_organisation is not None
        and details.presenter_organisation not in presenters.organisations
    ):
        raise AgendaRefused("The presenting organisation must have a member on the panel.")


def _in_order(items: Sequence) -> list:
    # The id breaks ties, should two changes at once ever leave equal positions.
    return sorted(items, key=lambda item: (item.position, item.id or 0))


def _renumber(items: Sequence[AgendaItem | AgendaTemplateItem]) -> None:
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position


def _move(
    actor: User, item: AgendaItem | AgendaTemplateItem, items: list, step: int, label: str
) -> bool:
    index = items.index(item)
    target = index + step
    if not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    old = item.position
    _renumber(items)
    record(actor, AuditAction.UPDATE, item, label=label, changes={"position": [old, item.position]})
    db.session.flush()
    return True


def _label(item: AgendaItem) -> str:
    """An item by its number and meeting (and a case review's by the case's reference, too):
    "Agenda item 4 of the Coventry Hate Crime Panel meeting on 5 March 2026"."""
    case = f" ({item.title})" if item.kind == AgendaItemKind.CASE_REVIEW else ""
    return f"Agenda item {item.position}{case} of the {meeting_label(item.meeting)}"[:200]


def _title(item: AgendaItem, typed: str = TEXT_HIDDEN) -> str:
    """What the trail keeps of an item's title: a case review's (the case's reference), or
    `typed` in place of one typed in."""
    return item.title if item.kind == AgendaItemKind.CASE_REVIEW else typed


def _standing_label(item: AgendaTemplateItem) -> str:
    return f"Standing item {item.position} of {item.panel.name}"[:200]


def _check_declarations_open(agenda_item: AgendaItem) -> None:
    if not is_open(agenda_item.meeting):
        raise AgendaRefused(
            "Interests can only be declared or withdrawn while the meeting is scheduled or held. "
            f"This meeting’s status is: {agenda_item.meeting.status.label.lower()}."
        )


def _declaration_label(declaration: InterestDeclaration) -> str:
    item = declaration.agenda_item
    return (
        f"{declaration.user.full_name}’s interest in agenda item {item.position} of the "
        f"{meeting_label(item.meeting)}"
    )[:200]

"""Read models for the minutes pages: each loads what its page shows in a fixed number of queries,
however many agenda items, case reviews or versions there are.

Members read the full document (`for_member`); readers get only what was published, rendered from
the frozen version (`readers_document`), never from a draft. Two versions are compared line by
line (`compare`).
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import re
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import aliased, contains_eager, defer, joinedload, selectinload, undefer

from panel import access
from panel.accounts.models import User
from panel.cases.models import CaseReview
from panel.core.pagination import capped_count, page_number, paginate_rows
from panel.core.retention import MARKER_START
from panel.extensions import db
from panel.lessons.models import Lesson, Recommendation
from panel.meetings.models import AgendaItem, Meeting
from panel.minutes.document import (
    FULL,
    PUBLIC,
    Document,
    ItemSection,
    assemble,
    document_of,
)
from panel.minutes.models import Minutes, MinutesStatus, MinutesVersion
from panel.panels.models import Panel

# An agenda item that is already "any other business": its notes take the place of the
# minutes' own any-other-business notes.
_AOB_TITLE = re.compile(r"\bany\s+other\s+business\b|\bAOB\b", re.IGNORECASE)


def minutes_of(meeting: Meeting) -> Minutes | None:
    """The meeting's minutes with every version (who drafted, submitted,
    approved and published each; not the frozen content or the PDF, which are loaded only when
    shown)."""
    return db.session.scalar(
        db.select(Minutes)
        .options(
            joinedload(Minutes.started_by),
            joinedload(Minutes.submitted_by),
            joinedload(Minutes.drafted_by),
            joinedload(Minutes.agreed_at_meeting),
            selectinload(Minutes.versions).options(
                defer(MinutesVersion.content),
                joinedload(MinutesVersion.drafted_by),
                joinedload(MinutesVersion.submitted_by),
                joinedload(MinutesVersion.approved_by),
                joinedload(MinutesVersion.published_by),
            ),
        )
        .where(Minutes.meeting_id == meeting.id)
    )


def version_of(minutes: Minutes, number: int) -> MinutesVersion | None:
    """An approved version by its number; None for a number that was never approved."""
    return next((v for v in minutes.versions if v.number == number), None)


def has_draft(minutes: Minutes) -> bool:
    """Whether a version is being written now (draft, or with the chair): not yet frozen."""
    return minutes.status in (MinutesStatus.DRAFT, MinutesStatus.SUBMITTED)


def has_aob_item(agenda: list[AgendaItem]) -> bool:
    return any(_AOB_TITLE.search(item.title) for item in agenda)


def notes_items(
    minutes: Minutes, agenda: list[AgendaItem], user: User
) -> list[tuple[AgendaItem, ItemSection]]:
    """Each agenda item beside its part of the minutes as `user` may read it: what the notes
    page shows with the item's fields (the case review Panel will include, the matters
    arising)."""
    return list(zip(agenda, for_member(assemble(minutes), user).items, strict=True))


# --- What a member reads -----------------------------------------------------------------------


def for_member(document: Document, user: User) -> Document:
    """The document as `user` may read it: a case review withheld from them (they declared an
    interest in it) keeps its item's number and title, with a line saying why in place of the
    rest; matters arising from it are left out. Either layer: members read the full one, and
    the chair reviews the readers' one before publishing."""
    return document.withholding(withheld_references(user))


def withheld_references(user: User) -> frozenset[str]:
    """The references of the case reviews withheld from `user` (`access.withheld_case_ids`):
    frozen minutes name a case by its reference."""
    withheld = access.withheld_case_ids(user)
    if not withheld:
        return frozenset()
    return frozenset(
        db.session.scalars(db.select(CaseReview.reference).where(CaseReview.id.in_(withheld)))
    )


def member_document(
    minutes: Minutes, user: User, version: MinutesVersion | None = None
) -> Document:
    """What the member reads: a frozen version, or the minutes as they stand (the live draft,
    or the approved version once approved)."""
    document = Document.from_json(version.content) if version else document_of(minutes)
    return for_member(document, user)


def case_reviews_shown(meeting: Meeting, documents: Iterable[Document]) -> list[CaseReview]:
    """The case reviews whose text `documents` (minutes of `meeting`, as a page shows them) carry:
    every case section left in them, by its reference among the panel's case reviews. One query,
    none when there is no case section.

    A case review whose detail retention deleted is left out: its published minutes are kept,
    and its viewing record went with the detail (`panel.cases.retention`), not to start again."""
    references = {
        item.case.reference for document in documents for item in document.items if item.case
    }
    if not references:
        return []
    return list(
        db.session.scalars(
            db.select(CaseReview).where(
                CaseReview.panel_id == meeting.panel_id,
                CaseReview.reference.in_(references),
                ~CaseReview.narrative.startswith(MARKER_START, autoescape=True),
            )
        )
    )


# --- What readers read -------------------------------------------------------------------------


def readers_document(version: MinutesVersion) -> Document:
    """The public layer of a frozen version, as published: what the readers' page shows, the
    chair reviews before publishing, and the published PDF was rendered from."""
    document = Document.from_json(version.content).for_readers()
    return dataclasses.replace(document, status=MinutesStatus.PUBLISHED.label)


def published_documents(version: MinutesVersion) -> dict[str, Document]:
    """Both layers of a version as published: what `services.publish` renders and stores, and
    `flask minutes-pdf --verify` renders again to compare. The frozen document, saying it is
    published, in full (panel members) and for readers."""
    full = dataclasses.replace(
        Document.from_json(version.content), status=MinutesStatus.PUBLISHED.label
    )
    return {FULL: full, PUBLIC: full.for_readers()}


def stored_full_pdf(minutes: Minutes, document: Document) -> bytes | None:
    """The full minutes stored when the current version was published, byte for byte, if
    `document` (what the member may read, `member_document`) is exactly what they were rendered
    from. None for a draft, for a version approved but not yet published or published before
    both layers were stored, and for a member from whom a case is withheld: their copy is
    rendered for them."""
    version = minutes.published_version
    if version is None or version.number != minutes.version_number or not version.full_sha256:
        return None
    if document != published_documents(version)[FULL]:
        return None
    return version.full_pdf


def published_version(minutes: Minutes, *, with_pdf: bool = False) -> MinutesVersion | None:
    """The latest version given to readers, with who published it; the stored PDF too when it is
    to be downloaded."""
    options = [joinedload(MinutesVersion.published_by), joinedload(MinutesVersion.approved_by)]
    if with_pdf:
        options.append(undefer(MinutesVersion.published_pdf))
    return db.session.scalar(
        db.select(MinutesVersion)
        .options(*options)
        .where(MinutesVersion.minutes_id == minutes.id, MinutesVersion.published_at.is_not(None))
        .order_by(MinutesVersion.number.desc())
        .limit(1)
    )


def published_page(panel_ids: list[int]) -> Pagination:
    """A page of the latest published version of each panel's minutes, newest meeting first.

    Both queries start from the panels' own meetings: "no later version of the same minutes was
    published" is asked of each listed version through the (minutes, number) index, rather than
    by ranking every published version in the country first (which took seconds at national
    scale, once for the page and again for its count)."""
    newer = aliased(MinutesVersion)
    latest_published = sa.and_(
        MinutesVersion.published_at.is_not(None),
        ~sa.exists().where(
            newer.minutes_id == MinutesVersion.minutes_id,
            newer.published_at.is_not(None),
            newer.number > MinutesVersion.number,
        ),
    )
    select = (
        db.select(MinutesVersion)
        .join(MinutesVersion.minutes)
        .join(Minutes.meeting)
        .join(Meeting.panel)
        .options(
            defer(MinutesVersion.content),
            contains_eager(MinutesVersion.minutes)
            .contains_eager(Minutes.meeting)
            .contains_eager(Meeting.panel),
        )
        .where(Meeting.panel_id.in_(panel_ids), latest_published)
        .order_by(Meeting.starts_at.desc(), Panel.name)
    )
    # As many as there are minutes with a published version (one each, without the versions),
    # counted as far as the cap: a busy panel's ten years are tens of thousands.
    total = capped_count(
        db.select(Minutes.id)
        .join(Minutes.meeting)
        .where(
            Meeting.panel_id.in_(panel_ids),
            sa.exists().where(
                MinutesVersion.minutes_id == Minutes.id, MinutesVersion.published_at.is_not(None)
            ),
        )
    )
    return paginate_rows(
        select,
        total,
        page=page_number(),
        per_page=current_app.config["PAGE_SIZE"],
        item=lambda row: row[0],
    )


def first_published(meeting_ids: Iterable[int]) -> dict[int, datetime]:
    """For each of these meetings whose minutes have been published, when a version of them was
    first published; meetings without published minutes are left out. One query."""
    meeting_ids = set(meeting_ids)
    if not meeting_ids:
        return {}
    return dict(
        db.session.execute(
            db.select(Minutes.meeting_id, sa.func.min(MinutesVersion.published_at))
            .join(Minutes.versions)
            .where(Minutes.meeting_id.in_(meeting_ids), MinutesVersion.published_at.is_not(None))
            .group_by(Minutes.meeting_id)
        )
        .tuples()
        .all()
    )


# --- What the chair approves -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ApprovalSummary:
    """What a version holds, counted for the chair's confirmation before approval."""

    items: int
    case_reviews: int
    lessons: int
    recommendations: int
    # Agenda items (and any other business) with notes in each layer.
    public_notes: int
    restricted_notes: int
    key_messages: int = 0


def approval_summary(document: Document) -> ApprovalSummary:
    lessons = [
        *(lesson for item in document.items if item.case for lesson in item.case.lessons),
        *document.lessons_across_cases,
    ]
    return ApprovalSummary(
        items=len(document.items),
        case_reviews=sum(1 for item in document.items if item.case),
        lessons=len(lessons),
        recommendations=sum(len(lesson.recommendations) for lesson in lessons),
        public_notes=sum(1 for item in document.items if item.public)
        + (1 if document.aob_public else 0),
        restricted_notes=sum(1 for item in document.items if item.restricted)
        + (1 if document.aob_restricted else 0),
        key_messages=len(document.key_messages),
    )


# --- What changed between two versions ---------------------------------------------------------
# Both sides are a document's `as_text()` lines. The rows say in words whether each line was kept,
# added or removed, so that the page can announce a change to screen readers rather than show it
# in colour alone.


class Change(enum.Enum):
    UNCHANGED = "unchanged"
    ADDED = "added"
    REMOVED = "removed"


@dataclasses.dataclass(frozen=True)
class DiffRow:
    change: Change
    text: str

    @property
    def added(self) -> bool:
        return self.change == Change.ADDED

    @property
    def removed(self) -> bool:
        return self.change == Change.REMOVED

    @property
    def depth(self) -> int:
        """How far the line is indented in the document (`as_text` indents by two spaces)."""
        return (len(self.text) - len(self.text.lstrip(" "))) // 2

    @property
    def content(self) -> str:
        return self.text.strip()


def compare(old: list[str], new: list[str]) -> list[DiffRow]:
    """Every line of both sides in document order: kept lines once, and where the two differ the
    removed lines before the added ones."""
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            rows += [DiffRow(Change.UNCHANGED, line) for line in old[old_start:old_end]]
            continue
        rows += [DiffRow(Change.REMOVED, line) for line in old[old_start:old_end]]
        rows += [DiffRow(Change.ADDED, line) for line in new[new_start:new_end]]
    return rows


def counts(rows: list[DiffRow]) -> dict[Change, int]:
    """How many lines were added and removed, for the page's summary."""
    found = {Change.ADDED: 0, Change.REMOVED: 0}
    for row in rows:
        if row.change in found:
            found[row.change] += 1
    return found


def recommendations_published_to_readers(
    panel_id: int, recommendation_ids: Iterable[int]
) -> frozenset[tuple[str, str]]:
    """(organisation, text) of the recommendations `recommendation_ids` that the panel's readers
    were given in published minutes (any published version, the readers' layer as frozen): what a
    reader-safe report may repeat. A recommendation reworded since then is not in it.

    Only the minutes that can list them are read: those of the meeting that recorded the lesson,
    and of the meetings with the lesson's case review on their agenda. Reading every published
    version of a busy panel's minutes took 3 minutes on the national dataset."""
    lessons = sa.select(Recommendation.lesson_id).where(
        Recommendation.id.in_(list(recommendation_ids))
    )
    meetings: sa.CompoundSelect = sa.union(
        sa.select(Lesson.meeting_id).where(Lesson.id.in_(lessons), Lesson.meeting_id.is_not(None)),
        sa.select(AgendaItem.meeting_id)
        .join(Lesson, Lesson.case_review_id == AgendaItem.case_review_id)
        .where(Lesson.id.in_(lessons)),
    )
    contents = db.session.scalars(
        db.select(MinutesVersion.content)
        .join(MinutesVersion.minutes)
        .join(Minutes.meeting)
        .where(
            Meeting.panel_id == panel_id,
            Meeting.id.in_(meetings),
            MinutesVersion.published_at.is_not(None),
        )
    )
    return frozenset(
        (row.organisation, row.text)
        for content in contents
        for row in Document.from_json(content).for_readers().recommendations
    )

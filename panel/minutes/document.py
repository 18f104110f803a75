"""The minutes as a document: assembled from what the app knows about a held meeting plus the
notes editors wrote, in two layers.

`assemble(minutes)` gives the full document (panel members'). `Document.for_readers()` gives what
readers may see: every restricted note, stage comment, overall view and live-case detail left
out, case reviews shown only as their anonymised summary, stage ratings and lessons. Both the
HTML pages and the PDF render a `Document`; an approved version stores `to_json()` and is read
back with `from_json`, so what was approved is what is shown and published.

Values are stored as display text ("29 November 2026"), so a frozen version reads the same
whatever changes later, and two versions can be compared line by line.

The frozen JSON carries `SCHEMA_VERSION` and is read back by field name: keys this code no longer
knows are ignored and keys it did not have then take their default, so versions approved years
ago still open after the document gains or loses a field. The readers' layer is built from an
allow-list: each dataclass names in `READER_FIELDS` what readers may see, and every other field is
left empty, so a field added later stays with panel members until someone decides otherwise.
"""

from __future__ import annotations

import dataclasses
import functools
import types
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar, Union, get_args, get_origin, get_type_hints

import sqlalchemy as sa
from flask import current_app, has_request_context
from sqlalchemy.orm import joinedload, selectinload

from panel.cases.models import CaseReview
from panel.cases.vocabularies import Stage, strand_labels
from panel.core.pagination import Shown, first
from panel.core.time import UK, format_datetime, format_time
from panel.extensions import db
from panel.interventions.models import Intervention
from panel.lessons.models import Lesson, Recommendation
from panel.meetings import matters as matters_arising
from panel.meetings import queries
from panel.meetings.attendance import services as attendance
from panel.meetings.models import (
    AgendaItem,
    AgendaItemKind,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
)
from panel.minutes.key_messages.models import KeyMessage
from panel.minutes.models import Minutes, MinutesNote, MinutesStatus, PreviousMinutesDecision
from panel.panels.models import Membership, Role

FULL, PUBLIC = "full", "public"
# What each layer is called wherever a copy says which it is: the pages, the PDF's running header
# and title, `flask minutes-pdf --verify`.
LAYER_NAMES = {FULL: "Full version (panel members)", PUBLIC: "Reader version"}

# The shape of the frozen JSON. 1: versions frozen before the shape was recorded. Raise it, and
# add an upgrade to `_UPGRADES`, only for a change that defaults cannot carry (a field renamed, or
# its meaning changed); added and removed fields need neither.
SCHEMA_VERSION = 2
# {version: turn JSON of that version into JSON of the next}
_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}

# The statement that ends the minutes (domain.md, "Protection and retention").
HANDLING = (
    "These minutes are marked {marking}. Share them only with those who need to know, and do "
    "not forward them outside the panel's member organisations."
)
RETENTION = (
    "Panel deletes the case detail behind these minutes under the panel's retention periods: "
    "case review details {case_reviews} months after the case review is closed and the minutes "
    "of its last meeting are published, and live case details {live_cases} months after the "
    "case closes. These minutes and coarse statistics are kept."
)

# The most lessons, recommendations and interventions the minutes list. A meeting's own lists are
# bounded by what a meeting can hold (`panel.meetings.models`: its agenda, guests and actions);
# these grow with what was recorded about its cases, and past this the minutes say where the rest
# are (`Document.shortened`).
LISTED = 100
SHORTENED = {
    "lessons": "These minutes list the first {listed} of {total} lessons learnt from this "
    "meeting's case reviews and themes; each case review's page in Panel lists all of its lessons.",
    "recommendations": "These minutes list the first {listed} of {total} recommendations made "
    "from those lessons; each lesson's page in Panel lists all of its recommendations.",
    "interventions": "These minutes list the first {listed} of {total} interventions agreed at "
    "this meeting; each live case's page in Panel lists all of its interventions.",
}

# What a member who declared an interest in a case review reads in place of its section.
WITHHELD_NOTICE = "This case review is withheld from you because you declared an interest in it."


@dataclass
class OrganisationGroup:
    READER_FIELDS: ClassVar[frozenset[str]] = frozenset({"organisation", "people"})

    organisation: str
    people: list[str]


@dataclass
class AttendeeRow:
    """Someone present: their organisation and their role on the panel."""

    READER_FIELDS: ClassVar[frozenset[str]] = frozenset({"name", "organisation", "role"})

    name: str
    organisation: str
    role: str


@dataclass
class DeclarationRow:
    """An interest declared at the meeting; why, for panel members only."""

    READER_FIELDS: ClassVar[frozenset[str]] = frozenset({"name", "organisation", "item"})

    name: str
    organisation: str
    item: str  # "5. Case review ISP-2026-004"
    reason: str | None = None


@dataclass
class ArisingRow:
    # Readers get `description` from `reader_values`. `case_reference` (Panel's own reference,
    # never personal data, and not shown) stays so that the readers' layer can be withheld too.
    READER_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"kind", "owner", "due", "overdue", "case_reference"}
    )

    kind: str
    description: str
    owner: str | None
    due: str | None
    overdue: bool
    # What readers see instead of `description` (None: the same).
    public_description: str | None = None
    # The case review it follows from, to withhold it with the case.
    case_reference: str | None = None

    def reader_values(self) -> dict[str, Any]:
        return {"description": self.public_description or self.description}


@dataclass
class StageRow:
    READER_FIELDS: ClassVar[frozenset[str]] = frozenset({"stage", "rating"})

    stage: str
    rating: str
    comment: str | None = None  # members only


@dataclass
class RecommendationRow:
    READER_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"number", "organisation", "text", "due", "status"}
    )

    number: int
    organisation: str
    text: str
    due: str
    status: str


@dataclass
class LessonRow:
    READER_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"number", "kind", "about", "strands", "text", "recommendations"}
    )

    number: int
    kind: str
    about: str
    strands: str
    text: str
    recommendations: list[RecommendationRow] = field(default_factory=list)


@dataclass
class CaseSection:
    READER_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"reference", "strands", "offence", "outcome", "summary", "stages", "lessons"}
    )

    reference: str
    strands: str
    offence: str
    outcome: str
    summary: str
    stages: list[StageRow]
    lessons: list[LessonRow]
    overall_view: str | None = None  # members only


@dataclass
class ItemSection:
    READER_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {
            "number",
            "title",
            "kind",
            "presenter",
            "public",
            "case",
            "matters_arising",
            "matters_arising_total",
            "withheld",
        }
    )
    # What stays of an item whose case review is withheld from the person reading.
    WITHHELD_FIELDS: ClassVar[frozenset[str]] = frozenset({"number", "title", "kind"})

    number: int
    title: str
    kind: str
    presenter: str | None
    restricted: str | None
    public: str | None
    case: CaseSection | None = None
    matters_arising: list[ArisingRow] | None = None
    # How many matters arising were open ("1,234", "more than 1,000") when the minutes list only
    # the oldest of them (`panel.meetings.matters.SHOWN`); None when they list them all.
    matters_arising_total: str | None = None
    # Shown instead of everything else in the item: why it is withheld from this reader.
    withheld: str | None = None


@dataclass
class InterventionRow:
    READER_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"number", "type", "owner", "due", "status"}
    )

    number: int
    about: str | None  # the live case or place; members only
    type: str
    owner: str
    due: str
    status: str


@dataclass
class ActionRow:
    READER_FIELDS: ClassVar[frozenset[str]] = frozenset({"description", "owner", "due", "status"})

    description: str
    owner: str | None
    due: str | None
    status: str


@dataclass
class KeyMessageRow:
    """A key message as approved with the minutes: written for the public, so readers see all of
    it, and the OFFICIAL key messages document is made from these rows."""

    READER_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"number", "audience", "agency", "addressed_to", "text"}
    )

    number: int
    # `panel.minutes.key_messages.models.Audience` value, and its wording with the agency.
    audience: str
    agency: str | None
    addressed_to: str
    text: str


@dataclass
class Document:
    # Readers get `layer` from `reader_values`; never `aob_restricted`.
    READER_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {
            "panel",
            "marking",
            "title",
            "meeting_date",
            "meeting_time",
            "place",
            "chair",
            "version",
            "status",
            "approved_by",
            "approved_on",
            "present",
            "deputies",
            "apologies",
            "guests",
            "quorum",
            "previous_minutes",
            "items",
            "lessons_across_cases",
            "interventions",
            "actions",
            "aob_public",
            "next_meeting",
            "attendees",
            "absent",
            "declarations",
            "previous_minutes_amendments",
            "close_time",
            "handling",
            "retention",
            "shortened",
            "key_messages",
        }
    )

    layer: str
    panel: str
    marking: str
    title: str
    meeting_date: str
    meeting_time: str
    place: str
    chair: str | None
    version: int
    status: str
    approved_by: str | None
    approved_on: str | None
    present: list[OrganisationGroup]
    deputies: list[str]
    apologies: list[str]
    guests: list[str]
    quorum: str
    previous_minutes: str
    items: list[ItemSection]
    lessons_across_cases: list[LessonRow]
    interventions: list[InterventionRow]
    actions: list[ActionRow]
    aob_restricted: str | None
    aob_public: str | None
    next_meeting: str | None
    # Who was present, one by one (versions frozen before this have `present` by organisation).
    attendees: list[AttendeeRow] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    declarations: list[DeclarationRow] = field(default_factory=list)
    # With `previous_minutes` (the decision, "" if none was recorded): the amendments agreed.
    previous_minutes_amendments: list[str] = field(default_factory=list)
    close_time: str | None = None
    # The handling and retention statement at the end of the minutes.
    handling: str = ""
    retention: str = ""
    # What the minutes leave out of a list longer than they hold, one sentence each ("These
    # minutes list the first 100 of 1,234 lessons learnt..."): see `LISTED`.
    shortened: list[str] = field(default_factory=list)
    # The chair's key messages for the community and agencies, approved with the minutes.
    key_messages: list[KeyMessageRow] = field(default_factory=list)

    @property
    def for_members(self) -> bool:
        return self.layer == FULL

    @property
    def layer_name(self) -> str:
        return LAYER_NAMES[self.layer]

    @property
    def is_draft(self) -> bool:
        """Not yet approved: every page of it says DRAFT."""
        return self.status in (MinutesStatus.DRAFT.label, MinutesStatus.SUBMITTED.label)

    @property
    def recommendations(self) -> list[RecommendationRow]:
        """Every recommendation in the minutes, in their order, for the summary table."""
        lessons = [lesson for item in self.items if item.case for lesson in item.case.lessons]
        lessons += self.lessons_across_cases
        return [row for lesson in lessons for row in lesson.recommendations]

    def for_readers(self) -> Document:
        """What readers may see: only the fields each part lists in its `READER_FIELDS` (so no
        restricted notes, stage comments, overall views, live-case or place details), the rest
        left empty."""
        if self.layer == PUBLIC:
            return self
        return _reader_copy(self)

    def reader_values(self) -> dict[str, Any]:
        return {"layer": PUBLIC}

    def withholding(self, references: Collection[str]) -> Document:
        """The document for someone from whom the case reviews named in `references` are
        withheld: each one's item keeps its number and title, and says why in place of the rest;
        matters arising that follow from those cases are left out. The same document when there
        is nothing of theirs in it."""
        if not references:
            return self  # the usual case, on every member's page: nothing to walk
        items = []
        for item in self.items:
            if item.case is not None and item.case.reference in references:
                item = _keeping(item, item.WITHHELD_FIELDS, withheld=WITHHELD_NOTICE)
            elif any(r.case_reference in references for r in item.matters_arising or []):
                rows = [r for r in item.matters_arising if r.case_reference not in references]
                item = dataclasses.replace(item, matters_arising=rows)
            items.append(item)
        if items == self.items:
            return self  # nothing withheld: callers may use what everyone gets
        return dataclasses.replace(self, items=items)

    def with_approval(self, version: int, status: str, by: str | None, on: str | None):
        return dataclasses.replace(
            self, version=version, status=status, approved_by=by, approved_on=on
        )

    def to_json(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, **dataclasses.asdict(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Document:
        """A frozen version, whichever schema version froze it: upgraded where `_UPGRADES` says
        so, unknown keys ignored and missing ones given their default (or an empty value)."""
        data = dict(data)
        version = data.pop("schema_version", 1)
        while version in _UPGRADES:
            data = _UPGRADES[version](data)
            version += 1
        return _load(cls, data)

    def as_text(self) -> list[str]:
        """The document as lines of text, to compare two versions."""
        lines = [
            f"{self.title}",
            f"Date: {self.meeting_date}, {self.meeting_time}",
            f"Place: {self.place}",
            f"Chair: {self.chair or 'not recorded'}",
            "Present:",
            *(f"  {g.organisation}: {', '.join(g.people)}" for g in self.present),
            *(f"  {a.name}, {a.organisation}, {a.role}" for a in self.attendees),
            *(f"Apologies: {a}" for a in self.apologies),
            *(f"Absent: {a}" for a in self.absent),
            *(f"Deputy: {d}" for d in self.deputies),
            *(f"Guest: {g}" for g in self.guests),
            *([f"Quorum: {self.quorum}"] if self.quorum else []),
            *(
                f"Declaration: {d.name} ({d.organisation}), item {d.item}"
                + (f": {d.reason}" if d.reason else "")
                for d in self.declarations
            ),
            f"Previous minutes: {self.previous_minutes or 'no decision recorded'}",
            *(f"  Amendment: {a}" for a in self.previous_minutes_amendments),
        ]
        for item in self.items:
            lines.append(f"{item.number}. {item.title}")
            if item.withheld:
                lines.append(f"  {item.withheld}")
            for row in item.matters_arising or []:
                lines.append(f"  Matter arising: {row.kind}: {row.description} ({row.owner})")
            if item.matters_arising_total:
                lines.append(f"  Matters arising open: {item.matters_arising_total}")
            if item.restricted:
                lines += [f"  Restricted: {line}" for line in item.restricted.splitlines()]
            if item.public:
                lines += [f"  {line}" for line in item.public.splitlines()]
            if item.case:
                lines += _case_lines(item.case)
        for lesson in self.lessons_across_cases:
            lines += _lesson_lines(lesson)
        lines += [
            f"Intervention {r.number}: {r.type}, {r.owner}, {r.status}" for r in self.interventions
        ]
        lines += [f"Action: {a.description} ({a.owner}), {a.status}" for a in self.actions]
        if self.aob_restricted:
            lines += [
                f"Any other business (restricted): {x}" for x in self.aob_restricted.splitlines()
            ]
        if self.aob_public:
            lines += [f"Any other business: {x}" for x in self.aob_public.splitlines()]
        if self.close_time:
            lines.append(f"Closed: {self.close_time}")
        lines.append(f"Next meeting: {self.next_meeting or 'not yet scheduled'}")
        lines += [
            f"Key message {m.number} to {m.addressed_to}: {m.text}" for m in self.key_messages
        ]
        lines += [f"Shortened: {line}" for line in self.shortened]
        return lines


# --- Reading frozen JSON, and the readers' layer ---------------------------------------------


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _load(cls: type, data: dict[str, Any]) -> Any:
    """An instance of the dataclass `cls` from its JSON, by field name: keys it has no field for
    are ignored, and fields the JSON lacks get their default or an empty value."""
    hints = _hints(cls)
    values = {
        f.name: _convert(hints[f.name], data[f.name])
        for f in dataclasses.fields(cls)
        if f.name in data
    }
    for f in dataclasses.fields(cls):
        if f.name not in values:
            values[f.name] = _empty_field(cls, f)
    return cls(**values)


def _convert(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = get_origin(hint)
    if origin is list:
        (item_hint,) = get_args(hint)
        return [_convert(item_hint, item) for item in value]
    if origin in (Union, types.UnionType):
        hint = next(arg for arg in get_args(hint) if arg is not type(None))
        return _convert(hint, value)
    if dataclasses.is_dataclass(hint) and isinstance(value, dict):
        return _load(hint, value)
    return value


def _empty_field(cls: type, f: dataclasses.Field) -> Any:
    """A field's default, or an empty value of its type for one that has none."""
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return _empty(_hints(cls)[f.name])


def _empty(hint: Any) -> Any:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType) and type(None) in get_args(hint):
        return None
    if origin is list or hint is list:
        return []
    if origin is dict or hint is dict:
        return {}
    if dataclasses.is_dataclass(hint):
        return _load(hint, {})
    if hint in (str, int, bool):
        return hint()
    return None


def _keeping(part: Any, names: Collection[str], **values: Any) -> Any:
    """A copy of the dataclass instance `part` with only the fields in `names` (each replaced by
    `values` where given), every other field empty."""
    kept = {
        f.name: getattr(part, f.name) if f.name in names else _empty_field(type(part), f)
        for f in dataclasses.fields(part)
    }
    return type(part)(**{**kept, **values})


def _reader_copy(value: Any) -> Any:
    """What readers may see of `value`: of a dataclass, the fields its class allows in
    `READER_FIELDS` (a class without one allows none), each seen the same way, plus what its
    `reader_values()` gives them; of a list, each of its items."""
    if isinstance(value, list):
        return [_reader_copy(item) for item in value]
    if not dataclasses.is_dataclass(value):
        return value
    allowed = getattr(type(value), "READER_FIELDS", frozenset())
    seen = {
        f.name: _reader_copy(getattr(value, f.name))
        for f in dataclasses.fields(value)
        if f.name in allowed
    }
    reader_values = getattr(value, "reader_values", None)
    if reader_values is not None:
        seen.update(reader_values())
    return _keeping(value, allowed, **seen)


def _case_lines(case: CaseSection) -> list[str]:
    lines = [f"  Case review {case.reference}: {case.summary}"]
    for stage in case.stages:
        comment = f": {stage.comment}" if stage.comment else ""
        lines.append(f"  {stage.stage}: {stage.rating}{comment}")
    if case.overall_view:
        lines.append(f"  Overall view: {case.overall_view}")
    for lesson in case.lessons:
        lines += _lesson_lines(lesson)
    return lines


def _lesson_lines(lesson: LessonRow) -> list[str]:
    lines = [f"  Lesson {lesson.number} ({lesson.kind}, {lesson.about}): {lesson.text}"]
    lines += [
        f"    Recommendation {r.number} to {r.organisation}: {r.text} (due {r.due}, {r.status})"
        for r in lesson.recommendations
    ]
    return lines


# --- Assembly ----------------------------------------------------------------------------------


def assemble(minutes: Minutes) -> Document:
    """The full document of `minutes` as the app knows it now, with its notes."""
    meeting = minutes.meeting
    panel = meeting.panel
    register = attendance.load_attendance(meeting)
    agenda = queries.agenda_of(meeting)
    notes = notes_of(minutes, agenda)
    case_ids = [item.case_review_id for item in agenda if item.case_review_id]
    cases = _cases(case_ids)
    lessons = _lessons(case_ids, meeting)
    with _urls_anywhere():
        arising = matters_arising.matters_arising(meeting, viewer=None)
    interventions = _interventions(meeting)
    items = []
    for number, item in enumerate(agenda, start=1):
        note = notes.get(item.id)
        presenter = item.presenter_user.full_name if item.presenter_user else None
        if presenter is None and item.presenter_organisation:
            presenter = item.presenter_organisation.name
        items.append(
            ItemSection(
                number=number,
                title=item.title,
                kind=item.kind.value,
                presenter=presenter,
                restricted=note.restricted if note else None,
                public=note.public if note else None,
                case=(
                    _case_section(cases[item.case_review_id], lessons["cases"])
                    if item.case_review_id in cases
                    else None
                ),
                matters_arising=(
                    [_arising_row(row, meeting) for row in arising]
                    if item.kind == AgendaItemKind.MATTERS_ARISING
                    else None
                ),
                matters_arising_total=(
                    str(arising.total)
                    if item.kind == AgendaItemKind.MATTERS_ARISING and arising.more
                    else None
                ),
            )
        )
    roles = _roles(panel.id)
    represented = attendance.organisations_represented(meeting)
    quorum_met = len(represented) >= panel.quorum
    previous_minutes, amendments = _previous_minutes(minutes, queries.previous_meeting(meeting))
    lessons_across_cases = [_lesson_row(*lesson) for lesson in lessons["meeting"]]
    _number_lessons(items, lessons_across_cases)
    return Document(
        layer=FULL,
        panel=panel.name,
        marking=panel.protective_marking,
        title=f"Minutes of {panel.name}, {format_datetime(meeting.starts_at, 'date')}",
        meeting_date=format_datetime(meeting.starts_at, "weekday"),
        meeting_time=format_time(meeting.starts_at),
        place=meeting.place or ("Online" if meeting.online_link else "Not recorded"),
        chair=_chair(panel.id),
        version=minutes.version_number,
        status=minutes.status.label,
        approved_by=None,
        approved_on=None,
        present=[],
        attendees=[
            AttendeeRow(row.user.full_name, row.organisation.name, roles.get(row.user_id, ""))
            for row in register
            if row.status == AttendanceStatus.PRESENT
        ],
        deputies=[
            f"{row.deputy_name or 'A deputy'} for {row.user.full_name} ({row.organisation.name})"
            for row in register
            if row.status == AttendanceStatus.DEPUTY
        ],
        apologies=[
            f"{row.user.full_name} ({row.organisation.name})"
            for row in register
            if row.status == AttendanceStatus.APOLOGIES
        ],
        absent=[
            f"{row.user.full_name} ({row.organisation.name})"
            for row in register
            if row.status == AttendanceStatus.ABSENT
        ],
        guests=[
            f"{guest.name} ({guest.organisation_name})" for guest in attendance.guests_of(meeting)
        ],
        # Nothing is said of the quorum until the register is taken: apologies sent before the
        # meeting say who was not there, not who was.
        quorum=(
            f"{'Quorate' if quorum_met else 'Not quorate'}: {len(represented)} "
            f"organisation{'s' if len(represented) != 1 else ''} represented; the quorum is "
            f"{panel.quorum}."
            if attendance.register_taken(register)
            else ""
        ),
        declarations=_declarations(agenda),
        previous_minutes=previous_minutes,
        previous_minutes_amendments=amendments,
        items=items,
        lessons_across_cases=lessons_across_cases,
        interventions=[_intervention_row(i) for i in interventions],
        actions=[
            ActionRow(
                description=action.description,
                owner=action.owner_organisation.name if action.owner_organisation else None,
                due=format_datetime(action.due_date, "date") or None,
                status=action.status.label,
            )
            for action in queries.actions_raised_at(meeting)
        ],
        aob_restricted=minutes.aob_restricted,
        aob_public=minutes.aob_public,
        next_meeting=_next_meeting(meeting),
        close_time=format_time(meeting.ends_at),
        handling=HANDLING.format(marking=panel.protective_marking),
        retention=RETENTION.format(
            case_reviews=panel.case_review_retention_months,
            live_cases=panel.live_case_retention_months,
        ),
        shortened=[
            SHORTENED[name].format(listed=len(shown.items), total=shown.total)
            for name, shown in (
                ("lessons", lessons["all"]),
                ("recommendations", lessons["recommendations"]),
                ("interventions", interventions),
            )
            if shown.more
        ],
        key_messages=key_message_rows(minutes),
    )


def key_message_rows(minutes: Minutes) -> list[KeyMessageRow]:
    """The key messages of `minutes` as they stand, in the chair's order: one query."""
    messages = db.session.scalars(
        db.select(KeyMessage)
        .options(joinedload(KeyMessage.organisation))
        .where(KeyMessage.minutes_id == minutes.id)
        .order_by(KeyMessage.position, KeyMessage.id)
    )
    return [
        KeyMessageRow(
            number=number,
            audience=message.audience.value,
            agency=message.organisation.name if message.organisation else None,
            addressed_to=message.addressed_to,
            text=message.text,
        )
        for number, message in enumerate(messages, start=1)
    ]


@contextmanager
def _urls_anywhere() -> Iterator[None]:
    """Matters arising carry links: outside a request (a command, demo data) build them on the
    configured address."""
    if has_request_context():
        yield
        return
    with current_app.test_request_context(base_url=current_app.config["PANEL_BASE_URL"]):
        yield


def document_of(minutes: Minutes, version_number: int | None = None) -> Document:
    """The document of version `version_number` (frozen once approved), or of the current
    version: the live draft while it is being drafted or submitted, the frozen one after.
    Raises LookupError for a version that does not exist."""
    number = version_number or minutes.version_number
    frozen = next((v for v in minutes.versions if v.number == number), None)
    if frozen is not None:
        document = Document.from_json(frozen.content)
        if number == minutes.version_number:
            # Frozen at approval: say where the version is now (approved, or published).
            document = dataclasses.replace(document, status=minutes.status.label)
        return document
    if number == minutes.version_number:
        return assemble(minutes)
    raise LookupError(f"minutes {minutes.id} have no version {number}")


def _chair(panel_id: int) -> str | None:
    membership = db.session.scalar(
        db.select(Membership)
        .options(joinedload(Membership.user))
        .where(Membership.panel_id == panel_id, Membership.role == Role.CHAIR)
        .limit(1)
    )
    return membership.user.full_name if membership else None


def _cases(case_ids: list[int]) -> dict[int, CaseReview]:
    if not case_ids:
        return {}
    rows = db.session.scalars(
        db.select(CaseReview)
        .options(selectinload(CaseReview.strand_rows), selectinload(CaseReview.stage_findings))
        .where(CaseReview.id.in_(case_ids))
    )
    return {case.id: case for case in rows}


def notes_of(minutes: Minutes, agenda: list[AgendaItem]) -> dict[int, MinutesNote]:
    """The notes written on these agenda items, by agenda item id, in one query."""
    rows = db.session.scalars(
        db.select(MinutesNote).where(
            MinutesNote.minutes_id == minutes.id,
            MinutesNote.agenda_item_id.in_([item.id for item in agenda]),
        )
    )
    return {note.agenda_item_id: note for note in rows}


def _lessons(case_ids: list[int], meeting: Meeting) -> dict[str, Any]:
    """The cases' lessons (by case id) and the themes recorded at the meeting, in agenda then
    stage order, at most LISTED of them, and at most LISTED of their recommendations, with how
    many of each there are: four queries (and their strands)."""
    condition = Lesson.meeting_id == meeting.id
    if case_ids:
        condition = condition | Lesson.case_review_id.in_(case_ids)
    on_agenda = (
        sa.case(
            *((Lesson.case_review_id == case_id, n) for n, case_id in enumerate(case_ids)),
            else_=len(case_ids),
        )
        if case_ids
        else sa.literal(0)
    )
    stage = sa.case(*((Lesson.stage == s, n) for n, s in enumerate(Stage)), else_=-1)
    select = db.select(Lesson).where(condition)
    listed = first(
        select.options(joinedload(Lesson.case_review), joinedload(Lesson.strand_rows)).order_by(
            on_agenda, stage, Lesson.id
        ),
        LISTED,
    )
    order = {lesson.id: n for n, lesson in enumerate(listed.items)}
    in_lesson_order = (
        sa.case(*((Recommendation.lesson_id == i, n) for i, n in order.items()), else_=LISTED)
        if order
        else sa.literal(0)
    )
    recommendations = first(
        db.select(Recommendation)
        .options(joinedload(Recommendation.organisation))
        .where(Recommendation.lesson_id.in_(list(order)))
        .order_by(in_lesson_order, Recommendation.id),
        LISTED,
    )
    by_lesson: dict[int, list[Recommendation]] = {}
    for recommendation in recommendations.items:
        by_lesson.setdefault(recommendation.lesson_id, []).append(recommendation)
    by_case: dict[int, list[tuple[Lesson, list[Recommendation]]]] = {}
    at_meeting = []
    for lesson in listed.items:
        entry = (lesson, by_lesson.get(lesson.id, []))
        if lesson.case_review_id in case_ids:
            by_case.setdefault(lesson.case_review_id, []).append(entry)
        elif lesson.meeting_id == meeting.id:
            at_meeting.append(entry)
    return {
        "cases": by_case,
        "meeting": at_meeting,
        "all": listed,
        "recommendations": recommendations,
    }


def _case_section(case: CaseReview, lessons_by_case: dict[int, list[Lesson]]) -> CaseSection:
    order = list(Stage)
    findings = sorted(case.stage_findings, key=lambda f: order.index(f.stage))
    lessons = lessons_by_case.get(case.id, [])  # in stage order
    return CaseSection(
        reference=case.reference,
        strands=strand_labels(case.strands),
        offence=case.offence_category.label,
        outcome=case.outcome.label,
        summary=case.narrative,
        stages=[StageRow(f.stage.label, f.rating.label, f.comment) for f in findings],
        lessons=[_lesson_row(*lesson) for lesson in lessons],
        overall_view=case.overall_view,
    )


def _lesson_row(lesson: Lesson, recommendations: list[Recommendation]) -> LessonRow:
    return LessonRow(
        number=lesson.id,
        kind=lesson.kind.label,
        about=lesson.stage.label if lesson.stage else "Theme across cases",
        strands=strand_labels(lesson.strands) or "All strands",
        text=lesson.text,
        recommendations=[
            RecommendationRow(
                number=r.id,
                organisation=r.organisation.name,
                text=r.text,
                due=format_datetime(r.due_date, "date"),
                status=r.status.label,
            )
            for r in recommendations
        ],
    )


def _arising_row(row: matters_arising.MatterArising, meeting: Meeting) -> ArisingRow:
    public = row.description.split(":")[0] if row.kind.startswith("Intervention") else None
    return ArisingRow(
        kind=row.kind,
        description=row.description,
        owner=row.owner,
        due=format_datetime(row.due_date, "date") or None,
        # Overdue at the meeting, which is what the minutes record, not on the day they are read.
        overdue=matters_arising.is_overdue(row.due_date, meeting.starts_at.astimezone(UK).date()),
        public_description=public,
        case_reference=row.case_reference,
    )


def _interventions(meeting: Meeting) -> Shown:
    """The interventions agreed at the meeting (at most LISTED), with how many there are."""
    return first(
        db.select(Intervention)
        .options(
            joinedload(Intervention.type),
            joinedload(Intervention.owner_organisation),
            joinedload(Intervention.live_case),
        )
        .where(Intervention.agreed_at_id == meeting.id)
        .order_by(Intervention.id),
        LISTED,
    )


def _intervention_row(i: Intervention) -> InterventionRow:
    return InterventionRow(
        number=i.id,
        about=i.about,
        type=i.type.name,
        owner=i.owner_organisation.name,
        due=format_datetime(i.due_date, "date"),
        status=i.status.label,
    )


def _roles(panel_id: int) -> dict[int, str]:
    """Each member's role on the panel, by user id, in one query."""
    rows = db.session.execute(
        db.select(Membership.user_id, Membership.role).where(Membership.panel_id == panel_id)
    )
    return {user_id: role.label for user_id, role in rows}


def _declarations(agenda: list[AgendaItem]) -> list[DeclarationRow]:
    """The interests declared in the meeting's agenda items, in agenda order, from the agenda as
    `queries.agenda_of` loads it (with the declarations and who made them)."""
    return [
        DeclarationRow(
            name=d.user.full_name,
            organisation=d.user.organisation.name,
            item=f"{number}. {item.title}",
            reason=d.reason,
        )
        for number, item in enumerate(agenda, start=1)
        for d in sorted(item.declarations, key=lambda d: (d.user.full_name, d.id))
    ]


def _number_lessons(items: list[ItemSection], across_cases: list[LessonRow]) -> None:
    """Number the lessons, and their recommendations, within the meeting in reading order."""
    lessons = [lesson for item in items if item.case for lesson in item.case.lessons]
    recommendations = 0
    for number, lesson in enumerate([*lessons, *across_cases], start=1):
        lesson.number = number
        for row in lesson.recommendations:
            recommendations += 1
            row.number = recommendations


def _next_meeting(meeting: Meeting) -> str | None:
    following = db.session.scalar(
        db.select(Meeting)
        .where(
            Meeting.panel_id == meeting.panel_id,
            Meeting.starts_at > meeting.starts_at,
            Meeting.status == MeetingStatus.SCHEDULED,
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )
    if following is None:
        return None
    return (
        f"{format_datetime(following.starts_at, 'weekday')} at {format_time(following.starts_at)}"
    )


# --- The previous minutes ----------------------------------------------------------------------
# Under "minutes of the last meeting" a meeting agrees the previous meeting's minutes as a correct
# record, agrees them with amendments (which are listed), or does not agree them yet. Whoever
# drafts this meeting's minutes records that decision with the notes (`services.save_notes`), and
# it is what these minutes say. Nothing is said that nobody recorded: the previous minutes' own
# approval by the chair is not this meeting's decision. The notes form asks about the same
# previous meeting (`panel.meetings.queries.previous_meeting`), and `services.save_notes` marks
# its minutes agreed.


def which_minutes(previous: Meeting | None) -> str:
    """ "the minutes of the meeting on 10 November 2026", or of the last meeting when it was
    held before the panel used Panel."""
    if previous is None:
        return "the minutes of the last meeting"
    return f"the minutes of the meeting on {format_datetime(previous.starts_at, 'date')}"


def amendment_lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _previous_minutes(minutes: Minutes, previous: Meeting | None) -> tuple[str, list[str]]:
    """What the minutes say the meeting decided, as a decision, with the amendments; nothing
    ("") when no decision was recorded."""
    decision = minutes.previous_decision
    which = which_minutes(previous)
    if decision is None:
        return "", []
    if decision == PreviousMinutesDecision.AGREED:
        return f"Agreed: {which} are a correct record.", []
    if decision == PreviousMinutesDecision.AGREED_WITH_AMENDMENTS:
        return (
            f"Agreed: {which} are a correct record, with these amendments:",
            amendment_lines(minutes.previous_amendments),
        )
    return f"{which[0].upper()}{which[1:]} were not agreed at this meeting.", []

"""Shared pieces for models: enumerations with human labels, enum columns, timestamps."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite


def insert_for(model, session) -> Any:
    """An INSERT for `model` in the dialect of the session's database, so that the caller can
    add ON CONFLICT DO UPDATE (PostgreSQL and SQLite both offer it, under their own classes)."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware: every timestamp the app stores is UTC."""
    return datetime.now(UTC)


class LabelledEnum(enum.Enum):
    """An enumeration whose members carry the label users read, e.g. ``Role.CHAIR.label``.

    Members are declared as ``NAME = ("stored value", "Label")``; the stored value never changes
    once data exists, the label can.

    An enumeration that pages show as a GOV.UK tag (a status, a rating) declares each member's
    colour beside it, ``TAG_COLOURS = tag_colours(OPEN="blue", CLOSED="grey")``, so that every page
    colours a status the same way and templates never spell one: the one macro
    ``status_tag`` (templates/macros/tags.html) renders any of them, and a test checks that every
    member has its colour.
    """

    label: str
    # Member name -> GOV.UK tag colour ("blue" for ``govuk-tag--blue``), or None for a member
    # shown without a tag. Not a member itself: see `tag_colours`.
    TAG_COLOURS = enum.nonmember(None)

    def __new__(cls, value: str, label: str):
        member = object.__new__(cls)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) pairs for form fields, in declaration order."""
        return [(member.value, member.label) for member in cls]

    def __str__(self) -> str:
        return self.label

    @property
    def tag_colour(self) -> str | None:
        """The colour of this member's GOV.UK tag; None if it is shown without one. An enumeration
        that declares no colours is never shown as a tag: asking is a mistake, and fails loudly
        (an AttributeError would render as nothing in a template)."""
        colours = type(self).TAG_COLOURS
        if colours is None:
            raise TypeError(f"{type(self).__name__} declares no TAG_COLOURS")
        return colours[self.name]


def tag_colours(**colours: str | None):
    """The ``TAG_COLOURS`` of an enumeration, by member name, read-only. Wrapped so that the enum
    keeps it as a class attribute instead of taking it for another member."""
    return enum.nonmember(MappingProxyType(colours))


def enum_column(enum_class: type[LabelledEnum]) -> sa.Enum:
    """A portable enum column: stored as its short string value, checked by SQLAlchemy."""
    return sa.Enum(
        enum_class,
        native_enum=False,
        length=max(len(member.value) for member in enum_class),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class UTCDateTime(sa.TypeDecorator):
    """A timestamp stored timezone-aware where the database can, and always read back as UTC.

    SQLite keeps no zone, so without this a value would come back naive there and aware on
    PostgreSQL; the app compares and formats them the same way on both.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware (use panel.core.database.utcnow)")
        # SQLite would store the wall-clock time and drop the zone: always store UTC.
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def render_migration_item(type_, obj, autogen_context):
    """Alembic hook: write Panel's column types into migrations as plain SQLAlchemy types, so a
    migration never imports app code (which changes; migrations must not)."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def choice_list(rows: str, field: str, enum_class: type[enum.Enum]) -> property:
    """A many-valued choice kept as child rows (a case's strands, a live case's needs), read as a
    list in the enumeration's order and set from a list. Rows whose value stays are kept, so an
    unchanged choice is never deleted and inserted again; the row class is the relationship's."""

    def read(self) -> list:
        order = list(enum_class)
        return sorted((getattr(row, field) for row in getattr(self, rows)), key=order.index)

    def write(self, values: list) -> None:
        wanted = set(values)
        kept = [row for row in getattr(self, rows) if getattr(row, field) in wanted]
        have = {getattr(row, field) for row in kept}
        row_class = getattr(type(self), rows).property.mapper.class_
        added = [row_class(**{field: value}) for value in values if value not in have]
        setattr(self, rows, kept + added)

    return property(read, write)

"""Shared pieces for models: enumerations with human labels, enum columns, timestamps."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

import sqlalchemy as sa


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware: every timestamp the app stores is UTC."""
    return datetime.now(UTC)


class LabelledEnum(enum.Enum):
    """An enumeration whose members carry the label users read, e.g. ``Role.CHAIR.label``.

    Members are declared as ``NAME = ("stored value", "Label")``; the stored value never changes
    once data exists, the label can.
    """

    label: str

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

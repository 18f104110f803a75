"""What changed between two versions of the minutes, line by line.

Both sides are a document's `as_text()` lines. The rows say in words whether each line was kept,
added or removed, so that the page can announce a change to screen readers rather than show it
in colour alone.
"""

from __future__ import annotations

import difflib
import enum
from dataclasses import dataclass


class Change(enum.Enum):
    UNCHANGED = "unchanged"
    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True)
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

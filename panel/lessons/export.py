"""The register as CSV: one row per recommendation shown, with its lesson's columns repeated, and
one row for a lesson without recommendations (or with none matching the filters)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from panel.cases.vocabularies import strand_labels
from panel.core.time import UK
from panel.lessons.models import Lesson
from panel.lessons.queries import is_overdue

HEADER = [
    "Panel",
    "Lesson number",
    "Recorded on",
    "About",
    "Stage",
    "Kind",
    "Strands",
    "Lesson",
    "Recommendation number",
    "Addressed to",
    "Recommendation",
    "Due by",
    "Status",
    "Overdue",
    "Response",
    "Evidence of implementation",
]


def register_rows(lessons: Iterable[Lesson], today: date) -> Iterator[list]:
    for lesson in lessons:
        first = [
            lesson.panel.name,
            lesson.id,
            lesson.created_at.astimezone(UK).date().isoformat(),
            lesson.about,
            lesson.stage.label if lesson.stage else "",
            lesson.kind.label,
            strand_labels(lesson.strands) or "All strands",
            lesson.text,
        ]
        if not lesson.recommendations:
            yield first + [""] * 8
        for recommendation in lesson.recommendations:
            yield first + [
                recommendation.id,
                recommendation.organisation.name,
                recommendation.text,
                recommendation.due_date.isoformat(),
                recommendation.status.label,
                "Yes" if is_overdue(recommendation, today) else "No",
                recommendation.response or "",
                recommendation.evidence or "",
            ]

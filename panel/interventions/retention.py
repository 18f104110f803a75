"""Retention of live cases and their interventions: the rules `panel.core.retention` runs for them
(the app factory lists them in the registry).

- A closed live case: its risk reason and summary are due `Panel.live_case_retention_months`
  after it closed. Its viewing record (who opened it, how often: `panel.cases.models.CaseView`)
  goes with its detail; the audit trail keeps the day's first opening by each person.
- An intervention for a closed live case, once it has ended (completed, not completed or
  cancelled; an open one is still being reported on): its description, the reason for its status
  and the notes in its update log, the same number of months after the later of the case's
  closing and the last entry in its log. The log is never edited in place, so its entries that
  carry a note are deleted; entries that only moved the status stay.

Strands, needs, risk level, area, closure reason, outcome for the victim, whether they felt safer,
intervention types, owners, statuses and dates stay, for statistics and the panel's record.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy.orm import contains_eager, joinedload, selectinload

from panel.cases.services import delete_views
from panel.core.retention import (
    DueItem,
    RetentionRule,
    add_months,
    counted,
    is_deleted,
    replace_text,
    uk_day,
    words,
)
from panel.extensions import db
from panel.interventions.models import Intervention, LiveCase
from panel.interventions.vocabularies import OPEN_INTERVENTION, LiveCaseStatus

LIVE_CASE, INTERVENTION = "Live case", "Intervention"


# --- Live cases --------------------------------------------------------------------------------


def live_cases_due(today: date) -> Iterator[DueItem]:
    cases = db.session.scalars(
        db.select(LiveCase)
        .options(joinedload(LiveCase.panel))
        .where(LiveCase.status == LiveCaseStatus.CLOSED, LiveCase.closed_at.is_not(None))
    )
    for case in cases:
        deletes = _live_case_text(case)
        if not deletes:
            continue
        started = uk_day(case.closed_at)
        months = case.panel.live_case_retention_months
        due = add_months(started, months)
        if due <= today:
            yield DueItem(
                panel=case.panel,
                kind=LIVE_CASE,
                target=case,
                reference=case.reference,
                since="closed",
                started=started,
                due=due,
                months=months,
                deletes=deletes,
            )


def _live_case_text(case: LiveCase) -> tuple[str, ...]:
    return words(
        ("risk reason", not is_deleted(case.risk_reason)),
        ("summary", not is_deleted(case.summary)),
    )


def delete_live_case(case: LiveCase, note: str) -> None:
    replace_text(case, "risk_reason", note)
    replace_text(case, "summary", note)
    delete_views(case)


LIVE_CASES = RetentionRule(LIVE_CASE, due=live_cases_due, delete=delete_live_case)


# --- Interventions -----------------------------------------------------------------------------


def interventions_due(today: date) -> Iterator[DueItem]:
    interventions = db.session.scalars(
        db.select(Intervention)
        .join(Intervention.live_case)
        .options(
            contains_eager(Intervention.live_case),
            joinedload(Intervention.panel),
            selectinload(Intervention.updates),
        )
        .where(
            LiveCase.status == LiveCaseStatus.CLOSED,
            LiveCase.closed_at.is_not(None),
            Intervention.status.not_in(OPEN_INTERVENTION),
        )
    )
    for intervention in interventions:
        deletes = _intervention_text(intervention)
        if not deletes:
            continue
        case = intervention.live_case
        closed = uk_day(case.closed_at)
        last_entry = max((uk_day(update.at) for update in intervention.updates), default=closed)
        since, started = (
            ("case closed", closed) if closed >= last_entry else ("last update", last_entry)
        )
        months = intervention.panel.live_case_retention_months
        due = add_months(started, months)
        if due <= today:
            yield DueItem(
                panel=intervention.panel,
                kind=INTERVENTION,
                target=intervention,
                reference=f"{intervention.id} for case {case.reference}",
                since=since,
                started=started,
                due=due,
                months=months,
                deletes=deletes,
            )


def _intervention_text(intervention: Intervention) -> tuple[str, ...]:
    notes = sum(bool(update.text) for update in intervention.updates)
    return words(
        ("description", not is_deleted(intervention.description)),
        ("status reason", not is_deleted(intervention.status_reason)),
        (counted(notes, "update note"), notes > 0),
    )


def delete_intervention(intervention: Intervention, note: str) -> None:
    replace_text(intervention, "description", note)
    replace_text(intervention, "status_reason", note)
    # The log is never edited in place: entries with a note go (delete-orphan), the rest stay.
    intervention.updates = [update for update in intervention.updates if not update.text]


INTERVENTIONS = RetentionRule(INTERVENTION, due=interventions_due, delete=delete_intervention)

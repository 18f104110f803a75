"""The recommendation lifecycle in one place (domain.md, "Workflow"):

open -> accepted / not accepted (with the agency's response) -> implemented (with evidence)
-> closed by the chair; or withdrawn.

Who may make each move is `panel.access`'s business; this module says which moves exist and what
each needs.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from panel.lessons.models import RecommendationStatus

S = RecommendationStatus

# Still waiting on someone (the agency, or the chair to close): listed under matters arising.
OUTSTANDING = frozenset({S.OPEN, S.ACCEPTED, S.NOT_ACCEPTED, S.IMPLEMENTED})
# Waiting on the addressed agency: these can be overdue.
AWAITING_AGENCY = frozenset({S.OPEN, S.ACCEPTED})


class Move(enum.Enum):
    """A move, named for the person making it; `panel.access` decides who may make each."""

    RESPOND = "respond"  # the agency accepts or does not accept
    IMPLEMENT = "implement"  # the agency reports it done, with evidence
    CLOSE = "close"  # the chair signs it off
    WITHDRAW = "withdraw"  # the panel no longer asks for it


@dataclass(frozen=True)
class Transition:
    move: Move
    sources: frozenset[RecommendationStatus]
    targets: frozenset[RecommendationStatus]
    # The note every such move must carry, as the form labels it; None if optional.
    note_label: str | None


TRANSITIONS = {
    Move.RESPOND: Transition(
        Move.RESPOND,
        frozenset({S.OPEN}),
        frozenset({S.ACCEPTED, S.NOT_ACCEPTED}),
        "The agency’s response",
    ),
    Move.IMPLEMENT: Transition(
        Move.IMPLEMENT,
        frozenset({S.ACCEPTED}),
        frozenset({S.IMPLEMENTED}),
        "Evidence of implementation",
    ),
    Move.CLOSE: Transition(
        Move.CLOSE, frozenset({S.IMPLEMENTED, S.NOT_ACCEPTED}), frozenset({S.CLOSED}), None
    ),
    Move.WITHDRAW: Transition(
        Move.WITHDRAW,
        frozenset({S.OPEN, S.ACCEPTED, S.NOT_ACCEPTED}),
        frozenset({S.WITHDRAWN}),
        "Reason for withdrawing",
    ),
}


class RecommendationRefused(Exception):
    """A move the lifecycle does not allow now; the message is written for the user."""


def available(status: RecommendationStatus) -> list[Move]:
    """The moves a recommendation in `status` allows, in the order the page offers them."""
    return [move for move, t in TRANSITIONS.items() if status in t.sources]


def check(status: RecommendationStatus, move: Move, target: RecommendationStatus) -> None:
    transition = TRANSITIONS[move]
    if status not in transition.sources:
        raise RecommendationRefused(
            f"This recommendation is {status.label.lower()}: it cannot be {_PAST[move]} now."
        )
    if target not in transition.targets:
        raise RecommendationRefused(f"Choose one of: {_labels(transition.targets)}.")


_PAST = {
    Move.RESPOND: "responded to",
    Move.IMPLEMENT: "marked as implemented",
    Move.CLOSE: "closed",
    Move.WITHDRAW: "withdrawn",
}


def _labels(statuses) -> str:
    return ", ".join(sorted(s.label.lower() for s in statuses))

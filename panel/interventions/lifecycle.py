"""The intervention lifecycle (domain.md): agreed -> in progress -> completed / not completed
(with reason) / cancelled."""

from __future__ import annotations

from panel.interventions.vocabularies import InterventionStatus

S = InterventionStatus

NEXT: dict[InterventionStatus, tuple[InterventionStatus, ...]] = {
    S.AGREED: (S.IN_PROGRESS, S.COMPLETED, S.NOT_COMPLETED, S.CANCELLED),
    S.IN_PROGRESS: (S.COMPLETED, S.NOT_COMPLETED, S.CANCELLED),
    S.COMPLETED: (),
    S.NOT_COMPLETED: (),
    S.CANCELLED: (),
}
# A move to these must say why.
NEEDS_REASON = frozenset({S.NOT_COMPLETED, S.CANCELLED})


class InterventionRefused(Exception):
    """A change the lifecycle or the rules do not allow; the message is written for the user."""


def check(status: InterventionStatus, target: InterventionStatus) -> None:
    if target not in NEXT[status]:
        if not NEXT[status]:
            raise InterventionRefused(
                f"This intervention is {status.label.lower()}, so its status can no longer "
                "change. You can still add an update."
            )
        raise InterventionRefused(
            f"An intervention that is {status.label.lower()} cannot become {target.label.lower()}."
        )

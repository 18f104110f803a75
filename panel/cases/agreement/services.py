"""Each panel's confidentiality agreement: members accept it before opening any case material (a
case review, a live case or its interventions, minutes before they are published), and again every
year or whenever the chair changes its text. One agreement per panel covers all of them."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import g

from panel.core.audit import AuditAction, apply_changes, record
from panel.core.database import utcnow
from panel.extensions import db

# Acceptance lapses after a year, so members are reminded of their duties annually.
VALID_FOR = timedelta(days=365)

# Until the chair sets their own, members accept this.
DEFAULT_TEXT = """\
Case material in Panel is anonymised, but it concerns special category data about real people:
their race, religion, sexual orientation, disability or gender identity.

I agree that I will:

- use case material only for the work of this panel;
- not copy, photograph, forward or discuss it outside the panel;
- not try to identify anyone involved, and tell the chair if I recognise a case;
- declare any conflict of interest before a case is discussed;
- handle panel documents as OFFICIAL-SENSITIVE and destroy any printed copies after the meeting.
"""


def _agreement(panel):
    from panel.cases.models import ConfidentialityAgreement

    return db.session.scalar(
        db.select(ConfidentialityAgreement).where(ConfidentialityAgreement.panel_id == panel.id)
    )


def agreement_text(panel) -> str:
    agreement = _agreement(panel)
    return agreement.text if agreement else DEFAULT_TEXT


def last_acceptance(user, panel) -> datetime | None:
    from panel.cases.models import AgreementAcceptance

    return db.session.scalar(
        db.select(db.func.max(AgreementAcceptance.accepted_at)).where(
            AgreementAcceptance.user_id == user.id, AgreementAcceptance.panel_id == panel.id
        )
    )


def agreement_accepted(user, panel, now: datetime | None = None) -> bool:
    """Whether the user's acceptance is current: within a year, and after the last change of
    the text. Pages ask more than once, so the answer for now is kept for the request."""
    cache = g.setdefault("_agreement_accepted", {})
    key = (user.id, panel.id)
    if now is None and key in cache:
        return cache[key]
    accepted_at = last_acceptance(user, panel)
    agreement = _agreement(panel)
    current = (
        accepted_at is not None
        and accepted_at > (now or utcnow()) - VALID_FOR
        and (agreement is None or accepted_at >= agreement.updated_at)
    )
    if now is None:
        cache[key] = current
    return current


def accept(user, panel) -> None:
    """The user accepts the panel's agreement: anyone who may open its case reviews may."""
    # `panel.access` asks this module whether an agreement is accepted, so it comes in late.
    from panel import access
    from panel.cases.models import AgreementAcceptance

    access.require(user, access.Action.VIEW_CASE_REVIEWS, panel)
    acceptance = AgreementAcceptance(user=user, panel=panel)
    db.session.add(acceptance)
    db.session.flush()
    record(
        user,
        AuditAction.CREATE,
        acceptance,
        label=f"{user.email} accepted the confidentiality agreement of {panel.name}",
    )
    db.session.flush()
    g.pop("_agreement_accepted", None)


def set_agreement_text(actor, panel, text: str) -> None:
    """Change the text; everyone, the chair included, accepts the new text before case material.
    Saving the same text again changes nothing, so nobody is asked to accept again."""
    from panel import access
    from panel.cases.models import ConfidentialityAgreement

    access.require(actor, access.Action.SET_CONFIDENTIALITY_AGREEMENT, panel)
    agreement = _agreement(panel)
    if agreement is None:
        agreement = ConfidentialityAgreement(panel=panel, text=text, updated_by_id=actor.id)
        db.session.add(agreement)
        db.session.flush()
        record(
            actor,
            AuditAction.CREATE,
            agreement,
            label=f"Confidentiality agreement of {panel.name}",
            changes={"text": "(set)"},
        )
    elif agreement.text != text:
        changes = apply_changes(
            agreement, {"text": text, "updated_by_id": actor.id, "updated_at": utcnow()}
        )
        record(
            actor,
            AuditAction.UPDATE,
            agreement,
            label=f"Confidentiality agreement of {panel.name}",
            changes={key: "(changed)" for key in changes},
        )
    db.session.flush()
    g.pop("_agreement_accepted", None)

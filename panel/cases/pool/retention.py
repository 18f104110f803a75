"""How long the pool keeps the agencies' references: a reference lets the coordinator find a
drawn case's file while they write its case review, and no longer. It is deleted once that case
review has passed the second person's check for identifying detail (the cases service calls
`forget_agency_references` as the check is confirmed), and with the pool when it is discarded
(`panel.cases.pool.services.discard_pool`). Without a reference a pool case holds only coarse
facts, which are kept so that every draw can still be run again."""

from __future__ import annotations

from panel.accounts.models import User
from panel.cases.models import CaseReview
from panel.cases.pool.models import PoolCase
from panel.core.audit import TEXT_HIDDEN, AuditAction, record
from panel.extensions import db

REFERENCE_FIELD = "agency_reference"


def forget_agency_references(actor: User | None, case_review: CaseReview) -> int:
    """Delete the agency's reference of the pool case drawn as `case_review`, audited; how many
    were deleted (0 or 1). The caller has checked what the actor may do; the unit of work
    commits."""
    cases = db.session.scalars(
        db.select(PoolCase).where(
            PoolCase.case_review_id == case_review.id,
            PoolCase.agency_reference_encrypted.is_not(None),
        )
    ).all()
    for pool_case in cases:
        pool_case.agency_reference_encrypted = None
        record(
            actor,
            AuditAction.UPDATE,
            pool_case,
            label=pool_case.audit_label,
            changes={REFERENCE_FIELD: [TEXT_HIDDEN, None]},
        )
    return len(cases)

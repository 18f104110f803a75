"""Operations on local panels' live cases and interventions. Each asks `access` whether the acting
person may take its step (the same action the page's route declares), writes and audits; the
unit of work commits.

Case text (the risk reason, the summary) and update text are anonymised case material: the audit
trail says that it changed, never what it says. Saves carry the version they were drawn from, so
two partners saving at once cannot silently overwrite each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError

from panel import access
from panel.access import Action
from panel.accounts.models import Organisation, User
from panel.cases.services import record_views, reference_prefix
from panel.cases.vocabularies import Answer, Strand, strand_labels
from panel.core import locking
from panel.core.audit import AuditAction, apply_changes, record
from panel.core.database import utcnow
from panel.core.guard import GuardOutcome
from panel.core.time import UK
from panel.extensions import db
from panel.interventions import lifecycle, notifications, queries
from panel.interventions.lifecycle import InterventionRefused
from panel.interventions.models import (
    Intervention,
    InterventionType,
    InterventionUpdate,
    LiveCase,
)
from panel.interventions.vocabularies import (
    DEFAULT_INTERVENTION_TYPES,
    ClosureReason,
    InterventionStatus,
    LiveCaseStatus,
    RiskLevel,
    VictimNeed,
    VictimOutcome,
)
from panel.meetings.models import Meeting
from panel.panels.models import Panel
from panel.panels.services import check_override, record_override

NO_FINDINGS = GuardOutcome()
CASE_TEXT_FIELDS = frozenset({"risk_reason", "summary", "description", "status_reason", "text"})

STALE = (
    "Someone else saved a change to this {what} while you were working on it. Check what it "
    "says now, then save again: your text is still in the form."
)
NOT_ON_PANEL = (
    "Nobody from {organisation} sits on this panel. Ask an administrator to add someone from "
    "{organisation} to the panel first, then {then}."
)


class OwnerNotOnPanel(InterventionRefused):
    """The owner has nobody on the panel: the intervention would be orphaned. Said beside the
    owner field."""


def not_on_panel(organisation: Organisation, then: str) -> str:
    return NOT_ON_PANEL.format(organisation=organisation.name, then=then)


@dataclass(frozen=True)
class LiveCaseDetails:
    strands: list[Strand]
    policing_area: str
    risk_level: RiskLevel
    risk_reason: str
    needs: list[VictimNeed]
    review_date: date
    referred_by: Organisation | None = None
    summary: str | None = None
    status: LiveCaseStatus = LiveCaseStatus.OPEN

    def columns(self) -> dict:
        fields = asdict(self)
        for key in ("strands", "needs", "referred_by"):
            fields.pop(key)
        fields["referred_by_id"] = self.referred_by.id if self.referred_by else None
        fields["summary"] = self.summary or None
        return fields


@dataclass(frozen=True)
class Closure:
    reason: ClosureReason
    victim_outcome: VictimOutcome
    felt_safer: Answer


@dataclass(frozen=True)
class InterventionDetails:
    type: InterventionType
    description: str
    owner: Organisation
    due_date: date
    lead: User | None = None


# --- Live cases --------------------------------------------------------------------------------


def next_reference(panel: Panel, year: int) -> str:
    """The panel's next live-case reference for `year`, e.g. "CHCP-2026-007"."""
    stem = f"{reference_prefix(panel)}-{year}-"
    used = db.session.scalars(
        db.select(LiveCase.reference).where(
            LiveCase.panel_id == panel.id, LiveCase.reference.startswith(stem, autoescape=True)
        )
    )
    numbers = [int(ref[len(stem) :]) for ref in used if ref[len(stem) :].isdigit()]
    return f"{stem}{max(numbers, default=0) + 1:03d}"


def refer_case(
    actor: User, panel: Panel, details: LiveCaseDetails, guard: GuardOutcome = NO_FINDINGS
) -> LiveCase:
    """Add a live case to the panel under its next reference."""
    access.require(actor, Action.MANAGE_LIVE_CASES, panel)
    check_override(actor, panel, guard, InterventionRefused)
    year = utcnow().astimezone(UK).year
    # Two coordinators referring at once can pick the same number: the second takes the next.
    for attempt in range(2):
        case = LiveCase(
            panel=panel,
            reference=next_reference(panel, year),
            created_by_id=actor.id,
            **{**details.columns(), "status": LiveCaseStatus.OPEN},
        )
        case.strands = details.strands
        case.needs = details.needs
        try:
            with db.session.begin_nested():
                db.session.add(case)
            break
        except IntegrityError:
            if attempt:
                raise
    record(
        actor,
        AuditAction.CREATE,
        case,
        label=_case_label(case),
        changes={
            "reference": case.reference,
            "strands": strand_labels(details.strands),
            "needs": _labels(details.needs),
            **_audited(details.columns()),
        },
    )
    record_override(actor, case, guard, _case_label(case))
    db.session.flush()
    return case


def update_case(
    actor: User,
    case: LiveCase,
    details: LiveCaseDetails,
    version: int,
    guard: GuardOutcome = NO_FINDINGS,
) -> LiveCase:
    access.require(actor, Action.MANAGE_LIVE_CASES, case)
    _check_case_open(case)
    locking.check_version(case.version, version, _stale("case"))
    check_override(actor, case.panel, guard, InterventionRefused)
    if details.status == LiveCaseStatus.CLOSED:
        raise InterventionRefused("Close a case with ‘Close the case’, which records the outcome.")
    with locking.saving(_stale("case")):
        old_strands, old_needs = case.strands, case.needs
        changes = _mask(apply_changes(case, details.columns()))
        if set(old_strands) != set(details.strands):
            case.strands = details.strands
            changes["strands"] = [strand_labels(old_strands), strand_labels(details.strands)]
        if set(old_needs) != set(details.needs):
            case.needs = details.needs
            changes["needs"] = [_labels(old_needs), _labels(details.needs)]
        if changes:
            record(actor, AuditAction.UPDATE, case, label=_case_label(case), changes=changes)
        record_override(actor, case, guard, _case_label(case))
    return case


def close_case(actor: User, case: LiveCase, closure: Closure, version: int) -> LiveCase:
    """Close a case with why, what it achieved for the victim and whether they felt safer. Its
    open interventions stay as they are: their owners still report how they ended."""
    access.require(actor, Action.MANAGE_LIVE_CASES, case)
    _check_case_open(case)
    locking.check_version(case.version, version, _stale("case"))
    with locking.saving(_stale("case")):
        changes = apply_changes(
            case,
            {
                "status": LiveCaseStatus.CLOSED,
                "closure_reason": closure.reason,
                "victim_outcome": closure.victim_outcome,
                "felt_safer": closure.felt_safer,
                "closed_at": utcnow(),
            },
        )
        record(actor, AuditAction.UPDATE, case, label=_case_label(case), changes=changes)
    return case


def record_view(actor: User, case: LiveCase) -> None:
    """Live cases are need-to-know case material: every page that shows a live case's text
    records the opening, as for case reviews (`panel.cases.services.record_views`)."""
    access.require(actor, Action.VIEW_LIVE_CASES, case)
    record_views(actor, [case])


# --- Intervention types ------------------------------------------------------------------------


def intervention_types(panel: Panel, *, include_retired: bool = False) -> list[InterventionType]:
    """The panel's intervention types in order, starting it with the default list (domain.md)
    the first time it is asked."""
    select = db.select(InterventionType).where(InterventionType.panel_id == panel.id)
    types = list(db.session.scalars(select.order_by(InterventionType.position)))
    if not types:
        for position, name in enumerate(DEFAULT_INTERVENTION_TYPES, start=1):
            db.session.add(InterventionType(panel=panel, name=name, position=position))
        db.session.flush()
        types = list(db.session.scalars(select.order_by(InterventionType.position)))
    return types if include_retired else [t for t in types if t.active]


def add_intervention_type(actor: User, panel: Panel, name: str) -> InterventionType:
    access.require(actor, Action.MANAGE_LIVE_CASES, panel)
    existing = intervention_types(panel, include_retired=True)
    if any(t.name.casefold() == name.casefold() for t in existing):
        raise InterventionRefused(f"The panel already has the type ‘{name}’.")
    new = InterventionType(panel=panel, name=name, position=max(t.position for t in existing) + 1)
    db.session.add(new)
    db.session.flush()
    record(actor, AuditAction.CREATE, new, label=f"Intervention type {name} of {panel.name}"[:200])
    db.session.flush()
    return new


def set_intervention_type_active(actor: User, kind: InterventionType, active: bool) -> None:
    """Retire a type (no longer offered; past interventions keep it), or bring it back."""
    access.require(actor, Action.MANAGE_LIVE_CASES, kind)
    changes = apply_changes(kind, {"active": active})
    if changes:
        record(
            actor,
            AuditAction.UPDATE,
            kind,
            label=f"Intervention type {kind.name} of {kind.panel.name}"[:200],
            changes=changes,
        )
    db.session.flush()


# --- Interventions -----------------------------------------------------------------------------


REASSIGN_THEN = "reassign the intervention to them, or choose another organisation"


@dataclass(frozen=True)
class Handed:
    """An intervention given to an organisation, and whether its people are told by e-mail:
    `emailed` is False when nobody needed telling (a partner logged their own organisation's, or
    nothing changed hands); `told` is how many e-mails were queued (they go once the change is
    saved). `changed` is False when a reassignment changed nothing."""

    intervention: Intervention
    emailed: bool = False
    told: int = 0
    changed: bool = True


def told_message(done: str, handed: Handed) -> tuple[str, str]:
    """What the page says once an intervention is handed over (`done`, e.g. "Intervention
    agreed."), with the flash category: whom the e-mail goes to, or that nobody could be told."""
    owner, notified = handed.intervention.owner_organisation.name, handed.told
    if notified == 0:
        # Owners must sit on the panel, so this is someone leaving it meanwhile, or an inactive
        # lead: the intervention stands, and the page says who has to be told another way.
        return (
            f"{done} Nobody at {owner} could be e-mailed (no active lead or member of the panel "
            "is left there): let them know another way.",
            "error",
        )
    people = "person" if notified == 1 else "people"
    return f"{done} We will e-mail {notified} {people} at {owner}.", "success"


def agreed_message(handed: Handed) -> tuple[str, str]:
    """What the page says once an intervention is agreed, or logged by its own organisation
    (nobody there needs telling by e-mail)."""
    if handed.emailed:
        return told_message("Intervention agreed.", handed)
    return (
        "Intervention logged. The panel’s chair and coordinator see it on their home page.",
        "success",
    )


def reassigned_message(handed: Handed) -> tuple[str, str]:
    """What the page says once a reassignment is saved: nothing changed, or who was told."""
    if not handed.changed:
        return "Nothing was changed.", "success"
    if handed.emailed:
        return told_message("Intervention reassigned.", handed)
    return "Intervention reassigned.", "success"


def agree_intervention(
    actor: User,
    panel: Panel,
    details: InterventionDetails,
    *,
    live_case: LiveCase | None = None,
    place_or_community: str | None = None,
    meeting: Meeting | None = None,
    guard: GuardOutcome = NO_FINDINGS,
    notify: bool = True,
) -> Handed:
    """Record an intervention agreed (at `meeting`, if given) for a case or a place, and e-mail
    the owning organisation's people (unless `notify` is False: loading demo data). The chair
    and coordinator agree one for any organisation on the panel; a member logs one their own
    organisation agreed, and it is marked as logged by a partner (nobody there needs telling)."""
    access.require(actor, Action.LOG_INTERVENTION, panel)
    by_partner = access.logs_for_own_organisation_only(actor, panel)
    if by_partner and details.owner.id != actor.organisation_id:
        raise InterventionRefused(
            f"You can log only an intervention that {actor.organisation.name} agreed to carry "
            "out. Ask the panel’s coordinator to record another organisation’s."
        )
    if (live_case is None) == (not place_or_community):
        raise InterventionRefused(
            "An intervention is for a live case, or for a place or community."
        )
    if live_case is not None:
        if live_case.panel_id != panel.id:
            raise InterventionRefused("The case belongs to another panel.")
        _check_case_open(live_case)
    if meeting is not None and meeting.panel_id != panel.id:
        raise InterventionRefused("The meeting belongs to another panel.")
    _check_type_and_lead(panel, details)
    _check_owner_on_panel(panel, details.owner, "agree the intervention")
    check_override(actor, panel, guard, InterventionRefused)
    intervention = Intervention(
        panel=panel,
        live_case=live_case,
        place_or_community=place_or_community or None,
        type=details.type,
        description=details.description,
        owner_organisation=details.owner,
        lead=details.lead,
        due_date=details.due_date,
        status=InterventionStatus.AGREED,
        agreed_at=meeting,
        created_by_id=actor.id,
        logged_by_partner=by_partner,
    )
    intervention.updates.append(_update(actor, None, InterventionStatus.AGREED))
    db.session.add(intervention)
    db.session.flush()
    record(
        actor,
        AuditAction.CREATE,
        intervention,
        label=_intervention_label(intervention),
        changes={
            "type": details.type.name,
            "owner": details.owner.name,
            "lead": details.lead.full_name if details.lead else None,
            "due_date": details.due_date.isoformat(),
            "description": "(set)",
            "logged_by_partner": by_partner,
        },
    )
    record_override(actor, intervention, guard, _intervention_label(intervention))
    db.session.flush()
    if by_partner or not notify:
        return Handed(intervention)
    return Handed(intervention, emailed=True, told=notifications.tell_owner(intervention))


def update_intervention(
    actor: User,
    intervention: Intervention,
    *,
    status: InterventionStatus | None,
    text: str | None,
    version: int,
    guard: GuardOutcome = NO_FINDINGS,
    restricted: bool = False,
) -> Intervention:
    """Add an update to the log: text, a new status, or both. Not completed and cancelled need
    the reason in the text. The owning organisation's people may restrict the text to their
    organisation; the reason for not completing or cancelling is the whole panel's to read."""
    access.require(actor, Action.UPDATE_INTERVENTION, intervention)
    locking.check_version(intervention.version, version, _stale("intervention"))
    restricted = restricted and bool(text)
    if status == intervention.status:
        status = None
    if status is None and not text:
        raise InterventionRefused("Enter an update, or choose a new status.")
    if status is not None:
        lifecycle.check(intervention.status, status)
        if status in lifecycle.NEEDS_REASON and not text:
            raise InterventionRefused(
                f"Say why the intervention is {status.label.lower()} in the update."
            )
    if restricted:
        _check_may_restrict(actor, intervention, status)
    check_override(actor, intervention.panel, guard, InterventionRefused)
    with locking.saving(_stale("intervention")):
        changes: dict = {}
        if status is not None:
            fields: dict[str, object] = {"status": status}
            if status in lifecycle.NEEDS_REASON:
                fields["status_reason"] = text
            changes = _mask(apply_changes(intervention, fields))
        if text:
            changes["update"] = "(added, restricted)" if restricted else "(added)"
        intervention.updates.append(_update(actor, text, status, restricted=restricted))
        record(
            actor,
            AuditAction.UPDATE,
            intervention,
            label=_intervention_label(intervention),
            changes=changes,
        )
        record_override(actor, intervention, guard, _intervention_label(intervention))
    return intervention


def reassign_intervention(
    actor: User,
    intervention: Intervention,
    *,
    owner: Organisation,
    lead: User | None,
    due_date: date,
    version: int,
) -> Handed:
    """The chair or coordinator moves an intervention to another organisation or lead, or
    changes its due date; whoever it is handed to is told by e-mail."""
    access.require(actor, Action.MANAGE_LIVE_CASES, intervention)
    locking.check_version(intervention.version, version, _stale("intervention"))
    if intervention.status not in (InterventionStatus.AGREED, InterventionStatus.IN_PROGRESS):
        raise InterventionRefused(
            f"This intervention is {intervention.status.label.lower()}: only an open one can be "
            "reassigned."
        )
    if lead is not None and lead.organisation_id != owner.id:
        raise InterventionRefused(f"The lead must work for {owner.name}.")
    _check_owner_on_panel(intervention.panel, owner, REASSIGN_THEN)
    with locking.saving(_stale("intervention")):
        changes = apply_changes(
            intervention,
            {
                "owner_organisation_id": owner.id,
                "lead_id": lead.id if lead else None,
                "due_date": due_date,
            },
        )
        if not changes:
            return Handed(intervention, changed=False)
        handed_on = {"owner_organisation_id", "lead_id"} & set(changes)
        intervention.owner_organisation = owner
        intervention.lead = lead
        note = f"Reassigned to {owner.name}" + (f" ({lead.full_name})" if lead else "")
        intervention.updates.append(_update(actor, f"{note}, due {due_date:%d %B %Y}.", None))
        record(
            actor,
            AuditAction.UPDATE,
            intervention,
            label=_intervention_label(intervention),
            changes=changes,
        )
    if not handed_on:
        return Handed(intervention)
    return Handed(intervention, emailed=True, told=notifications.tell_owner(intervention))


def amend_intervention(
    actor: User,
    intervention: Intervention,
    *,
    type: InterventionType,  # noqa: A002 - the intervention's own word for it
    description: str,
    due_date: date,
    version: int,
    guard: GuardOutcome = NO_FINDINGS,
) -> bool:
    """The chair or coordinator corrects what was agreed (its type, what it is, when it is due),
    typically for one a partner logged. The log says it was amended, never the old text. Returns
    whether anything changed."""
    access.require(actor, Action.MANAGE_LIVE_CASES, intervention)
    locking.check_version(intervention.version, version, _stale("intervention"))
    if intervention.status not in (InterventionStatus.AGREED, InterventionStatus.IN_PROGRESS):
        raise InterventionRefused(
            f"This intervention is {intervention.status.label.lower()}: only an open one can be "
            "amended."
        )
    if type.panel_id != intervention.panel_id:
        raise InterventionRefused("Choose one of this panel’s intervention types.")
    check_override(actor, intervention.panel, guard, InterventionRefused)
    with locking.saving(_stale("intervention")):
        changes = apply_changes(
            intervention,
            {"type_id": type.id, "description": description, "due_date": due_date},
        )
        if not changes:
            return False
        intervention.type = type
        what = {"type_id": "type", "description": "what was agreed", "due_date": "due date"}
        amended = ", ".join(what[key] for key in what if key in changes)
        intervention.updates.append(_update(actor, f"Amended: {amended}.", None))
        record(
            actor,
            AuditAction.UPDATE,
            intervention,
            label=_intervention_label(intervention),
            changes=_mask(changes),
        )
        record_override(actor, intervention, guard, _intervention_label(intervention))
    return True


# --- Helpers -----------------------------------------------------------------------------------


def _update(
    actor: User, text: str | None, status: InterventionStatus | None, *, restricted: bool = False
) -> InterventionUpdate:
    return InterventionUpdate(
        author_id=actor.id,
        author_organisation_id=actor.organisation_id,
        text=text or None,
        status=status,
        restricted=restricted,
    )


def _check_owner_on_panel(panel: Panel, owner: Organisation, then: str) -> None:
    """An owner with nobody on the panel would leave the intervention orphaned: nobody could see
    or update it."""
    if not queries.sits_on_panel(panel, owner):
        raise OwnerNotOnPanel(not_on_panel(owner, then))


def _check_may_restrict(
    actor: User, intervention: Intervention, status: InterventionStatus | None
) -> None:
    owner = intervention.owner_organisation
    if actor.organisation_id != owner.id:
        raise InterventionRefused(
            f"Only {owner.name}’s people can keep an update within {owner.name}."
        )
    if status in lifecycle.NEEDS_REASON:
        raise InterventionRefused(
            f"The reason an intervention is {status.label.lower()} is read by the whole panel: "
            f"untick ‘Only {owner.name} can read this update’, or give a reason everyone may "
            "read and add a restricted update after it."
        )


def _check_type_and_lead(panel: Panel, details: InterventionDetails) -> None:
    if details.type.panel_id != panel.id:
        raise InterventionRefused("Choose one of this panel’s intervention types.")
    if details.lead is not None and details.lead.organisation_id != details.owner.id:
        raise InterventionRefused(f"The lead must work for {details.owner.name}.")


def _check_case_open(case: LiveCase) -> None:
    if case.status == LiveCaseStatus.CLOSED:
        raise InterventionRefused("This case is closed, so it can no longer be changed.")


def _stale(what: str) -> Callable[[], InterventionRefused]:
    return lambda: InterventionRefused(STALE.format(what=what))


def _audited(fields: dict) -> dict:
    return {
        key: ("(set)" if value else None) if key in CASE_TEXT_FIELDS else _plain(value)
        for key, value in fields.items()
    }


def _plain(value):
    return (
        value.value
        if hasattr(value, "value")
        else (value.isoformat() if isinstance(value, date) else value)
    )


def _mask(changes: dict[str, list]) -> dict[str, list]:
    return {
        key: ["(hidden)", "(changed)"] if key in CASE_TEXT_FIELDS else value
        for key, value in changes.items()
    }


def _labels(values) -> str:
    return ", ".join(value.label for value in values)


def _case_label(case: LiveCase) -> str:
    return case.audit_label


def _intervention_label(intervention: Intervention) -> str:
    """By number, type and live case; a place or community is typed in, so not by that."""
    case = intervention.live_case
    about = case.reference if case else "a place or community"
    return (
        f"Intervention {intervention.id} ({intervention.type.name}) for {about} of "
        f"{intervention.panel.name}"
    )[:200]

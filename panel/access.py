"""The one place that answers "may this user do this to that?".

Two layers, both here:

* `can(user, action, target)` is the policy: admin actions need the admin flag; panel actions need
  a role on the target's panel that `PANEL_PERMISSIONS` grants.
* Every view declares a route rule with `@access.rule(...)`. `enforce`, run before every request,
  looks the rule up and refuses a route that has none (deny by default). A rule may load the object
  named in the URL; the view then receives the checked object instead of its id.

Objects the user cannot see give 404, so an id in a URL never confirms that something exists.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, current_app, g, redirect, request, url_for
from flask_login import current_user
from werkzeug.exceptions import Forbidden

from panel.cases.agreement.services import agreement_accepted
from panel.cases.models import CaseReview
from panel.core.urls import come_back_to
from panel.extensions import db, login_manager
from panel.meetings.models import AgendaItem, InterestDeclaration, Meeting
from panel.panels.models import Membership, Panel, PanelKind, Role


class Action(enum.Enum):
    # System administration: the admin flag, not a panel role.
    MANAGE_ORGANISATIONS = "manage organisations"
    MANAGE_USERS = "manage users"
    MANAGE_PANELS = "manage panels and memberships"
    VIEW_AUDIT_TRAIL = "view the audit trail"
    MANAGE_OUTBOX = "see e-mail that could not be sent, and send it again"
    # Panel-scoped.
    VIEW_PANEL = "view the panel"
    VIEW_MEMBERS = "view the panel's members"
    READ_PUBLISHED_MINUTES = "read published minutes"
    VIEW_MEETINGS = "view meetings, agendas and attendance"
    MANAGE_MEETINGS = "schedule meetings, edit agendas and record attendance"
    DECLARE_INTEREST = "declare an interest in an agenda item"
    # For the person themselves: the chair or coordinator records them for others.
    SEND_APOLOGIES = "send or withdraw your apologies for a meeting, naming a deputy"
    VIEW_CASE_REVIEWS = "open case reviews"
    MANAGE_CASE_REVIEWS = "add and edit case reviews and record stage findings"
    # The second pair of eyes before circulation; the service adds "not its author".
    CHECK_CASE_REVIEW = "confirm a case review checked for identifying detail"
    SET_CONFIDENTIALITY_AGREEMENT = "set the panel's confidentiality agreement"
    VIEW_LESSONS = "read lessons learnt and recommendations"
    RECORD_LESSONS = "record lessons learnt and recommendations"
    # For the addressed organisation's members (and organisers, recording a reply received).
    RESPOND_TO_RECOMMENDATION = "respond to a recommendation and report its implementation"
    SIGN_OFF_RECOMMENDATION = "close or withdraw a recommendation"
    # Local panels' live cases and interventions.
    VIEW_LIVE_CASES = "see the panel's live cases"
    MANAGE_LIVE_CASES = "refer, change and close live cases, agree and reassign interventions"
    # A member logs what their own organisation agreed (the service refuses any other owner);
    # the chair and coordinator agree interventions for any organisation on the panel.
    LOG_INTERVENTION = "log an intervention your organisation agreed"
    # Every member sees every intervention of the panel (one picture per live case); only the
    # owning organisation's members and the organisers update one. Restricted update text stays
    # within the organisation that wrote it (`reads_update`).
    VIEW_INTERVENTION = "see an intervention and its log"
    UPDATE_INTERVENTION = "update an intervention's status and log"
    # Minutes: members read the full minutes (drafts and every version); organisers write
    # them; the chair approves and publishes. Readers get only what is published.
    VIEW_MINUTES = "read the full minutes, drafts and versions"
    EDIT_MINUTES = "draft minutes and start a new version"
    APPROVE_MINUTES = "approve, send back and publish minutes"
    # Key messages for the community and agencies: the organisers write them with the minutes
    # (approved and published with them); once published, everyone on the panel, readers
    # included, reads them and downloads their OFFICIAL PDF to share onward.
    WRITE_KEY_MESSAGES = "write a meeting's key messages"
    READ_KEY_MESSAGES = "read and download published key messages"
    # Save free text past the personal-data guard, with a reason that is audited; the chair and
    # coordinator see each one on their home page.
    OVERRIDE_GUARD = "save text the personal-data guard stopped"
    SEE_GUARD_OVERRIDES = "see what was saved past the personal-data guard"
    # The chair answers for who reads the panel's case material: they see who opened a case.
    SEE_WHO_OPENED_CASE = "see who has opened a case review or live case"
    # The panel's figures over time, small numbers suppressed: what the chair reports to a
    # board, prepared by the coordinator.
    VIEW_INSIGHT = "see the panel's insight: figures and trends, and download them"
    # The annual report to the board, for a financial year: the organisers produce it (both
    # versions at once, stored) and download the full one; everyone on the panel, readers
    # included, downloads the reader-safe one once it has been produced.
    PRODUCE_ANNUAL_REPORT = "produce the panel's annual report for a financial year"
    READ_ANNUAL_REPORT = "download the panel's full annual report"
    READ_READER_SAFE_ANNUAL_REPORT = "download the panel's reader-safe annual report"
    # The pool of finalised cases case reviews are drawn from. The coordinator keeps it (imports
    # extracts, adds and discards cases) and alone sees the agencies' references, which lead to
    # the files; the chair, who selects the cases (domain.md), draws as well; members see each
    # draw's record, as the community may, never a reference.
    MANAGE_POOL = "import, add and discard cases in the panel's pool of finalised cases"
    DRAW_CASES = "draw cases at random from the pool"
    VIEW_DRAWS = "see the draws: their themes, seeds and the cases drawn"
    SEE_AGENCY_REFERENCE = "see the agency's reference of a case in the pool"


ADMIN_ACTIONS = frozenset(
    {
        Action.MANAGE_ORGANISATIONS,
        Action.MANAGE_USERS,
        Action.MANAGE_PANELS,
        Action.VIEW_AUDIT_TRAIL,
        Action.MANAGE_OUTBOX,
    }
)

_ALL_ROLES = frozenset(Role)
_MEMBERS = frozenset({Role.CHAIR, Role.COORDINATOR, Role.MEMBER})
_ORGANISERS = frozenset({Role.CHAIR, Role.COORDINATOR})
_CHAIR = frozenset({Role.CHAIR})
_COORDINATOR = frozenset({Role.COORDINATOR})

# Which panel roles may take each panel-scoped action. Readers see published minutes only.
PANEL_PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.VIEW_PANEL: _ALL_ROLES,
    Action.VIEW_MEMBERS: _MEMBERS,
    Action.READ_PUBLISHED_MINUTES: _ALL_ROLES,
    Action.VIEW_MEETINGS: _MEMBERS,
    Action.MANAGE_MEETINGS: _ORGANISERS,
    Action.DECLARE_INTEREST: _MEMBERS,
    Action.SEND_APOLOGIES: _MEMBERS,
    Action.VIEW_CASE_REVIEWS: _MEMBERS,
    Action.MANAGE_CASE_REVIEWS: _ORGANISERS,
    Action.CHECK_CASE_REVIEW: _ORGANISERS,
    Action.SET_CONFIDENTIALITY_AGREEMENT: _CHAIR,
    Action.VIEW_LESSONS: _MEMBERS,
    Action.RECORD_LESSONS: _ORGANISERS,
    Action.RESPOND_TO_RECOMMENDATION: _MEMBERS,
    Action.SIGN_OFF_RECOMMENDATION: _CHAIR,
    Action.VIEW_LIVE_CASES: _MEMBERS,
    Action.MANAGE_LIVE_CASES: _ORGANISERS,
    Action.LOG_INTERVENTION: _MEMBERS,
    Action.VIEW_INTERVENTION: _MEMBERS,
    Action.UPDATE_INTERVENTION: _MEMBERS,
    Action.VIEW_MINUTES: _MEMBERS,
    Action.EDIT_MINUTES: _ORGANISERS,
    Action.APPROVE_MINUTES: _CHAIR,
    Action.WRITE_KEY_MESSAGES: _ORGANISERS,
    Action.READ_KEY_MESSAGES: _ALL_ROLES,
    Action.OVERRIDE_GUARD: _MEMBERS,
    Action.SEE_GUARD_OVERRIDES: _ORGANISERS,
    Action.SEE_WHO_OPENED_CASE: _CHAIR,
    Action.VIEW_INSIGHT: _ORGANISERS,
    Action.PRODUCE_ANNUAL_REPORT: _ORGANISERS,
    Action.READ_ANNUAL_REPORT: _ORGANISERS,
    Action.READ_READER_SAFE_ANNUAL_REPORT: _ALL_ROLES,
    Action.MANAGE_POOL: _COORDINATOR,
    Action.DRAW_CASES: _ORGANISERS,
    Action.VIEW_DRAWS: _MEMBERS,
    Action.SEE_AGENCY_REFERENCE: _COORDINATOR,
}

# Roles told of nothing their role does not grant. A reader (an advisory group's volunteer)
# reads the panel's page and its published minutes and nothing else: answering Forbidden for a
# case review, lesson, recommendation, live case or meeting of their panel, and Not Found for an
# id that does not exist, would let them count what the panel holds by trying ids.
KEPT_IN_THE_DARK = frozenset({Role.READER})

# Actions some roles are not even told exist: refusing them is Not Found, as for a missing
# page, rather than Forbidden. Derived, so that a new action is covered without a list to keep.
UNKNOWN_TO: dict[Action, frozenset[Role]] = {
    action: KEPT_IN_THE_DARK - roles
    for action, roles in PANEL_PERMISSIONS.items()
    if KEPT_IN_THE_DARK - roles
}


def kept_from(user, action: Action, target=None) -> bool:
    """Whether a refusal of `action` should be Not Found for the user: every role they hold (on
    the target's panel, or anywhere for a page across panels) is one `action` is unknown to."""
    unknown = UNKNOWN_TO.get(action, frozenset())
    if not unknown or not getattr(user, "is_authenticated", False):
        return False
    if target is not None:
        return role_on(user, panel_of(target)) in unknown
    roles = set(roles_of(user).values())
    return bool(roles) and roles <= unknown


def _addressed_to_them(user, role: Role, target) -> bool:
    """A recommendation is answered by the organisation it is addressed to; organisers may
    record an answer that came by letter."""
    addressed = getattr(target, "organisation_id", None)
    return role in _ORGANISERS or addressed is None or addressed == user.organisation_id


def _owned_by_their_organisation(user, role: Role, target) -> bool:
    """A partner updates only what their own organisation agreed to do; the chair and
    coordinator update every intervention of their panel."""
    return role in _ORGANISERS or target.owner_organisation_id == user.organisation_id


def _works_with_the_panel(user, role: Role, target) -> bool:
    """Every member of the panel sees every intervention, whoever owns it: coordinating around a
    victim is the point. Readers (published minutes only) never know one exists."""
    return role in _MEMBERS


# Objects that some people on their panel may not even know exist, by table:
# {table name: visible(user, role, target)}. Refusals about them are 404s.
VISIBLE_TO: dict[str, Callable[..., bool]] = {
    "intervention": _works_with_the_panel,
}


def _visible(user, role: Role, target) -> bool:
    check = VISIBLE_TO.get(getattr(target, "__tablename__", ""))
    return check is None or check(user, role, target)


def _local_panel(user, role: Role, target) -> bool:
    """Live cases and interventions belong to local hate crime panels only."""
    panel = panel_of(target)
    return panel is not None and panel.kind == PanelKind.LOCAL_HATE_CRIME_PANEL


def _theirs_on_a_local_panel(user, role: Role, target) -> bool:
    """Another organisation's intervention is read-only for a partner (they see it: 403)."""
    return _local_panel(user, role, target) and _owned_by_their_organisation(user, role, target)


# Actions that depend on the object as well as the role: {action: condition(user, role, target)}.
OBJECT_CONDITIONS: dict[Action, Callable[..., bool]] = {
    Action.RESPOND_TO_RECOMMENDATION: _addressed_to_them,
    Action.VIEW_LIVE_CASES: _local_panel,
    Action.MANAGE_LIVE_CASES: _local_panel,
    Action.LOG_INTERVENTION: _local_panel,
    Action.VIEW_INTERVENTION: _local_panel,
    Action.UPDATE_INTERVENTION: _theirs_on_a_local_panel,
}


def logs_for_own_organisation_only(user, panel: Panel) -> bool:
    """Whether the user records interventions on the panel only for their own organisation, as
    a partner logging what it agreed (a member), rather than agreeing them for any organisation
    on the panel (the chair and coordinator). The routes have checked the rest already."""
    role = role_on(user, panel)
    return (
        role in PANEL_PERMISSIONS[Action.LOG_INTERVENTION]
        and role not in PANEL_PERMISSIONS[Action.MANAGE_LIVE_CASES]
    )


def reads_update(user, update) -> bool:
    """Whether the user may read the text of an intervention's update. A restricted update's
    text stays within the organisation that wrote it (its author's, as on the day), as the
    owner asked: not even the chair and coordinator read it, and after a reassignment the new
    owner does not either. Everyone who sees the intervention sees that the update exists."""
    return not update.restricted or update.author_organisation_id == user.organisation_id


def panel_of(target) -> Panel | None:
    """The panel an object belongs to (a panel is its own)."""
    if target is None or isinstance(target, Panel):
        return target
    return getattr(target, "panel", None)


def role_on(user, panel: Panel | None) -> Role | None:
    """The user's role on `panel`, or None. Cached for the request: pages ask several times."""
    if panel is None or not getattr(user, "is_authenticated", False):
        return None
    return roles_of(user).get(panel.id)


def roles_of(user) -> dict[int, Role]:
    """{panel id: role} for every panel the user sits on, loaded once per request."""
    return _memberships(user)[0]


def panel_kinds_of(user) -> dict[int, PanelKind]:
    """{panel id: kind} for every panel the user sits on, loaded with their roles: the navigation
    asks on every page whether any is a local panel."""
    return _memberships(user)[1]


def _memberships(user) -> tuple[dict[int, Role], dict[int, PanelKind]]:
    cache = g.setdefault("_panel_roles", {})
    if user.id not in cache:
        rows = db.session.execute(
            db.select(Membership.panel_id, Membership.role, Panel.kind)
            .join(Panel, Panel.id == Membership.panel_id)
            .where(Membership.user_id == user.id)
        )
        roles: dict[int, Role] = {}
        kinds: dict[int, PanelKind] = {}
        for panel_id, role, kind in rows:
            roles[panel_id], kinds[panel_id] = role, kind
        cache[user.id] = (roles, kinds)
    return cache[user.id]


def who_sees_what_changed() -> None:
    """Forget what was loaded so far of who sits where and which cases are withheld from whom: a
    membership or a declaration of interest changed in this unit of work (a command, a test, or
    one service calling another), so the next check loads them again, as a new request would."""
    g.pop("_panel_roles", None)
    g.pop("_withheld_case_ids", None)


def can(user, action: Action, target=None) -> bool:
    """Whether `user` may take `action` on `target` (an object, or None for a whole area)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if action in ADMIN_ACTIONS:
        return user.is_admin
    role = role_on(user, panel_of(target))
    if role is None or role not in PANEL_PERMISSIONS[action]:
        return False
    if not _visible(user, role, target):
        return False
    condition = OBJECT_CONDITIONS.get(action)
    if condition is not None and not condition(user, role, target):
        return False
    return not conflicted(user, target)


class NotAllowed(Forbidden):
    """A service was asked to act for someone the policy does not allow. Routes check first, so
    this is a command, another service or a tampered request: nothing is changed, and a request
    that gets this far is answered 403."""


def require(actor, action: Action, target=None) -> None:
    """What every service asks before it changes anything: raise `NotAllowed` unless `actor` may
    take `action` on `target`. An `actor` of None is the system: a command run on the server by
    an operator (creating the first administrator, loading demo data), which has no panel role."""
    if actor is not None and not can(actor, action, target):
        raise NotAllowed(f"Not allowed to {action.value}.")


def panels_where(user, action: Action) -> list[int]:
    """Ids of the panels where the user's role allows `action` (before any object check)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    allowed = PANEL_PERMISSIONS[action]
    return sorted(panel_id for panel_id, role in roles_of(user).items() if role in allowed)


def can_see(user, target) -> bool:
    """Whether the user may know that `target` exists: they sit on its panel, and it is not a
    case they declared a conflict of interest in."""
    role = role_on(user, panel_of(target))
    return role is not None and _visible(user, role, target) and not conflicted(user, target)


def case_review_of(target) -> CaseReview | None:
    if isinstance(target, CaseReview):
        return target
    return getattr(target, "case_review", None)


def conflicted(user, target) -> bool:
    """Whether `target` is (or belongs to) a case review withheld from the user: every route
    rule asks this (through `can` and `can_see`), so case pages and lesson pages are Not Found."""
    case_review = case_review_of(target)
    return case_review is not None and case_visibility(user, case_review) is CaseVisibility.WITHHELD


# --- What a person may see of a case review ----------------------------------------------------


class CaseVisibility(enum.Enum):
    # The case and everything recorded about it, as their role allows.
    FULL = "full"
    # They know it exists (it is on an agenda they read), but not what is in it: they declared
    # an interest. Minutes show them a line saying so in its place.
    WITHHELD = "withheld"
    # Nothing of it beyond what is published to readers: not a member of its panel.
    NONE = "none"


def case_visibility(user, case_review: CaseReview) -> CaseVisibility:
    """What `user` may see of `case_review`: the one answer every page about a case, its lessons
    and the minutes gives. Pages that list or assemble many cases ask `withheld_case_ids` once
    instead, which is the same rule in bulk."""
    if not getattr(user, "is_authenticated", False):
        return CaseVisibility.NONE
    role = roles_of(user).get(case_review.panel_id)
    if role is None or role not in PANEL_PERMISSIONS[Action.VIEW_CASE_REVIEWS]:
        return CaseVisibility.NONE
    if case_review.id in withheld_case_ids(user):
        return CaseVisibility.WITHHELD
    return CaseVisibility.FULL


def withheld_case_ids(user) -> frozenset[int]:
    """Ids of the case reviews withheld from the user, because they declared a conflict of
    interest in them: their pages are Not Found, their lessons and recommendations left out of
    every list, and their sections of the minutes replaced by a line saying why. Once per
    request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cache = g.setdefault("_withheld_case_ids", {})
    if user.id not in cache:
        cache[user.id] = frozenset(
            db.session.scalars(
                db.select(AgendaItem.case_review_id)
                .join(InterestDeclaration, InterestDeclaration.agenda_item_id == AgendaItem.id)
                .where(
                    InterestDeclaration.user_id == user.id,
                    AgendaItem.case_review_id.is_not(None),
                )
            )
        )
    return cache[user.id]


# --- Route rules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """What a route requires. `load` turns the URL's `id_arg` into the object the view receives
    as `param`; `action` is then checked against it with `can`."""

    signed_in: bool = True
    action: Action | None = None
    id_arg: str | None = None
    param: str | None = None
    load: Callable[[int], object] | None = None
    # Case material: the user must have accepted the panel's confidentiality agreement.
    needs_agreement: bool = False
    # A page across panels: `action` must be allowed on at least one of the user's panels, and
    # the view shows only those (`panels_where`).
    any_panel: bool = False


PUBLIC = Rule(signed_in=False)
SIGNED_IN = Rule()
# Endpoints Flask itself registers, which cannot carry a rule attribute.
PUBLIC_ENDPOINTS = frozenset({"static"})


def admin(action: Action) -> Rule:
    return Rule(action=action)


def on_any_panel(action: Action) -> Rule:
    """A page across every panel where the user may take `action`, e.g. the lessons register."""
    return Rule(action=action, any_panel=True)


def on_panel(action: Action, *, case_material: bool = False) -> Rule:
    """A panel-scoped route: ``/panels/<int:panel_id>/...``; the view receives ``panel``. With
    `case_material`, a page of the panel's case material (`on_case_material`)."""
    return (on_case_material if case_material else on_object)(action, Panel)


def on_meeting(action: Action, *, case_material: bool = False) -> Rule:
    """A meeting-scoped route: ``/meetings/<int:meeting_id>/...``; the view receives ``meeting``.
    With `case_material`, as `on_panel`. (Here, so that the pages of other packages about a meeting
    need not import its model.)"""
    return (on_case_material if case_material else on_object)(action, Meeting)


def on_object(action: Action, model, id_arg: str | None = None, param: str | None = None) -> Rule:
    """A route about one object named in the URL, e.g. `on_object(Action.X, Meeting)`."""
    name = model.__tablename__
    return on_loaded(
        action,
        lambda object_id: db.session.get(model, object_id),
        param=param or name,
        id_arg=id_arg,
    )


def on_loaded(
    action: Action, load: Callable[[int], object], *, param: str, id_arg: str | None = None
) -> Rule:
    """A route about one object of another domain, which `load` (a function of that domain's
    queries) finds by the URL's ``<param>_id``, so that a page never imports another domain's
    tables: e.g. `on_loaded(Action.MANAGE_USERS, accounts.user_by_id, param="user")`."""
    return Rule(action=action, id_arg=id_arg or f"{param}_id", param=param, load=load)


def own(load: Callable[[int], object], *, param: str) -> Rule:
    """A route about something of the signed-in person's own (a passkey), which `load` finds
    among theirs only, by the URL's ``<param>_id``: anyone else's is Not Found, as a missing one
    is."""
    return Rule(id_arg=f"{param}_id", param=param, load=load)


def on_case_material(action: Action, model=CaseReview, **kwargs) -> Rule:
    """A route that shows case material: as `on_object`, and only after the user has accepted
    the panel's confidentiality agreement."""
    return dataclasses.replace(on_object(action, model, **kwargs), needs_agreement=True)


def rule(route_rule: Rule):
    """Declare what a view requires. Put it under the route decorator."""

    def decorate(view):
        if route_rule.param is None:
            view.access_rule = route_rule
            return view

        @functools.wraps(view)
        def with_target(*args, **kwargs):
            kwargs.pop(route_rule.id_arg)
            kwargs[route_rule.param] = g.access_target
            return view(*args, **kwargs)

        with_target.access_rule = route_rule
        return with_target

    return decorate


def rule_for(endpoint: str) -> Rule | None:
    if endpoint in PUBLIC_ENDPOINTS:
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def enforce():
    """Run before every request: apply the route's rule, refusing routes that have none."""
    if request.endpoint is None:  # no route matched: Flask answers 404 or 405 itself
        return None
    route_rule = rule_for(request.endpoint)
    if route_rule is None:
        current_app.logger.error("Refused %s: the route has no access rule", request.endpoint)
        abort(403)
    if not route_rule.signed_in:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()

    target = None
    if route_rule.load is not None:
        target = route_rule.load(request.view_args[route_rule.id_arg])
        if target is None:
            abort(404)
        g.access_target = target
    if route_rule.any_panel:
        if not panels_where(current_user, route_rule.action):
            abort(404 if kept_from(current_user, route_rule.action) else 403)
    elif route_rule.action is not None and not can(current_user, route_rule.action, target):
        # Refused: say so only to someone who may know the object exists (and the action).
        known = target is None or can_see(current_user, target)
        abort(403 if known and not kept_from(current_user, route_rule.action, target) else 404)
    if route_rule.needs_agreement and not agreement_accepted(current_user, panel_of(target)):
        return redirect(
            url_for("agreement.agreement_page", panel_id=panel_of(target).id, next=come_back_to())
        )
    return None

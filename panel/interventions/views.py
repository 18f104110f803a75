"""The `interventions` blueprint: agreeing interventions (or, for a member, logging what their
own organisation agreed), their pages and update log, a partner's "my organisation's
interventions", and a panel's list with its CSV export.

Every member of the panel sees every intervention; a partner updates only what their own
organisation owns, and reads another organisation's read-only (see `panel.access`). Saves carry
the version the page was drawn from, so two partners saving at once never overwrite each other:
the second is shown what changed, with their text kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import access
from panel.access import Action
from panel.core import pagination
from panel.core.csv_export import csv_response
from panel.core.time import uk_today
from panel.core.urls import safe_next
from panel.interventions import export, queries, services
from panel.interventions.forms import (
    AmendForm,
    FilterForm,
    InlineUpdateForm,
    InterventionForm,
    ReassignForm,
    UpdateForm,
)
from panel.interventions.lifecycle import InterventionRefused
from panel.interventions.models import Intervention, LiveCase
from panel.interventions.services import OwnerNotOnPanel
from panel.interventions.vocabularies import OPEN_INTERVENTION, LiveCaseStatus

if TYPE_CHECKING:
    from panel.accounts.models import Organisation
    from panel.panels.models import Panel

bp = Blueprint("interventions", __name__)


def readable_update_text(update) -> str | None:
    """An update's text as the signed-in person may read it (restricted ones are replaced)."""
    return queries.update_text(update, current_user)


def _allow_override(target) -> bool:
    return access.can(current_user, Action.OVERRIDE_GUARD, target)


def _to_intervention(intervention: Intervention):
    return redirect(url_for("interventions.show", intervention_id=intervention.id))


def _loaded(intervention: Intervention) -> Intervention:
    """The intervention with its log, type, case and panel loaded before a save changes it.
    Loading any of them afterwards would flush the change early, outside the service's check
    for a save that someone else's overtook (a 500 instead of the message). A page that only
    shows a form reads less (`queries.intervention_page`)."""
    if request.method == "POST":
        return queries.for_saving(intervention)
    return queries.intervention_page(intervention)


# --- Agreeing ----------------------------------------------------------------------------------


def _own_organisation_only(panel: Panel) -> Organisation | None:
    """The organisation a member logs interventions for: their own (the chair and coordinator
    agree one for any organisation on the panel, and get None)."""
    if access.logs_for_own_organisation_only(current_user, panel):
        return current_user.organisation
    return None


def _agree(panel: Panel, back: str, live_case: LiveCase | None = None):
    own = _own_organisation_only(panel)
    form = InterventionForm.for_panel(
        panel, own=own, for_place=live_case is None, allow_override=_allow_override(panel)
    )
    if form.validate_on_submit():
        try:
            handed = services.agree_intervention(
                current_user,
                panel,
                form.details(),
                live_case=live_case,
                place_or_community=form.place(),
                meeting=form.meeting(),
                guard=form.guard_outcome,
            )
        except OwnerNotOnPanel as refused:
            form.refuse_owner(refused)
        except InterventionRefused as refused:
            form.refuse(form.description, refused)
        else:
            flash(*services.agreed_message(handed))
            return _to_intervention(handed.intervention)
    return render_template(
        "interventions/form.html",
        form=form,
        panel=panel,
        live_case=live_case,
        back=back,
        title="Log an intervention" if own else "Agree an intervention",
    )


@bp.route("/live-cases/<int:live_case_id>/interventions/new", methods=["GET", "POST"])
@access.rule(access.on_case_material(Action.LOG_INTERVENTION, LiveCase))
def new_for_case(live_case: LiveCase):
    back = url_for("live_cases.show", live_case_id=live_case.id)
    if live_case.status == LiveCaseStatus.CLOSED:
        flash("This case is closed, so no more interventions can be agreed for it.", "error")
        return redirect(back)
    return _agree(live_case.panel, back, live_case=live_case)


@bp.route("/panels/<int:panel_id>/interventions/new", methods=["GET", "POST"])
@access.rule(access.on_panel(Action.LOG_INTERVENTION, case_material=True))
def new_for_place(panel: Panel):
    return _agree(panel, url_for("interventions.panel_interventions", panel_id=panel.id))


# --- One intervention --------------------------------------------------------------------------


def _page(intervention: Intervention, form: UpdateForm | None):
    may_update = access.can(current_user, Action.UPDATE_INTERVENTION, intervention)
    return render_template(
        "interventions/show.html",
        intervention=queries.intervention_page(intervention),
        updates=queries.updates_page(intervention),
        form=form if may_update else None,
        may_reassign=intervention.status in OPEN_INTERVENTION
        and access.can(current_user, Action.MANAGE_LIVE_CASES, intervention),
        title=f"Intervention {intervention.id} – {intervention.panel.name}",
    )


def _update_form(intervention: Intervention, **kwargs) -> UpdateForm:
    """The one-step update. The owning organisation's people may keep an update within it: the
    choice is offered to them only."""
    own = current_user.organisation_id == intervention.owner_organisation_id
    return UpdateForm(
        current=intervention.status,
        restrict_for=intervention.owner_organisation if own else None,
        allow_override=_allow_override(intervention),
        **kwargs,
    )


@bp.get("/interventions/<int:intervention_id>")
@access.rule(access.on_case_material(Action.VIEW_INTERVENTION, Intervention))
def show(intervention: Intervention):
    return _page(intervention, _update_form(intervention, data=UpdateForm.data_of(intervention)))


@bp.post("/interventions/<int:intervention_id>/update")
@access.rule(access.on_case_material(Action.UPDATE_INTERVENTION, Intervention))
def update(intervention: Intervention):
    intervention = _loaded(intervention)
    form = _update_form(intervention)
    if form.validate_on_submit():
        try:
            services.update_intervention(current_user, intervention, **form.update())
        except InterventionRefused as refused:
            # Keep what they typed, and offer the moves from the status as it is now.
            form.refuse(form.text, refused, saved=intervention)
            form.offer(intervention.status)
        else:
            flash("Update saved.", "success")
            if form.next.data:
                return redirect(safe_next(form.next.data))
            return _to_intervention(intervention)
    return _page(intervention, form)


def _not_open(intervention: Intervention, done: str):
    """Completed, not completed and cancelled interventions are a record: say why nothing
    changes, on the intervention's page."""
    flash(
        f"This intervention is {intervention.status.label.lower()}: only an open one can be "
        f"{done}.",
        "error",
    )
    return _to_intervention(intervention)


@bp.route("/interventions/<int:intervention_id>/reassign", methods=["GET", "POST"])
@access.rule(access.on_case_material(Action.MANAGE_LIVE_CASES, Intervention))
def reassign(intervention: Intervention):
    if intervention.status not in OPEN_INTERVENTION:
        return _not_open(intervention, "reassigned")
    intervention = _loaded(intervention)
    form = ReassignForm.for_intervention(intervention)
    if form.validate_on_submit():
        try:
            handed = services.reassign_intervention(
                current_user, intervention, **form.reassignment()
            )
        except InterventionRefused as refused:
            form.refuse_owner(refused, saved=intervention)
        else:
            flash(*services.reassigned_message(handed))
            return _to_intervention(intervention)
    return render_template(
        "interventions/reassign.html",
        form=form,
        intervention=intervention,
        title=f"Reassign intervention {intervention.id}",
    )


@bp.route("/interventions/<int:intervention_id>/amend", methods=["GET", "POST"])
@access.rule(access.on_case_material(Action.MANAGE_LIVE_CASES, Intervention))
def amend(intervention: Intervention):
    if intervention.status not in OPEN_INTERVENTION:
        return _not_open(intervention, "amended")
    intervention = _loaded(intervention)
    form = AmendForm.for_intervention(intervention, allow_override=_allow_override(intervention))
    if form.validate_on_submit():
        try:
            changed = services.amend_intervention(current_user, intervention, **form.amendment())
        except InterventionRefused as refused:
            form.refuse(form.description, refused, saved=intervention)
        else:
            flash("Intervention amended." if changed else "Nothing was changed.", "success")
            return _to_intervention(intervention)
    return render_template(
        "interventions/amend.html",
        form=form,
        intervention=intervention,
        title=f"Amend intervention {intervention.id}",
    )


# --- A partner's list --------------------------------------------------------------------------


@bp.get("/interventions")
@access.rule(access.on_any_panel(Action.VIEW_INTERVENTION))
def mine():
    page = pagination.page_number()
    groups = queries.organisation_interventions(current_user, uk_today(), page)
    # The inline update comes back to this page of the list.
    back_here = url_for("interventions.mine", **({"page": page} if page > 1 else {}))
    return render_template(
        "interventions/mine.html",
        groups=groups,
        forms=InlineUpdateForm.for_rows(groups.all, back_here),
        title="Your organisation’s interventions",
    )


# --- A panel's list ----------------------------------------------------------------------------


def _filter_form(panel: Panel) -> FilterForm:
    form = FilterForm(
        request.args,
        organisations=queries.listed_owners(panel),
        types=services.intervention_types(panel, include_retired=True),
    )
    form.validate()
    return form


@bp.get("/panels/<int:panel_id>/interventions")
@access.rule(access.on_panel(Action.VIEW_LIVE_CASES, case_material=True))
def panel_interventions(panel: Panel):
    form = _filter_form(panel)
    return render_template(
        "interventions/list.html",
        panel=panel,
        form=form,
        page=queries.panel_interventions(panel, form.filters()),
        csv_url=url_for(
            "interventions.panel_interventions_csv",
            panel_id=panel.id,
            **pagination.query_args(),
        ),
        may_manage=access.can(current_user, Action.MANAGE_LIVE_CASES, panel),
        may_log=access.can(current_user, Action.LOG_INTERVENTION, panel),
        title=f"Interventions – {panel.name}",
    )


@bp.get("/panels/<int:panel_id>/interventions.csv")
@access.rule(access.on_panel(Action.VIEW_LIVE_CASES, case_material=True))
def panel_interventions_csv(panel: Panel):
    filters = _filter_form(panel).filters()
    narrative = queries.exports_case_text(current_user, panel)
    export.record_export(current_user, panel, request.args.to_dict(), narrative)
    return csv_response(
        f"interventions-panel-{panel.id}-{filters.today.isoformat()}.csv",
        export.header(narrative),
        export.rows(
            queries.panel_interventions_all(panel, filters),
            filters.today,
            narrative,
            reader=current_user,
        ),
    )


# What templates may use from this package, wired in by the app factory (`panel.app`).
TEMPLATE_GLOBALS = {
    "intervention_overdue": queries.intervention_overdue,
    "readable_update_text": readable_update_text,
}

"""The `interventions` blueprint: agreeing interventions, their pages and update log, a partner's
"my organisation's interventions", and a panel's list with its CSV export.

A partner sees and updates only what their own organisation owns; everything else of theirs is
a 404 (see `panel.access`). Saves carry the version the page was drawn from, so two partners
saving at once never overwrite each other: the second is shown what changed, with their text kept.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import access, pagination
from panel.access import Action
from panel.accounts.views import safe_next
from panel.csv_export import csv_response
from panel.extensions import db
from panel.interventions import export, notifications, queries, services
from panel.interventions.forms import (
    FilterForm,
    InlineUpdateForm,
    InterventionForm,
    ReassignForm,
    UpdateForm,
)
from panel.interventions.lifecycle import InterventionRefused
from panel.interventions.models import Intervention, PanelCase
from panel.interventions.vocabularies import OPEN_INTERVENTION, PanelCaseStatus
from panel.navigation import uk_today
from panel.panels.models import Panel

bp = Blueprint("interventions", __name__)

bp.add_app_template_global(queries.intervention_overdue, "intervention_overdue")


def _allow_override(target) -> bool:
    return access.can(current_user, Action.OVERRIDE_GUARD, target)


def _to_intervention(intervention: Intervention):
    return redirect(url_for("interventions.show", intervention_id=intervention.id))


def _loaded(intervention: Intervention) -> Intervention:
    """The intervention with its log, type, case and panel loaded before a save changes it.
    Loading any of them afterwards would flush the change early, outside the service's check
    for a save that someone else's overtook (a 500 instead of the message)."""
    return queries.intervention_page(intervention)


def _version(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _told(done: str, intervention, notified: int | None) -> None:
    """Say what was saved and whom the e-mail reached, or that it did not go."""
    owner = intervention.owner_organisation.name
    if notified is None:
        flash(
            f"{done} The e-mail to {owner} could not be sent: let them know another way.",
            "error",
        )
    elif notified == 0:
        flash(f"{done} Nobody from {owner} sits on this panel to be e-mailed.", "success")
    else:
        people = "person" if notified == 1 else "people"
        flash(f"{done} {notified} {people} at {owner} e-mailed.", "success")


# --- Agreeing ----------------------------------------------------------------------------------


def _agree(panel: Panel, back: str, panel_case: PanelCase | None = None):
    form = InterventionForm(
        types=services.intervention_types(panel),
        organisations=queries.owning_organisations(),
        leads=queries.possible_leads(panel),
        meetings=queries.agreeing_meetings(panel),
        for_place=panel_case is None,
        allow_override=_allow_override(panel),
    )
    if form.validate_on_submit():
        try:
            intervention = services.agree_intervention(
                current_user,
                panel,
                form.details(),
                panel_case=panel_case,
                place_or_community=form.place(),
                meeting=form.meeting(),
                guard=form.guard_outcome,
            )
        except InterventionRefused as refused:
            form.description.errors = [*form.description.errors, str(refused)]
        else:
            _told("Intervention agreed.", intervention, notifications.tell_owner(intervention))
            return _to_intervention(intervention)
    return render_template(
        "interventions/form.html",
        form=form,
        panel=panel,
        panel_case=panel_case,
        back=back,
        title="Agree an intervention",
    )


@bp.route("/live-cases/<int:panel_case_id>/interventions/new", methods=["GET", "POST"])
@access.rule(access.on_case_material(Action.MANAGE_PANEL_CASES, PanelCase))
def new_for_case(panel_case: PanelCase):
    back = url_for("panel_cases.show", panel_case_id=panel_case.id)
    if panel_case.status == PanelCaseStatus.CLOSED:
        flash("This case is closed, so no more interventions can be agreed for it.", "error")
        return redirect(back)
    return _agree(panel_case.panel, back, panel_case=panel_case)


@bp.route("/panels/<int:panel_id>/interventions/new", methods=["GET", "POST"])
@access.rule(access.on_case_material(Action.MANAGE_PANEL_CASES, Panel))
def new_for_place(panel: Panel):
    return _agree(panel, url_for("interventions.panel_interventions", panel_id=panel.id))


# --- One intervention --------------------------------------------------------------------------


def _page(intervention: Intervention, form: UpdateForm | None):
    may_update = access.can(current_user, Action.UPDATE_INTERVENTION, intervention)
    return render_template(
        "interventions/show.html",
        intervention=queries.intervention_page(intervention),
        form=form if may_update else None,
        may_reassign=intervention.status in OPEN_INTERVENTION
        and access.can(current_user, Action.MANAGE_PANEL_CASES, intervention),
        title=f"Intervention {intervention.id} – {intervention.panel.name}",
    )


@bp.get("/interventions/<int:intervention_id>")
@access.rule(access.on_case_material(Action.VIEW_INTERVENTION, Intervention))
def show(intervention: Intervention):
    form = UpdateForm(
        data=UpdateForm.data_of(intervention),
        current=intervention.status,
        allow_override=_allow_override(intervention),
    )
    return _page(intervention, form)


@bp.post("/interventions/<int:intervention_id>/update")
@access.rule(access.on_case_material(Action.UPDATE_INTERVENTION, Intervention))
def update(intervention: Intervention):
    intervention = _loaded(intervention)
    form = UpdateForm(current=intervention.status, allow_override=_allow_override(intervention))
    if form.validate_on_submit():
        try:
            services.update_intervention(
                current_user,
                intervention,
                status=form.target(),
                text=form.text.data,
                version=_version(form.version.data),
                guard=form.guard_outcome,
            )
        except InterventionRefused as refused:
            # Show the intervention as it is now, keep what they typed, and let them save again
            # on top of what they can now see.
            form.text.errors = [*form.text.errors, str(refused)]
            db.session.refresh(intervention)
            form.version.data = intervention.version
            form.offer(intervention.status)
        else:
            flash("Update saved.", "success")
            if form.next.data:
                return redirect(safe_next(form.next.data))
            return _to_intervention(intervention)
    return _page(intervention, form)


@bp.route("/interventions/<int:intervention_id>/reassign", methods=["GET", "POST"])
@access.rule(access.on_case_material(Action.MANAGE_PANEL_CASES, Intervention))
def reassign(intervention: Intervention):
    if intervention.status not in OPEN_INTERVENTION:
        flash(
            f"This intervention is {intervention.status.label.lower()}: only an open one can be "
            "reassigned.",
            "error",
        )
        return _to_intervention(intervention)
    intervention = _loaded(intervention)
    form = ReassignForm(
        data=ReassignForm.data_of(intervention) if request.method == "GET" else None,
        organisations=queries.owning_organisations(),
        leads=queries.possible_leads(intervention.panel),
        intervention=intervention,
    )
    if form.validate_on_submit():
        version = intervention.version
        handed_to = (intervention.owner_organisation_id, intervention.lead_id)
        try:
            services.reassign_intervention(
                current_user,
                intervention,
                owner=form.owner(),
                lead=form.lead(),
                due_date=form.due_date.data,
                version=_version(form.version.data),
            )
        except InterventionRefused as refused:
            form.owner_organisation_id.errors = [*form.owner_organisation_id.errors, str(refused)]
            db.session.refresh(intervention)
            form.version.data = intervention.version
        else:
            if intervention.version == version:
                flash("Nothing was changed.", "success")
            elif (intervention.owner_organisation_id, intervention.lead_id) != handed_to:
                _told(
                    "Intervention reassigned.", intervention, notifications.tell_owner(intervention)
                )
            else:
                flash("Intervention reassigned.", "success")
            return _to_intervention(intervention)
    return render_template(
        "interventions/reassign.html",
        form=form,
        intervention=intervention,
        title=f"Reassign intervention {intervention.id}",
    )


# --- A partner's list --------------------------------------------------------------------------


@bp.get("/interventions")
@access.rule(access.on_any_panel(Action.VIEW_INTERVENTION))
def mine():
    groups = queries.my_interventions(current_user, uk_today())
    back_here = url_for("interventions.mine")
    forms = {
        intervention.id: InlineUpdateForm(
            formdata=None,
            data=UpdateForm.data_of(intervention, back_here),
            current=intervention.status,
        )
        for intervention in groups.all
    }
    return render_template(
        "interventions/mine.html",
        groups=groups,
        forms=forms,
        title="Your organisation’s interventions",
    )


# --- A panel's list ----------------------------------------------------------------------------


def _filter_form(panel: Panel) -> FilterForm:
    sees_all = queries.sees_every_intervention(current_user, panel)
    form = FilterForm(
        request.args,
        organisations=queries.owning_organisations() if sees_all else None,
        types=services.intervention_types(panel, include_retired=True),
    )
    form.validate()
    return form


@bp.get("/panels/<int:panel_id>/interventions")
@access.rule(access.on_case_material(Action.VIEW_PANEL_CASES, Panel))
def panel_interventions(panel: Panel):
    form = _filter_form(panel)
    return render_template(
        "interventions/list.html",
        panel=panel,
        form=form,
        page=queries.panel_interventions(panel, current_user, form.filters()),
        csv_url=url_for(
            "interventions.panel_interventions_csv",
            panel_id=panel.id,
            **pagination.query_args(),
        ),
        may_manage=access.can(current_user, Action.MANAGE_PANEL_CASES, panel),
        title=f"Interventions – {panel.name}",
    )


@bp.get("/panels/<int:panel_id>/interventions.csv")
@access.rule(access.on_case_material(Action.VIEW_PANEL_CASES, Panel))
def panel_interventions_csv(panel: Panel):
    filters = _filter_form(panel).filters()
    narrative = queries.sees_every_intervention(current_user, panel)
    export.record_export(current_user, panel, request.args.to_dict(), narrative)
    return csv_response(
        f"interventions-panel-{panel.id}-{filters.today.isoformat()}.csv",
        export.header(narrative),
        export.rows(
            queries.panel_interventions_all(panel, current_user, filters),
            filters.today,
            narrative,
        ),
    )

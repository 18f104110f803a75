"""The `panel_cases` blueprint: a local panel's live cases (referred, reviewed, closed with an
outcome) and its list of intervention types."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import access
from panel.access import Action
from panel.cases import viewing
from panel.core.pagination import page_number
from panel.extensions import db
from panel.interventions import queries, services
from panel.interventions.lifecycle import InterventionRefused
from panel.interventions.live_cases.forms import ClosureForm, InterventionTypeForm, PanelCaseForm
from panel.interventions.models import InterventionType, PanelCase
from panel.interventions.vocabularies import PanelCaseStatus
from panel.panels.models import Panel

bp = Blueprint("live_cases", __name__)


CLOSED = "This case is closed, so it can no longer be changed."


def _to_case(panel_case: PanelCase, anchor: str | None = None):
    return redirect(url_for("live_cases.show", panel_case_id=panel_case.id, _anchor=anchor))


def _closed(panel_case: PanelCase):
    flash(CLOSED, "error")
    return _to_case(panel_case)


def _allow_override(panel: Panel) -> bool:
    return access.can(current_user, Action.OVERRIDE_GUARD, panel)


def _version(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


# --- Live cases --------------------------------------------------------------------------------


@bp.get("/panels/<int:panel_id>/live-cases")
@access.rule(access.on_case_material(Action.VIEW_PANEL_CASES, Panel))
def index(panel):
    status = next((s for s in PanelCaseStatus if s.value == request.args.get("status")), None)
    return render_template(
        "panel_cases/index.html",
        panel=panel,
        live_cases=queries.live_cases_of(panel, status),
        status=status,
        title=f"Live cases – {panel.name}",
    )


@bp.route("/panels/<int:panel_id>/live-cases/new", methods=["GET", "POST"])
@access.rule(access.on_case_material(Action.MANAGE_PANEL_CASES, Panel))
def new(panel):
    form = PanelCaseForm(
        organisations=queries.referring_organisations(),
        changing=False,
        allow_override=_allow_override(panel),
    )
    if form.validate_on_submit():
        panel_case = services.refer_case(current_user, panel, form.details(), form.guard_outcome)
        flash(f"Case {panel_case.reference} referred.", "success")
        return _to_case(panel_case)
    return render_template(
        "panel_cases/form.html", panel=panel, form=form, title=f"Refer a case – {panel.name}"
    )


def _case_views(panel_case: PanelCase) -> viewing.CaseViewers | None:
    """Who has opened the case, for the chair of its panel only."""
    if not access.can(current_user, Action.SEE_WHO_OPENED_CASE, panel_case):
        return None
    return viewing.case_viewers(panel_case, page_number(viewing.VIEWERS_PAGE_ARG))


@bp.get("/live-cases/<int:panel_case_id>")
@access.rule(access.on_case_material(Action.VIEW_PANEL_CASES, PanelCase))
def show(panel_case):
    services.record_view(current_user, panel_case)
    return render_template(
        "panel_cases/show.html",
        page=queries.live_case_page(panel_case),
        panel_case=panel_case,
        case_views=_case_views(panel_case),
        title=f"Case {panel_case.reference} – {panel_case.panel.name}",
    )


@bp.route("/live-cases/<int:panel_case_id>/edit", methods=["GET", "POST"])
@access.rule(access.on_case_material(Action.MANAGE_PANEL_CASES, PanelCase))
def edit(panel_case):
    if panel_case.status == PanelCaseStatus.CLOSED:
        return _closed(panel_case)
    form = PanelCaseForm(
        data=PanelCaseForm.data_of(panel_case),
        organisations=queries.referring_organisations(),
        changing=True,
        allow_override=_allow_override(panel_case.panel),
    )
    if form.validate_on_submit():
        try:
            services.update_case(
                current_user,
                panel_case,
                form.details(),
                _version(form.version.data),
                form.guard_outcome,
            )
        except InterventionRefused as refused:
            # Keep what they typed beside the message, drawn now from the case as it is.
            form.risk_reason.errors = [*form.risk_reason.errors, str(refused)]
            db.session.refresh(panel_case)
            form.version.data = panel_case.version
        else:
            flash(f"Case {panel_case.reference} saved.", "success")
            return _to_case(panel_case)
    return render_template(
        "panel_cases/form.html",
        panel=panel_case.panel,
        panel_case=panel_case,
        form=form,
        title=f"Change case {panel_case.reference}",
    )


@bp.route("/live-cases/<int:panel_case_id>/close", methods=["GET", "POST"])
@access.rule(access.on_case_material(Action.MANAGE_PANEL_CASES, PanelCase))
def close(panel_case):
    if panel_case.status == PanelCaseStatus.CLOSED:
        return _closed(panel_case)
    form = ClosureForm(data={"version": panel_case.version})
    if form.validate_on_submit():
        try:
            services.close_case(
                current_user, panel_case, form.closure(), _version(form.version.data)
            )
        except InterventionRefused as refused:
            form.reason.errors = [*form.reason.errors, str(refused)]
            db.session.refresh(panel_case)
            form.version.data = panel_case.version
        else:
            flash(f"Case {panel_case.reference} closed.", "success")
            return _to_case(panel_case)
    return render_template(
        "panel_cases/close.html",
        panel_case=panel_case,
        form=form,
        title=f"Close case {panel_case.reference}",
    )


# --- Intervention types ------------------------------------------------------------------------


@bp.route("/panels/<int:panel_id>/intervention-types", methods=["GET", "POST"])
@access.rule(access.on_panel(Action.MANAGE_PANEL_CASES))
def intervention_types(panel):
    form = InterventionTypeForm()
    if form.validate_on_submit():
        try:
            added = services.add_intervention_type(current_user, panel, form.name.data)
        except InterventionRefused as refused:
            form.name.errors = [*form.name.errors, str(refused)]
        else:
            flash(f"Intervention type ‘{added.name}’ added.", "success")
            return redirect(url_for("live_cases.intervention_types", panel_id=panel.id))
    return render_template(
        "panel_cases/intervention_types.html",
        panel=panel,
        form=form,
        intervention_types=services.intervention_types(panel, include_retired=True),
        title=f"Intervention types – {panel.name}",
    )


def _set_active(intervention_type: InterventionType, active: bool, done: str):
    services.set_intervention_type_active(current_user, intervention_type, active)
    flash(f"Intervention type ‘{intervention_type.name}’ {done}.", "success")
    return redirect(url_for("live_cases.intervention_types", panel_id=intervention_type.panel_id))


@bp.post("/intervention-types/<int:intervention_type_id>/retire")
@access.rule(access.on_object(Action.MANAGE_PANEL_CASES, InterventionType))
def retire_intervention_type(intervention_type):
    return _set_active(intervention_type, False, "retired: it is no longer offered")


@bp.post("/intervention-types/<int:intervention_type_id>/restore")
@access.rule(access.on_object(Action.MANAGE_PANEL_CASES, InterventionType))
def restore_intervention_type(intervention_type):
    return _set_active(intervention_type, True, "restored")


# What templates may use from this package, wired in by the app factory (`panel.app`).
TEMPLATE_GLOBALS = {
    "PanelCaseStatus": PanelCaseStatus,
    "review_overdue": queries.review_overdue,
    "review_due_today": queries.review_due_today,
    "intervention_overdue": queries.intervention_overdue,
}

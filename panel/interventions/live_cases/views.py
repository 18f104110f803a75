"""The `live_cases` blueprint: a local panel's live cases (referred, reviewed, closed with an
outcome) and its list of intervention types."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import access
from panel.access import Action
from panel.cases import queries as case_queries
from panel.core.locking import seen_version
from panel.core.pagination import page_number
from panel.interventions import queries, services
from panel.interventions.lifecycle import InterventionRefused
from panel.interventions.live_cases.forms import ClosureForm, InterventionTypeForm, LiveCaseForm
from panel.interventions.models import InterventionType, LiveCase
from panel.interventions.vocabularies import LiveCaseStatus

if TYPE_CHECKING:
    from panel.panels.models import Panel

bp = Blueprint("live_cases", __name__)


CLOSED = "This case is closed, so it can no longer be changed."


def _to_case(live_case: LiveCase, anchor: str | None = None):
    return redirect(url_for("live_cases.show", live_case_id=live_case.id, _anchor=anchor))


def _closed(live_case: LiveCase):
    flash(CLOSED, "error")
    return _to_case(live_case)


def _allow_override(panel: Panel) -> bool:
    return access.can(current_user, Action.OVERRIDE_GUARD, panel)


# --- Live cases --------------------------------------------------------------------------------


@bp.get("/panels/<int:panel_id>/live-cases")
@access.rule(access.on_panel(Action.VIEW_LIVE_CASES, case_material=True))
def index(panel):
    status = next((s for s in LiveCaseStatus if s.value == request.args.get("status")), None)
    return render_template(
        "live_cases/index.html",
        panel=panel,
        live_cases=queries.live_cases_of(panel, status),
        status=status,
        title=f"Live cases – {panel.name}",
    )


def _case_form_page(form: LiveCaseForm, panel: Panel, live_case: LiveCase | None = None):
    """Referring a case, or changing `live_case`."""
    return render_template(
        "live_cases/form.html",
        panel=panel,
        live_case=live_case,
        form=form,
        title=f"Change case {live_case.reference}" if live_case else f"Refer a case – {panel.name}",
    )


@bp.route("/panels/<int:panel_id>/live-cases/new", methods=["GET", "POST"])
@access.rule(access.on_panel(Action.MANAGE_LIVE_CASES, case_material=True))
def new(panel):
    form = LiveCaseForm.for_case(panel, allow_override=_allow_override(panel))
    if form.validate_on_submit():
        live_case = services.refer_case(current_user, panel, form.details(), form.guard_outcome)
        flash(f"Case {live_case.reference} referred.", "success")
        return _to_case(live_case)
    return _case_form_page(form, panel)


def _case_views(live_case: LiveCase) -> case_queries.CaseViewers | None:
    """Who has opened the case, for the chair of its panel only."""
    if not access.can(current_user, Action.SEE_WHO_OPENED_CASE, live_case):
        return None
    return case_queries.case_viewers(live_case, page_number(case_queries.VIEWERS_PAGE_ARG))


@bp.get("/live-cases/<int:live_case_id>")
@access.rule(access.on_case_material(Action.VIEW_LIVE_CASES, LiveCase))
def show(live_case):
    services.record_view(current_user, live_case)
    return render_template(
        "live_cases/show.html",
        page=queries.live_case_page(live_case),
        live_case=live_case,
        case_views=_case_views(live_case),
        title=f"Case {live_case.reference} – {live_case.panel.name}",
    )


@bp.route("/live-cases/<int:live_case_id>/edit", methods=["GET", "POST"])
@access.rule(access.on_case_material(Action.MANAGE_LIVE_CASES, LiveCase))
def edit(live_case):
    if live_case.status == LiveCaseStatus.CLOSED:
        return _closed(live_case)
    form = LiveCaseForm.for_case(
        live_case.panel, live_case, allow_override=_allow_override(live_case.panel)
    )
    if form.validate_on_submit():
        try:
            services.update_case(
                current_user,
                live_case,
                form.details(),
                seen_version(form.version.data),
                form.guard_outcome,
            )
        except InterventionRefused as refused:
            form.refuse(form.risk_reason, refused, saved=live_case)
        else:
            flash(f"Case {live_case.reference} saved.", "success")
            return _to_case(live_case)
    services.record_view(current_user, live_case)  # the form shows the risk reason and summary
    return _case_form_page(form, live_case.panel, live_case)


@bp.route("/live-cases/<int:live_case_id>/close", methods=["GET", "POST"])
@access.rule(access.on_case_material(Action.MANAGE_LIVE_CASES, LiveCase))
def close(live_case):
    if live_case.status == LiveCaseStatus.CLOSED:
        return _closed(live_case)
    form = ClosureForm(data={"version": live_case.version})
    if form.validate_on_submit():
        try:
            services.close_case(
                current_user, live_case, form.closure(), seen_version(form.version.data)
            )
        except InterventionRefused as refused:
            form.refuse(form.reason, refused, saved=live_case)
        else:
            flash(f"Case {live_case.reference} closed.", "success")
            return _to_case(live_case)
    return render_template(
        "live_cases/close.html",
        live_case=live_case,
        form=form,
        title=f"Close case {live_case.reference}",
    )


# --- Intervention types ------------------------------------------------------------------------


@bp.route("/panels/<int:panel_id>/intervention-types", methods=["GET", "POST"])
@access.rule(access.on_panel(Action.MANAGE_LIVE_CASES))
def intervention_types(panel):
    form = InterventionTypeForm()
    if form.validate_on_submit():
        try:
            added = services.add_intervention_type(current_user, panel, form.name.data)
        except InterventionRefused as refused:
            form.refuse(form.name, refused)
        else:
            flash(f"Intervention type ‘{added.name}’ added.", "success")
            return redirect(url_for("live_cases.intervention_types", panel_id=panel.id))
    return render_template(
        "live_cases/intervention_types.html",
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
@access.rule(access.on_object(Action.MANAGE_LIVE_CASES, InterventionType))
def retire_intervention_type(intervention_type):
    return _set_active(intervention_type, False, "retired: it is no longer offered")


@bp.post("/intervention-types/<int:intervention_type_id>/restore")
@access.rule(access.on_object(Action.MANAGE_LIVE_CASES, InterventionType))
def restore_intervention_type(intervention_type):
    return _set_active(intervention_type, True, "restored")


# What templates may use from this package, wired in by the app factory (`panel.app`).
TEMPLATE_GLOBALS = {
    "LiveCaseStatus": LiveCaseStatus,
    "review_overdue": queries.review_overdue,
    "review_due_today": queries.review_due_today,
    "intervention_overdue": queries.intervention_overdue,
}

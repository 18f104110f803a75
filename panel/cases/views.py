"""The `cases` blueprint: case reviews and the confidentiality agreement in front of them.

Every page here is case material: the route rules send a member who has not accepted the panel's
confidentiality agreement to it first, and hide a case from anyone who declared an interest in it.
"""

from __future__ import annotations

import calendar
from typing import TYPE_CHECKING

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import access
from panel.access import Action
from panel.cases import queries, services
from panel.cases.forms import AgendaForm, CaseReviewForm, CheckForm, StageFindingsForm
from panel.cases.models import CaseReview, CaseReviewStatus
from panel.cases.pool import services as pool_services
from panel.cases.pool.models import has_draft_narrative
from panel.cases.vocabularies import INDIRECT_IDENTIFIERS, Stage
from panel.core.pagination import page_number
from panel.lessons import queries as lesson_queries

if TYPE_CHECKING:
    from panel.meetings.models import AgendaItem
    from panel.panels.models import Panel

bp = Blueprint("cases", __name__)


def may_open_case_review(item: AgendaItem) -> bool:
    """Whether an agenda item links to its case: a case review item, for a member who may open
    case reviews and has not declared an interest in this one. Asked per item without loading
    the case, so the agenda stays a fixed number of queries."""
    return (
        item.case_review_id is not None
        and access.can(current_user, Action.VIEW_CASE_REVIEWS, item.meeting)
        and item.case_review_id not in access.withheld_case_ids(current_user)
    )


def _to_case(case_review: CaseReview, anchor: str | None = None):
    return redirect(url_for("cases.show", case_review_id=case_review.id, _anchor=anchor))


def _refused(refused: services.CaseReviewRefused, case_review: CaseReview):
    flash(str(refused), "error")
    return _to_case(case_review)


def _allow_override(panel: Panel) -> bool:
    return access.can(current_user, Action.OVERRIDE_GUARD, panel)


def _filled(form_class, case_review: CaseReview):
    """A form of `form_class` filled in from the case review as it is saved, to change it."""
    return form_class(
        data=form_class.data_of(case_review), allow_override=_allow_override(case_review.panel)
    )


@bp.get("/panels/<int:panel_id>/case-reviews")
@access.rule(access.on_panel(Action.VIEW_CASE_REVIEWS, case_material=True))
def index(panel):
    status = next((s for s in CaseReviewStatus if s.value == request.args.get("status")), None)
    return render_template(
        "cases/index.html",
        panel=panel,
        page=queries.case_reviews_of(panel, current_user, status),
        status=status,
        title=f"Case reviews – {panel.name}",
    )


@bp.route("/panels/<int:panel_id>/case-reviews/new", methods=["GET", "POST"])
@access.rule(access.on_panel(Action.MANAGE_CASE_REVIEWS, case_material=True))
def new(panel):
    form = CaseReviewForm(allow_override=_allow_override(panel))
    if form.validate_on_submit():
        case_review = services.create_case_review(
            current_user, panel, form.details(), form.guard_outcome
        )
        flash(f"Case review {case_review.reference} added.", "success")
        return _to_case(case_review)
    return render_template(
        "cases/form.html", panel=panel, form=form, title=f"Add a case review – {panel.name}"
    )


def _case_views(case_review: CaseReview) -> queries.CaseViewers | None:
    """Who has opened the case, for the chair of its panel only."""
    if not access.can(current_user, Action.SEE_WHO_OPENED_CASE, case_review):
        return None
    return queries.case_viewers(case_review, page_number(queries.VIEWERS_PAGE_ARG))


@bp.get("/case-reviews/<int:case_review_id>")
@access.rule(access.on_case_material(Action.VIEW_CASE_REVIEWS))
def show(case_review):
    services.record_view(current_user, case_review)
    return render_template(
        "cases/show.html",
        page=queries.case_review_page(case_review),
        case_review=case_review,
        lessons=lesson_queries.lessons_of(case_review_id=case_review.id),
        case_views=_case_views(case_review),
        may_check=services.may_check(current_user, case_review),
        draft_summary=has_draft_narrative(case_review),
        agency_reference=pool_services.agency_reference_of(current_user, case_review),
        title=f"Case review {case_review.reference} – {case_review.panel.name}",
    )


@bp.route("/case-reviews/<int:case_review_id>/edit", methods=["GET", "POST"])
@access.rule(access.on_case_material(Action.MANAGE_CASE_REVIEWS))
def edit(case_review):
    form = _filled(CaseReviewForm, case_review)
    try:
        services.check_changeable(case_review)
        if form.validate_on_submit():
            services.update_case_review(
                current_user, case_review, form.details(), form.guard_outcome
            )
            flash(f"Case review {case_review.reference} saved.", "success")
            return _to_case(case_review)
    except services.CaseReviewRefused as refused:
        return _refused(refused, case_review)
    services.record_view(current_user, case_review)  # the form shows the narrative
    return render_template(
        "cases/form.html",
        panel=case_review.panel,
        case_review=case_review,
        form=form,
        title=f"Change case review {case_review.reference}",
    )


@bp.route("/case-reviews/<int:case_review_id>/findings", methods=["GET", "POST"])
@access.rule(access.on_case_material(Action.MANAGE_CASE_REVIEWS))
def findings(case_review):
    form = _filled(StageFindingsForm, case_review)
    try:
        services.check_changeable(case_review)
        if form.validate_on_submit():
            services.record_stage_findings(current_user, case_review, **form.details())
            flash("Stage findings saved.", "success")
            return _to_case(case_review, "stage-findings")
    except services.CaseReviewRefused as refused:
        return _refused(refused, case_review)
    services.record_view(current_user, case_review)  # the comments and the overall view
    return render_template(
        "cases/findings.html",
        case_review=case_review,
        form=form,
        title=f"Stage findings for case review {case_review.reference}",
    )


@bp.route("/case-reviews/<int:case_review_id>/check", methods=["GET", "POST"])
@access.rule(access.on_case_material(Action.CHECK_CASE_REVIEW))
def check(case_review):
    form = CheckForm(data={"seen": case_review.text_sha256})
    try:
        services.check_checker(current_user, case_review)
        if form.validate_on_submit():
            services.confirm_checked(current_user, case_review, form.seen.data)
            flash(f"Case review {case_review.reference} checked for identifying detail.", "success")
            return _to_case(case_review)
    except services.CaseReviewRefused as refused:
        return _refused(refused, case_review)
    services.record_view(current_user, case_review)  # the page shows the whole text
    return render_template(
        "cases/check.html",
        page=queries.case_review_page(case_review),
        case_review=case_review,
        form=form,
        prompts=INDIRECT_IDENTIFIERS,
        title=f"Check case review {case_review.reference} for identifying detail",
    )


@bp.route("/case-reviews/<int:case_review_id>/agenda", methods=["GET", "POST"])
@access.rule(access.on_case_material(Action.MANAGE_CASE_REVIEWS))
def agenda(case_review):
    form = AgendaForm(meetings=queries.meetings_for_agenda(case_review))
    try:
        services.check_changeable(case_review)
        if form.validate_on_submit():
            services.place_on_agenda(current_user, case_review, form.meeting())
            flash(f"Case review {case_review.reference} added to the agenda.", "success")
            return _to_case(case_review, "meetings")
    except services.CaseReviewRefused as refused:
        return _refused(refused, case_review)
    return render_template(
        "cases/agenda.html",
        case_review=case_review,
        form=form,
        title=f"Put case review {case_review.reference} on an agenda",
    )


@bp.post("/case-reviews/<int:case_review_id>/close")
@access.rule(access.on_case_material(Action.MANAGE_CASE_REVIEWS))
def close(case_review):
    try:
        services.close_case_review(current_user, case_review)
    except services.CaseReviewRefused as refused:
        return _refused(refused, case_review)
    flash(f"Case review {case_review.reference} closed.", "success")
    return _to_case(case_review)


# What templates may use from this package, wired in by the app factory (`panel.app`).
TEMPLATE_GLOBALS = {
    "CaseReviewStatus": CaseReviewStatus,
    "Stage": Stage,
    "month_name": calendar.month_name.__getitem__,
    "may_open_case_review": may_open_case_review,
}

"""The `pool` blueprint: the panel's pool of finalised cases, uploads and their previews, and the
draws. Every page is case material: the route rules send anyone who has not accepted the panel's
confidentiality agreement to it first."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import access
from panel.access import Action
from panel.cases.pool import queries, services
from panel.cases.pool.forms import ConfirmForm, DiscardForm, DrawForm, PoolCaseForm, UploadForm
from panel.cases.pool.models import PoolDraw
from panel.cases.pool.vocabularies import HEADINGS, Column

bp = Blueprint("pool", __name__)


def _references(cases) -> dict[int, str]:
    """{pool case id: the agency's reference} for the ones the signed-in person may see."""
    return {
        case.id: reference
        for case in cases
        if (reference := services.agency_reference(current_user, case)) is not None
    }


def _to_pool(panel):
    return redirect(url_for("pool.index", panel_id=panel.id))


@bp.get("/panels/<int:panel_id>/pool")
@access.rule(access.on_panel(Action.VIEW_DRAWS, case_material=True))
def index(panel):
    may_draw = access.can(current_user, Action.DRAW_CASES, panel)
    cases = queries.waiting_cases(panel) if may_draw else None
    return render_template(
        "pool/index.html",
        panel=panel,
        waiting=queries.waiting_count(panel),
        cases=cases,
        references=_references(cases.items) if cases else {},
        draws=queries.draws_of(panel),
        summary=queries.summary,
        may_draw=may_draw,
        title=f"Pool of finalised cases – {panel.name}",
    )


@bp.route("/panels/<int:panel_id>/pool/import", methods=["GET", "POST"])
@access.rule(access.on_panel(Action.MANAGE_POOL, case_material=True))
def upload(panel):
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.extract.data
        try:
            held = services.start_import(current_user, panel, upload.filename, upload.read())
        except services.PoolRefused as refused:
            form.refuse(form.extract, refused)
        else:
            return redirect(url_for("pool.preview", panel_id=panel.id, import_id=held.id))
    return render_template(
        "pool/upload.html",
        panel=panel,
        form=form,
        headings=HEADINGS,
        Column=Column,
        title=f"Import finalised cases – {panel.name}",
    )


def _held(panel, import_id: int):
    held = services.pending_import(current_user, panel, import_id)
    if held is None:
        abort(404)
    return held


@bp.route("/panels/<int:panel_id>/pool/imports/<int:import_id>", methods=["GET", "POST"])
@access.rule(access.on_panel(Action.MANAGE_POOL, case_material=True))
def preview(panel, import_id: int):
    held = _held(panel, import_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            added = services.confirm_import(current_user, held)
        except services.PoolRefused as refused:
            flash(str(refused), "error")
            return redirect(url_for("pool.upload", panel_id=panel.id))
        flash(f"{added:,} case{'s' if added != 1 else ''} added to the pool.", "success")
        return _to_pool(panel)
    return render_template(
        "pool/preview.html",
        panel=panel,
        page=queries.import_preview(held),
        form=form,
        Column=Column,
        title=f"Check the cases before adding them – {panel.name}",
    )


@bp.post("/panels/<int:panel_id>/pool/imports/<int:import_id>/cancel")
@access.rule(access.on_panel(Action.MANAGE_POOL, case_material=True))
def cancel(panel, import_id: int):
    services.cancel_import(current_user, _held(panel, import_id))
    flash("The upload was cancelled: nothing was added to the pool.", "success")
    return _to_pool(panel)


@bp.route("/panels/<int:panel_id>/pool/add", methods=["GET", "POST"])
@access.rule(access.on_panel(Action.MANAGE_POOL, case_material=True))
def add(panel):
    form = PoolCaseForm(allow_override=False)
    if form.validate_on_submit():
        services.add_pool_case(current_user, panel, form.details())
        flash("Case added to the pool.", "success")
        return _to_pool(panel)
    return render_template(
        "pool/add.html", panel=panel, form=form, title=f"Add a case to the pool – {panel.name}"
    )


@bp.route("/panels/<int:panel_id>/pool/discard", methods=["GET", "POST"])
@access.rule(access.on_panel(Action.MANAGE_POOL, case_material=True))
def discard(panel):
    form = DiscardForm()
    if form.validate_on_submit():
        count = services.discard_pool(current_user, panel)
        flash(f"{count:,} case{'s' if count != 1 else ''} taken out of the pool.", "success")
        return _to_pool(panel)
    return render_template(
        "pool/discard.html",
        panel=panel,
        form=form,
        waiting=queries.waiting_count(panel),
        title=f"Discard the pool – {panel.name}",
    )


@bp.route("/panels/<int:panel_id>/pool/draw", methods=["GET", "POST"])
@access.rule(access.on_panel(Action.DRAW_CASES, case_material=True))
def draw(panel):
    meetings = queries.meetings_for_draw(panel)
    form = DrawForm(
        areas=queries.areas_of(panel),
        meetings=meetings,
        for_meeting=request.args.get("meeting_id", type=int),
    )
    if form.validate_on_submit():
        try:
            made = services.draw_cases(
                current_user, panel, form.filters(), form.number(), form.meeting()
            )
        except services.PoolRefused as refused:
            form.refuse(form.how_many, refused)
        else:
            flash(f"{made.how_many} cases drawn from {made.eligible_count} eligible.", "success")
            return redirect(url_for("pool.show", pool_draw_id=made.id))
    return render_template(
        "pool/draw.html",
        panel=panel,
        form=form,
        meetings=meetings,
        waiting=queries.waiting_count(panel),
        title=f"Draw cases at random – {panel.name}",
    )


@bp.get("/draws/<int:pool_draw_id>")
@access.rule(access.on_case_material(Action.VIEW_DRAWS, PoolDraw))
def show(pool_draw):
    cases = queries.draw_page(pool_draw)
    return render_template(
        "pool/show.html",
        draw=pool_draw,
        summary=queries.summary(pool_draw),
        cases=cases,
        references=_references(cases),
        rerun=None,
        title=f"Draw {pool_draw.id} – {pool_draw.panel.name}",
    )


@bp.get("/draws/<int:pool_draw_id>/repeat")
@access.rule(access.on_case_material(Action.VIEW_DRAWS, PoolDraw))
def repeat(pool_draw):
    cases = queries.draw_page(pool_draw)
    return render_template(
        "pool/show.html",
        draw=pool_draw,
        summary=queries.summary(pool_draw),
        cases=cases,
        references=_references(cases),
        rerun=services.rerun_draw(pool_draw),
        title=f"Draw {pool_draw.id} checked – {pool_draw.panel.name}",
    )

"""Agenda pages on the meetings blueprint: managing a meeting's agenda (with case reviews added
from it), the printable agenda, the panel's standing items and its default duration for a case
review, and declarations of interest."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from panel import access
from panel.access import Action
from panel.core.time import format_datetime
from panel.meetings import queries
from panel.meetings.agenda import services as agenda
from panel.meetings.agenda.forms import (
    AgendaItemForm,
    CaseReviewMinutesForm,
    ConfirmForm,
    DeclarationForm,
    StandingItemForm,
    case_review_hint,
    case_reviews_form,
)
from panel.meetings.models import AgendaItemKind, Meeting

STEPS = {"up": agenda.UP, "down": agenda.DOWN}

bp = Blueprint("agenda", __name__)


def _item_or_404(meeting: Meeting, agenda_item_id: int):
    return queries.agenda_item_of(meeting, agenda_item_id) or abort(404)


def _back_to_agenda(meeting: Meeting, item=None):
    anchor = f"item-{item.id}" if item is not None else None
    return redirect(url_for("agenda.manage_agenda", meeting_id=meeting.id, _anchor=anchor))


def _refused(refused: agenda.AgendaRefused, meeting: Meeting):
    flash(str(refused), "error")
    return _back_to_agenda(meeting)


# --- A meeting's agenda ------------------------------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/agenda")
@access.rule(access.on_object(Action.MANAGE_MEETINGS, Meeting))
def manage_agenda(meeting):
    return render_template(
        "meetings/agenda.html",
        meeting=meeting,
        agenda=queries.agenda_of(meeting),
        editable=agenda.is_open(meeting),
        title=f"Agenda for {format_datetime(meeting.starts_at, 'date')} – {meeting.panel.name}",
    )


@bp.route("/meetings/<int:meeting_id>/agenda/new", methods=["GET", "POST"])
@access.rule(access.on_object(Action.MANAGE_MEETINGS, Meeting))
def new_agenda_item(meeting):
    form = AgendaItemForm(presenters=queries.presenters_for(meeting.panel))
    if form.validate_on_submit():
        try:
            item = agenda.add_item(current_user, meeting, form.details())
        except agenda.AgendaRefused as refused:
            return _refused(refused, meeting)
        flash(f"“{item.title}” added to the agenda{agenda.where_added(item)}.", "success")
        return _back_to_agenda(meeting, item)
    return render_template(
        "meetings/agenda_item_form.html", meeting=meeting, form=form, title="Add an agenda item"
    )


@bp.route("/meetings/<int:meeting_id>/agenda/case-reviews", methods=["GET", "POST"])
@access.rule(access.on_case_material(Action.MANAGE_MEETINGS, Meeting))
def add_case_reviews(meeting):
    try:
        agenda.check_open(meeting)
        ready = queries.case_reviews_ready_for(meeting, access.withheld_case_ids(current_user))
        form = case_reviews_form(ready.shown, meeting.panel.default_case_review_minutes)
        if form.validate_on_submit():
            items = agenda.add_case_reviews(current_user, meeting, form.chosen())
            flash(agenda.case_reviews_added(items), "success")
            return _back_to_agenda(meeting, items[0])
    except agenda.AgendaRefused as refused:
        return _refused(refused, meeting)
    return render_template(
        "meetings/agenda_case_reviews.html",
        meeting=meeting,
        form=form,
        ready=ready,
        hint=case_review_hint,
        title="Add case reviews to the agenda",
    )


@bp.route("/meetings/<int:meeting_id>/agenda/<int:agenda_item_id>/edit", methods=["GET", "POST"])
@access.rule(access.on_object(Action.MANAGE_MEETINGS, Meeting))
def edit_agenda_item(meeting, agenda_item_id):
    item = _item_or_404(meeting, agenda_item_id)
    form = AgendaItemForm(presenters=queries.presenters_for(meeting.panel), item=item)
    if form.validate_on_submit():
        try:
            agenda.edit_item(current_user, item, form.details())
        except agenda.AgendaRefused as refused:
            return _refused(refused, meeting)
        flash(f"“{item.title}” updated.", "success")
        return _back_to_agenda(meeting, item)
    return render_template(
        "meetings/agenda_item_form.html",
        meeting=meeting,
        item=item,
        form=form,
        title="Change an agenda item",
    )


@bp.route("/meetings/<int:meeting_id>/agenda/<int:agenda_item_id>/remove", methods=["GET", "POST"])
@access.rule(access.on_object(Action.MANAGE_MEETINGS, Meeting))
def remove_agenda_item(meeting, agenda_item_id):
    item = _item_or_404(meeting, agenda_item_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            agenda.remove_item(current_user, item)
        except agenda.AgendaRefused as refused:
            return _refused(refused, meeting)
        flash(f"“{item.title}” removed from the agenda.", "success")
        return _back_to_agenda(meeting)
    return render_template(
        "meetings/agenda_item_remove.html",
        meeting=meeting,
        item=item,
        form=form,
        title="Remove an agenda item",
    )


@bp.post("/meetings/<int:meeting_id>/agenda/<int:agenda_item_id>/move-<any(up, down):direction>")
@access.rule(access.on_object(Action.MANAGE_MEETINGS, Meeting))
def move_agenda_item(meeting, agenda_item_id, direction):
    item = _item_or_404(meeting, agenda_item_id)
    try:
        if agenda.move_item(current_user, item, STEPS[direction]):
            flash(f"“{item.title}” moved {direction}.", "success")
    except agenda.AgendaRefused as refused:
        return _refused(refused, meeting)
    return _back_to_agenda(meeting, item)


@bp.get("/meetings/<int:meeting_id>/agenda/print")
@access.rule(access.on_object(Action.VIEW_MEETINGS, Meeting))
def print_agenda(meeting):
    return render_template(
        "meetings/agenda_print.html",
        meeting=meeting,
        agenda=queries.agenda_of(meeting),
        title=f"Agenda – {meeting.panel.name} – {format_datetime(meeting.starts_at, 'date')}",
    )


# --- The panel's standing items ----------------------------------------------------------------


def _standing_item_or_404(panel, template_item_id: int):
    return queries.standing_item_of(panel, template_item_id) or abort(404)


def _back_to_template(panel, item=None):
    anchor = f"item-{item.id}" if item is not None else None
    return redirect(url_for("agenda.agenda_template", panel_id=panel.id, _anchor=anchor))


@bp.get("/panels/<int:panel_id>/agenda-template")
@access.rule(access.on_panel(Action.MANAGE_MEETINGS))
def agenda_template(panel):
    return render_template(
        "meetings/agenda_template.html",
        panel=panel,
        items=agenda.standing_items(current_user, panel),
        title=f"Standing agenda items – {panel.name}",
    )


@bp.route("/panels/<int:panel_id>/agenda-template/new", methods=["GET", "POST"])
@access.rule(access.on_panel(Action.MANAGE_MEETINGS))
def new_standing_item(panel):
    form = StandingItemForm()
    if form.validate_on_submit():
        item = agenda.add_standing_item(
            current_user, panel, form.title.data, form.duration_minutes.data
        )
        flash(f"“{item.title}” added. Meetings scheduled from now on will have it.", "success")
        return _back_to_template(panel, item)
    return render_template(
        "meetings/agenda_item_form.html", panel=panel, form=form, title="Add a standing item"
    )


@bp.route(
    "/panels/<int:panel_id>/agenda-template/<int:template_item_id>/edit", methods=["GET", "POST"]
)
@access.rule(access.on_panel(Action.MANAGE_MEETINGS))
def edit_standing_item(panel, template_item_id):
    item = _standing_item_or_404(panel, template_item_id)
    form = StandingItemForm(obj=item)
    if form.validate_on_submit():
        agenda.edit_standing_item(current_user, item, form.title.data, form.duration_minutes.data)
        flash(f"“{item.title}” updated for meetings scheduled from now on.", "success")
        return _back_to_template(panel, item)
    return render_template(
        "meetings/agenda_item_form.html",
        panel=panel,
        item=item,
        form=form,
        title="Change a standing item",
    )


@bp.route(
    "/panels/<int:panel_id>/agenda-template/<int:template_item_id>/remove",
    methods=["GET", "POST"],
)
@access.rule(access.on_panel(Action.MANAGE_MEETINGS))
def remove_standing_item(panel, template_item_id):
    item = _standing_item_or_404(panel, template_item_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            agenda.remove_standing_item(current_user, item)
            flash(f"“{item.title}” removed from the standing items.", "success")
        except agenda.AgendaRefused as refused:
            flash(str(refused), "error")
        return _back_to_template(panel)
    return render_template(
        "meetings/agenda_item_remove.html",
        panel=panel,
        item=item,
        form=form,
        title="Remove a standing item",
    )


@bp.post(
    "/panels/<int:panel_id>/agenda-template/<int:template_item_id>/move-<any(up, down):direction>"
)
@access.rule(access.on_panel(Action.MANAGE_MEETINGS))
def move_standing_item(panel, template_item_id, direction):
    item = _standing_item_or_404(panel, template_item_id)
    if agenda.move_standing_item(current_user, item, STEPS[direction]):
        flash(f"“{item.title}” moved {direction}.", "success")
    return _back_to_template(panel, item)


@bp.route("/panels/<int:panel_id>/settings/case-review-duration", methods=["GET", "POST"])
@access.rule(access.on_panel(Action.MANAGE_MEETINGS))
def case_review_duration(panel):
    form = CaseReviewMinutesForm(data={"minutes": str(panel.default_case_review_minutes)})
    if form.validate_on_submit():
        agenda.set_default_case_review_minutes(current_user, panel, form.minutes.data)
        flash(
            f"Case reviews added to an agenda now start with {panel.default_case_review_minutes} "
            "minutes each.",
            "success",
        )
        return redirect(url_for("attendance.panel_settings", panel_id=panel.id))
    return render_template(
        "meetings/case_review_duration.html",
        panel=panel,
        form=form,
        title=f"Case review duration – {panel.name}",
    )


# --- Declarations of interest ------------------------------------------------------------------


def _to_item(meeting: Meeting, item):
    """Back to the item on the meeting's page, where a member declares."""
    return redirect(url_for("meetings.show", meeting_id=meeting.id, _anchor=f"item-{item.id}"))


@bp.route("/meetings/<int:meeting_id>/agenda/<int:agenda_item_id>/declare", methods=["GET", "POST"])
@access.rule(access.on_object(Action.DECLARE_INTEREST, Meeting))
def declare_interest(meeting, agenda_item_id):
    item = _item_or_404(meeting, agenda_item_id)
    existing = queries.declaration_of(current_user, item)
    form = DeclarationForm(obj=existing)
    if form.validate_on_submit():
        try:
            agenda.declare_interest(current_user, item, form.reason.data)
            flash(f"Your interest in “{item.title}” has been recorded.", "success")
        except agenda.AgendaRefused as refused:
            flash(str(refused), "error")
        return _to_item(meeting, item)
    return render_template(
        "meetings/declare.html",
        meeting=meeting,
        item=item,
        existing=existing,
        form=form,
        title="Declare an interest",
    )


@bp.post("/meetings/<int:meeting_id>/agenda/<int:agenda_item_id>/withdraw")
@access.rule(access.on_object(Action.DECLARE_INTEREST, Meeting))
def withdraw_interest(meeting, agenda_item_id):
    item = _item_or_404(meeting, agenda_item_id)
    try:
        if agenda.withdraw_interest(current_user, item):
            flash(f"Your declaration of interest in “{item.title}” has been withdrawn.", "success")
    except agenda.AgendaRefused as refused:
        flash(str(refused), "error")
    return _to_item(meeting, item)


# What templates may use from this package, wired in by the app factory (`panel.app`): the
# agenda partials appear on several pages, so the times and item kinds are there for each.
TEMPLATE_GLOBALS = {
    "agenda_start_times": agenda.start_times,
    "agenda_is_open": agenda.is_open,
    "AgendaItemKind": AgendaItemKind,
}

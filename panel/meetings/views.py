"""Meeting pages: a panel's meetings, scheduling one or a series, moving, cancelling, holding."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import access
from panel.access import Action
from panel.cases.pool import queries as pool_queries
from panel.core.database import utcnow
from panel.core.time import format_datetime
from panel.lessons import queries as lesson_queries
from panel.meetings import lifecycle, matters, queries, services
from panel.meetings.attendance import services as attendance
from panel.meetings.forms import CancelMeetingForm, MeetingForm, MoveMeetingForm, SeriesForm
from panel.meetings.models import Meeting, MeetingStatus

bp = Blueprint("meetings", __name__)


@bp.get("/panels/<int:panel_id>/meetings")
@access.rule(access.on_panel(Action.VIEW_MEETINGS))
def index(panel):
    when = queries.PAST if request.args.get("when") == queries.PAST else queries.UPCOMING
    page = queries.meetings_of(panel, when)
    return render_template(
        "meetings/index.html",
        panel=panel,
        page=page,
        when=when,
        title=f"{when.capitalize()} meetings – {panel.name}",
    )


@bp.route("/panels/<int:panel_id>/meetings/new", methods=["GET", "POST"])
@access.rule(access.on_panel(Action.MANAGE_MEETINGS))
def new(panel):
    form = MeetingForm()
    if form.validate_on_submit():
        meeting = services.schedule_meeting(current_user, panel, form.day.data, form.venue())
        flash("Meeting scheduled.", "success")
        return redirect(url_for("meetings.show", meeting_id=meeting.id))
    return render_template(
        "meetings/new.html", panel=panel, form=form, title=f"Schedule a meeting – {panel.name}"
    )


@bp.route("/panels/<int:panel_id>/meetings/new-series", methods=["GET", "POST"])
@access.rule(access.on_panel(Action.MANAGE_MEETINGS))
def new_series(panel):
    form = SeriesForm()
    if form.validate_on_submit():
        meetings = services.schedule_series(current_user, panel, form.series(), form.venue())
        flash(f"{len(meetings)} meetings scheduled.", "success")
        return redirect(url_for("meetings.index", panel_id=panel.id))
    return render_template(
        "meetings/new_series.html",
        panel=panel,
        form=form,
        title=f"Schedule a series of meetings – {panel.name}",
    )


@bp.get("/meetings/<int:meeting_id>")
@access.rule(access.on_object(Action.VIEW_MEETINGS, Meeting))
def show(meeting):
    now = utcnow()
    return render_template(
        "meetings/show.html",
        meeting=meeting,
        agenda=queries.agenda_of(meeting),
        transitions=lifecycle.available_targets(meeting, now),
        scheduled=meeting.status == MeetingStatus.SCHEDULED,
        attendance_record=attendance.record_of(meeting, now),
        meeting_actions=queries.actions_raised_at(meeting),
        matters_arising=matters.matters_arising(meeting, current_user),
        meeting_lessons=lesson_queries.lessons_of(meeting_id=meeting.id),
        meeting_draws=pool_queries.draws_for_meeting(meeting),
        # The draw form offers only meetings still to come (`pool_queries.meetings_for_draw`).
        may_draw=meeting.status == MeetingStatus.SCHEDULED
        and meeting.starts_at >= now
        and access.can(current_user, Action.DRAW_CASES, meeting.panel),
        title=f"Meeting on {format_datetime(meeting.starts_at, 'date')} – {meeting.panel.name}",
    )


@bp.get("/meetings/<int:meeting_id>/matters-arising")
@access.rule(access.on_object(Action.VIEW_MEETINGS, Meeting))
def matters_arising(meeting):
    return render_template(
        "meetings/matters_arising.html",
        meeting=meeting,
        page=matters.matters_arising_page(meeting, current_user),
        title=f"Matters arising, {format_datetime(meeting.starts_at, 'date')} – "
        f"{meeting.panel.name}",
    )


@bp.route("/meetings/<int:meeting_id>/move", methods=["GET", "POST"])
@access.rule(access.on_object(Action.MANAGE_MEETINGS, Meeting))
def move(meeting):
    form = MoveMeetingForm.for_meeting(meeting)
    if form.validate_on_submit():
        try:
            services.move_meeting(current_user, meeting, form.day.data, form.venue())
        except lifecycle.TransitionRefused as refused:
            flash(str(refused), "error")
        else:
            flash("Meeting moved. Other meetings in its series are unchanged.", "success")
        return redirect(url_for("meetings.show", meeting_id=meeting.id))
    return render_template(
        "meetings/move.html", meeting=meeting, form=form, title="Move or change a meeting"
    )


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
@access.rule(access.on_object(Action.MANAGE_MEETINGS, Meeting))
def cancel(meeting):
    form = CancelMeetingForm()
    if form.validate_on_submit():
        return _change_status(
            meeting,
            MeetingStatus.CANCELLED,
            form.reason.data,
            "Meeting cancelled. Other meetings in its series are unchanged.",
        )
    return render_template(
        "meetings/cancel.html", meeting=meeting, form=form, title="Cancel a meeting"
    )


@bp.post("/meetings/<int:meeting_id>/held")
@access.rule(access.on_object(Action.MANAGE_MEETINGS, Meeting))
def held(meeting):
    return _change_status(meeting, MeetingStatus.HELD, None, "Meeting recorded as held.")


def _change_status(meeting: Meeting, target: MeetingStatus, reason: str | None, done: str):
    try:
        services.change_status(current_user, meeting, target, reason=reason)
    except lifecycle.TransitionRefused as refused:
        flash(str(refused), "error")
    else:
        flash(done, "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id))

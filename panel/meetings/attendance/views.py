"""A meeting's record on the meetings blueprint: apologies sent before it, the register of
attendance, guests, actions agreed at the meeting, and the panel's quorum."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from panel import access
from panel.access import Action
from panel.core.pagination import paginate_list
from panel.core.time import format_datetime
from panel.meetings import queries, services
from panel.meetings.attendance import services as attendance
from panel.meetings.attendance.forms import (
    ActionForm,
    ApologiesForm,
    GuestForm,
    QuorumForm,
    RecordApologiesForm,
    register_form,
)
from panel.meetings.models import Meeting

bp = Blueprint("attendance", __name__)


def _to_meeting(meeting: Meeting, anchor: str):
    return redirect(url_for("meetings.show", meeting_id=meeting.id, _anchor=anchor))


def _refused(refused: Exception, meeting: Meeting, anchor: str = "attendance"):
    flash(str(refused), "error")
    return _to_meeting(meeting, anchor)


# --- Apologies before the meeting ---------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/apologies", methods=["GET", "POST"])
@access.rule(access.on_object(Action.SEND_APOLOGIES, Meeting))
def send_apologies(meeting):
    try:
        attendance.check_apologies_open(meeting)
        sent = attendance.apologies_of(meeting, current_user.id)
        form = ApologiesForm(obj=sent, organisation=current_user.organisation)
        if form.validate_on_submit():
            attendance.send_apologies(current_user, meeting, current_user, form.deputy_name.data)
            flash("Your apologies have been sent.", "success")
            return _to_meeting(meeting, "attendance")
    except attendance.AttendanceRefused as refused:
        return _refused(refused, meeting)
    return render_template(
        "meetings/apologies.html", meeting=meeting, form=form, sent=sent, title="Send apologies"
    )


@bp.post("/meetings/<int:meeting_id>/apologies/withdraw")
@access.rule(access.on_object(Action.SEND_APOLOGIES, Meeting))
def withdraw_apologies(meeting):
    try:
        if attendance.withdraw_apologies(current_user, meeting, current_user.id):
            flash("Your apologies have been withdrawn.", "success")
    except attendance.AttendanceRefused as refused:
        return _refused(refused, meeting)
    return _to_meeting(meeting, "attendance")


@bp.route("/meetings/<int:meeting_id>/apologies/record", methods=["GET", "POST"])
@access.rule(access.on_object(Action.MANAGE_MEETINGS, Meeting))
def record_apologies(meeting):
    try:
        attendance.check_apologies_open(meeting)
        form = RecordApologiesForm(entries=attendance.register_of(meeting))
        if form.validate_on_submit():
            attendance.send_apologies(current_user, meeting, form.member, form.deputy_name.data)
            flash(f"Apologies recorded for {form.member.full_name}.", "success")
            return _to_meeting(meeting, "attendance")
    except attendance.AttendanceRefused as refused:
        return _refused(refused, meeting)
    return render_template(
        "meetings/apologies.html", meeting=meeting, form=form, title="Record apologies"
    )


@bp.post("/meetings/<int:meeting_id>/apologies/<int:user_id>/withdraw")
@access.rule(access.on_object(Action.MANAGE_MEETINGS, Meeting))
def withdraw_apologies_for(meeting, user_id):
    try:
        withdrawn = attendance.withdraw_apologies(current_user, meeting, user_id)
    except attendance.AttendanceRefused as refused:
        return _refused(refused, meeting)
    if withdrawn is None:
        abort(404)
    flash(f"Apologies withdrawn for {withdrawn.full_name}.", "success")
    return _to_meeting(meeting, "attendance")


# --- The register ------------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["GET", "POST"])
@access.rule(access.on_object(Action.MANAGE_MEETINGS, Meeting))
def record_attendance(meeting):
    try:
        attendance.check_record_open(meeting)
        # A page of the register at a time: a big panel's whole register is too long a form.
        members = paginate_list(attendance.register_of(meeting), attendance.REGISTER_PAGE_SIZE)
        form = register_form(members.items)
        if form.validate_on_submit():
            attendance.record_register(current_user, meeting, form.marks())
            if members.has_next:
                flash(
                    f"Attendance saved for members {members.first} to {members.last} of "
                    f"{members.total}. Now record the next {members.per_page}.",
                    "success",
                )
                return redirect(
                    url_for(
                        "attendance.record_attendance",
                        meeting_id=meeting.id,
                        page=members.next_num,
                    )
                )
            flash("Attendance saved.", "success")
            return _to_meeting(meeting, "attendance")
    except attendance.AttendanceRefused as refused:
        return _refused(refused, meeting)
    return render_template(
        "meetings/attendance.html",
        meeting=meeting,
        form=form,
        members=members,
        guests=attendance.guests_of(meeting),
        title=f"Attendance on {format_datetime(meeting.starts_at, 'date')} – {meeting.panel.name}",
    )


# --- Guests ------------------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/guests/new", methods=["GET", "POST"])
@access.rule(access.on_object(Action.MANAGE_MEETINGS, Meeting))
def new_guest(meeting):
    form = GuestForm()
    if form.validate_on_submit():
        try:
            guest = attendance.add_guest(
                current_user, meeting, form.name.data, form.organisation_name.data
            )
        except attendance.AttendanceRefused as refused:
            return _refused(refused, meeting)
        flash(f"{guest.name} added as a guest.", "success")
        return redirect(url_for("attendance.record_attendance", meeting_id=meeting.id))
    return render_template(
        "meetings/guest_form.html", meeting=meeting, form=form, title="Add a guest"
    )


@bp.post("/meetings/<int:meeting_id>/guests/<int:guest_id>/remove")
@access.rule(access.on_object(Action.MANAGE_MEETINGS, Meeting))
def remove_guest(meeting, guest_id):
    guest = attendance.guest_of(meeting, guest_id) or abort(404)
    try:
        attendance.remove_guest(current_user, guest)
    except attendance.AttendanceRefused as refused:
        return _refused(refused, meeting)
    flash(f"{guest.name} removed from the guests.", "success")
    return redirect(url_for("attendance.record_attendance", meeting_id=meeting.id))


# --- Actions -----------------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/actions/new", methods=["GET", "POST"])
@access.rule(access.on_object(Action.MANAGE_MEETINGS, Meeting))
def new_action(meeting):
    form = ActionForm(organisations=queries.owner_organisations(meeting.panel))
    if form.validate_on_submit():
        try:
            services.add_action(
                current_user, meeting, form.description.data, form.owner, form.due_date.data
            )
        except attendance.AttendanceRefused as refused:
            return _refused(refused, meeting, "actions")
        flash("Action added.", "success")
        return _to_meeting(meeting, "actions")
    return render_template(
        "meetings/action_form.html", meeting=meeting, form=form, title="Add an action"
    )


@bp.post("/meetings/<int:meeting_id>/actions/<int:meeting_action_id>/close")
@access.rule(access.on_object(Action.MANAGE_MEETINGS, Meeting))
def close_action(meeting, meeting_action_id):
    action = queries.action_of(meeting, meeting_action_id) or abort(404)
    try:
        services.close_action(current_user, action)
    except services.ActionRefused as refused:
        return _refused(refused, meeting, "actions")
    flash(f"Action closed: {action.description}", "success")
    anchor = "actions" if action.meeting_id == meeting.id else "agenda"
    return _to_meeting(meeting, anchor)


# --- The panel's quorum ------------------------------------------------------------------------


@bp.route("/panels/<int:panel_id>/settings", methods=["GET", "POST"])
@access.rule(access.on_panel(Action.MANAGE_MEETINGS))
def panel_settings(panel):
    form = QuorumForm(data={"quorum": str(panel.quorum)})  # a text field: the check parses it
    if form.validate_on_submit():
        attendance.set_quorum(current_user, panel, form.quorum.data)
        plural = "" if panel.quorum == 1 else "s"
        flash(f"The quorum is now {panel.quorum} organisation{plural}.", "success")
        return redirect(url_for("panels.show", panel_id=panel.id))
    return render_template(
        "meetings/panel_settings.html", panel=panel, form=form, title=f"Settings – {panel.name}"
    )

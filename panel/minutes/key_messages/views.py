"""The `key_messages` blueprint.

The organisers write a meeting's key messages from its minutes page (``/meetings/<id>/key-
messages``): list, add, change, move up or down (buttons, no script), remove. Everyone on the
panel, readers included, reads the key messages once published (``/minutes/<id>/key-messages``),
downloads their OFFICIAL PDF as stored at publication, and browses the panel's archive by year.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import access
from panel.access import Action
from panel.core import pdf as core_pdf
from panel.core.audit import AuditAction, record
from panel.core.time import format_datetime
from panel.minutes import queries as minutes_queries
from panel.minutes.key_messages import queries, services
from panel.minutes.key_messages.forms import ConfirmForm, KeyMessageForm
from panel.minutes.key_messages.models import KeyMessage
from panel.minutes.key_messages.services import MAX_MESSAGES, KeyMessageRefused
from panel.minutes.models import Minutes

if TYPE_CHECKING:
    from panel.meetings.models import Meeting
    from panel.panels.models import Panel

bp = Blueprint("key_messages", __name__)


def _minutes_or_404(meeting: Meeting) -> Minutes:
    minutes = minutes_queries.minutes_of(meeting)
    if minutes is None:
        abort(404)
    return minutes


def _to_list(meeting_id: int):
    return redirect(url_for("key_messages.index", meeting_id=meeting_id))


def _day(meeting: Meeting) -> str:
    return format_datetime(meeting.starts_at, "date")


# --- Writing -----------------------------------------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/key-messages")
@access.rule(access.on_meeting(Action.WRITE_KEY_MESSAGES))
def index(meeting: Meeting):
    minutes = _minutes_or_404(meeting)
    return render_template(
        "minutes/key_messages/index.html",
        meeting=meeting,
        minutes=minutes,
        messages=services.messages_of(minutes),
        closed=services.writing_closed(minutes),
        most=MAX_MESSAGES,
        title=f"Key messages – {meeting.panel.name}, {_day(meeting)}",
    )


def _form_page(form: KeyMessageForm, minutes: Minutes, title: str, message=None):
    return render_template(
        "minutes/key_messages/form.html",
        form=form,
        meeting=minutes.meeting,
        minutes=minutes,
        message=message,
        title=title,
    )


def _save(form: KeyMessageForm, save) -> bool:
    """Call `save` with the form's details; on a refusal, say why beside its field."""
    try:
        save(form.details(), form.guard_outcome)
    except KeyMessageRefused as refused:
        form.refuse(getattr(form, refused.field), refused)
        return False
    return True


@bp.route("/meetings/<int:meeting_id>/key-messages/new", methods=["GET", "POST"])
@access.rule(access.on_meeting(Action.WRITE_KEY_MESSAGES))
def new(meeting: Meeting):
    minutes = _minutes_or_404(meeting)
    if closed := services.writing_closed(minutes):
        flash(closed, "error")
        return _to_list(meeting.id)
    form = KeyMessageForm(agencies=services.agencies(minutes))
    if form.validate_on_submit() and _save(
        form, lambda details, guard: services.add(current_user, minutes, details, guard)
    ):
        flash("Key message added.", "success")
        return _to_list(meeting.id)
    return _form_page(form, minutes, f"Add a key message – {meeting.panel.name}, {_day(meeting)}")


@bp.route("/key-messages/<int:key_message_id>/edit", methods=["GET", "POST"])
@access.rule(access.on_object(Action.WRITE_KEY_MESSAGES, KeyMessage))
def edit(key_message: KeyMessage):
    minutes = key_message.minutes
    if closed := services.writing_closed(minutes):
        flash(closed, "error")
        return _to_list(minutes.meeting_id)
    form = KeyMessageForm(
        data=KeyMessageForm.data_of(key_message),
        agencies=services.agencies(minutes, key_message.organisation_id),
    )
    if form.validate_on_submit() and _save(
        form, lambda details, guard: services.change(current_user, key_message, details, guard)
    ):
        flash(f"Key message {key_message.position} saved.", "success")
        return _to_list(minutes.meeting_id)
    return _form_page(form, minutes, f"Change key message {key_message.position}", key_message)


@bp.route("/key-messages/<int:key_message_id>/remove", methods=["GET", "POST"])
@access.rule(access.on_object(Action.WRITE_KEY_MESSAGES, KeyMessage))
def remove(key_message: KeyMessage):
    minutes = key_message.minutes
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.remove(current_user, key_message)
        except KeyMessageRefused as refused:
            flash(str(refused), "error")
        else:
            flash("Key message removed.", "success")
        return _to_list(minutes.meeting_id)
    return render_template(
        "minutes/key_messages/remove.html",
        form=form,
        message=key_message,
        meeting=minutes.meeting,
        title=f"Remove key message {key_message.position}?",
    )


@bp.post("/key-messages/<int:key_message_id>/move/<any(up, down):direction>")
@access.rule(access.on_object(Action.WRITE_KEY_MESSAGES, KeyMessage))
def move(key_message: KeyMessage, direction: str):
    meeting_id = key_message.minutes.meeting_id
    try:
        services.move(current_user, key_message, up=direction == "up")
    except KeyMessageRefused as refused:
        flash(str(refused), "error")
    else:
        flash(f"Key message moved {direction}. It is now number {key_message.position}.", "success")
    return _to_list(meeting_id)


# --- Reading what was published ----------------------------------------------------------------


def _published_or_404(minutes: Minutes, *, with_pdf: bool = False):
    """Only what was published is read here: key messages never published are Not Found."""
    publication = queries.current_publication(minutes, with_pdf=with_pdf)
    if publication is None:
        abort(404)
    return publication


@bp.get("/minutes/<int:minutes_id>/key-messages")
@access.rule(access.on_object(Action.READ_KEY_MESSAGES, Minutes))
def published(minutes: Minutes):
    publication = _published_or_404(minutes)
    return render_template(
        "minutes/key_messages/published.html",
        minutes=minutes,
        publication=publication,
        document=publication.content,
        title=publication.content["title"],
    )


@bp.get("/minutes/<int:minutes_id>/key-messages.pdf")
@access.rule(access.on_object(Action.READ_KEY_MESSAGES, Minutes))
def published_pdf(minutes: Minutes):
    publication = _published_or_404(minutes, with_pdf=True)
    # Read before the audit commit expires it: the bytes go out exactly as stored.
    stored, sha256 = publication.pdf, publication.sha256
    name = f"key-messages-{minutes.meeting.starts_at:%Y-%m-%d}.pdf"
    record(
        current_user,
        AuditAction.DOWNLOAD,
        publication,
        label=publication.content["title"][:200],
        changes={"sha256": sha256},
    )
    return core_pdf.download(stored, name)


@bp.get("/panels/<int:panel_id>/key-messages")
@access.rule(access.on_panel(Action.READ_KEY_MESSAGES))
def archive(panel: Panel):
    years = queries.years_published(panel.id)
    year = request.args.get("year", type=int) or (years[0] if years else None)
    if year is not None and year not in years:
        abort(404)
    return render_template(
        "minutes/key_messages/archive.html",
        panel=panel,
        years=years,
        year=year,
        page=queries.archive_page(panel.id, year) if year else None,
        title=f"Key messages{f' of {year}' if year else ''} – {panel.name}",
    )


# What templates may use from this package, wired in by the app factory (`panel.app`).
TEMPLATE_GLOBALS = {
    "key_messages_published": lambda minutes: queries.current_publication(minutes) is not None,
}

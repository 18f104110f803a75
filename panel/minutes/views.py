"""The `minutes` blueprint.

Members (under ``/meetings/<id>/minutes``) read the full minutes, drafts and every version; the
chair and coordinator write them; the chair approves them and publishes them, each on a
confirmation page that shows exactly what readers will get. The full minutes are case material,
so these pages ask for the panel's confidentiality agreement first.

Readers (every role, under ``/minutes``) get only what was published: the public layer of the
frozen version as a page, and the PDF stored at publication, byte for byte.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import access
from panel.access import Action
from panel.core import pdf as core_pdf
from panel.core.audit import AuditAction, record
from panel.core.locking import seen_version
from panel.core.time import format_datetime
from panel.meetings import queries as meeting_queries
from panel.minutes import queries, services
from panel.minutes.document import assemble, notes_of
from panel.minutes.forms import (
    YES,
    ApproveForm,
    ApproverRuleForm,
    NotesForm,
    PublishForm,
    StepForm,
)
from panel.minutes.models import Minutes, MinutesStatus, MinutesVersion
from panel.minutes.services import MinutesRefused

if TYPE_CHECKING:
    from panel.meetings.models import AgendaItem, Meeting
    from panel.panels.models import Panel

bp = Blueprint("minutes", __name__)


def minutes_can_start(meeting: Meeting) -> bool:
    return meeting.status in services.STARTABLE


def _members(action: Action) -> access.Rule:
    """A members' route about a meeting's minutes: case material, behind the agreement."""
    return access.on_meeting(action, case_material=True)


def _minutes_or_404(meeting: Meeting) -> Minutes:
    minutes = queries.minutes_of(meeting)
    if minutes is None:
        abort(404)
    return minutes


def _to_minutes(meeting: Meeting):
    return redirect(url_for("minutes.show", meeting_id=meeting.id))


def _to_edit(meeting: Meeting):
    return redirect(url_for("minutes.edit", meeting_id=meeting.id))


def _refused(reason: str, meeting: Meeting):
    """Back to the minutes, saying why what they asked for cannot be done."""
    flash(reason, "error")
    return _to_minutes(meeting)


def _day(meeting: Meeting) -> str:
    return format_datetime(meeting.starts_at, "date")


def _downloaded(minutes: Minutes, changes: dict) -> None:
    """Minutes leave Panel with a download: the trail says who took which version."""
    record(
        current_user,
        AuditAction.DOWNLOAD,
        minutes,
        label=services.label(minutes),
        changes=changes,
    )


# --- Members: reading --------------------------------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/minutes")
@access.rule(_members(Action.VIEW_MINUTES))
def show(meeting: Meeting):
    minutes = queries.minutes_of(meeting)
    document = queries.member_document(minutes, current_user) if minutes else None
    if document:
        services.record_case_views(current_user, meeting, document)
    return render_template(
        "minutes/show.html",
        meeting=meeting,
        minutes=minutes,
        document=document,
        published=minutes.published_version if minutes else None,
        title=f"Minutes of the meeting on {_day(meeting)} – {meeting.panel.name}",
    )


@bp.get("/meetings/<int:meeting_id>/minutes.pdf")
@access.rule(_members(Action.VIEW_MINUTES))
def pdf(meeting: Meeting):
    from panel.minutes.pdf import render_pdf

    minutes = _minutes_or_404(meeting)
    document = queries.member_document(minutes, current_user)
    # Once published, the full minutes as stored then; rendered for whoever may read less.
    rendered = queries.stored_full_pdf(minutes, document) or render_pdf(document)
    name = f"minutes-{meeting.starts_at:%Y-%m-%d}-version-{minutes.version_number}-full.pdf"
    _downloaded(minutes, {"version": minutes.version_number, "layer": "full"})
    services.record_case_views(current_user, meeting, document)
    return core_pdf.download(rendered, name)


@bp.get("/meetings/<int:meeting_id>/minutes/versions")
@access.rule(_members(Action.VIEW_MINUTES))
def versions(meeting: Meeting):
    minutes = _minutes_or_404(meeting)
    return render_template(
        "minutes/versions.html",
        meeting=meeting,
        minutes=minutes,
        has_draft=queries.has_draft(minutes),
        title=f"Versions of the minutes of the meeting on {_day(meeting)}",
    )


@bp.get("/meetings/<int:meeting_id>/minutes/versions/<int:number>")
@access.rule(_members(Action.VIEW_MINUTES))
def version(meeting: Meeting, number: int):
    minutes = _minutes_or_404(meeting)
    frozen = queries.version_of(minutes, number) or abort(404)
    document = queries.member_document(minutes, current_user, frozen)
    services.record_case_views(current_user, meeting, document)
    return render_template(
        "minutes/version.html",
        meeting=meeting,
        minutes=minutes,
        version=frozen,
        document=document,
        title=f"Version {number} of the minutes of the meeting on {_day(meeting)}",
    )


@bp.get("/meetings/<int:meeting_id>/minutes/compare")
@access.rule(_members(Action.VIEW_MINUTES))
def compare(meeting: Meeting):
    minutes = _minutes_or_404(meeting)
    old, old_name = _side(minutes, request.args.get("from", ""), draft_allowed=False)
    new, new_name = _side(minutes, request.args.get("to", ""), draft_allowed=True)
    rows = queries.compare(old.as_text(), new.as_text())
    services.record_case_views(current_user, meeting, old, new)
    return render_template(
        "minutes/compare.html",
        meeting=meeting,
        minutes=minutes,
        rows=rows,
        counts=queries.counts(rows),
        Change=queries.Change,
        old_name=old_name,
        new_name=new_name,
        title=f"Compare {old_name} with {new_name} – minutes of {_day(meeting)}",
    )


# `to=draft` compares with the version being written now.
DRAFT = "draft"


def _side(minutes: Minutes, value: str, *, draft_allowed: bool):
    """One side of a comparison: an approved version by number, or (as the newer side) the
    draft being written now. Anything else is Not Found."""
    if draft_allowed and value == DRAFT and queries.has_draft(minutes):
        document = queries.for_member(assemble(minutes), current_user)
        return document, f"the draft of version {minutes.version_number}"
    number = int(value) if value.isascii() and value.isdigit() else None
    frozen = queries.version_of(minutes, number) if number is not None else None
    if frozen is None:
        abort(404)
    return queries.member_document(minutes, current_user, frozen), f"version {frozen.number}"


# --- Members: writing --------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/minutes/start", methods=["GET", "POST"])
@access.rule(_members(Action.EDIT_MINUTES))
def start(meeting: Meeting):
    # The page offers the button again, e.g. to someone the confidentiality agreement stopped.
    if request.method == "GET":
        if queries.minutes_of(meeting) is not None:
            return _to_edit(meeting)
        return render_template(
            "minutes/start.html",
            meeting=meeting,
            can_start=minutes_can_start(meeting),
            title=f"Start the minutes – {meeting.panel.name}, {_day(meeting)}",
        )
    try:
        services.start(current_user, meeting)
    except MinutesRefused as refused:
        return _refused(str(refused), meeting)
    flash("Minutes started. Write the notes of each agenda item.", "success")
    return _to_edit(meeting)


def _notes_form(minutes: Minutes, agenda: list[AgendaItem]) -> NotesForm:
    """The notes of each agenda item the editor may read (not of a case they declared an interest
    in), guarded knowing the names of the people at the meeting."""
    meeting = minutes.meeting
    return NotesForm.for_agenda(
        agenda,
        with_aob=not queries.has_aob_item(agenda),
        minutes=minutes,
        notes=notes_of(minutes, agenda),
        withheld=access.withheld_case_ids(current_user),
        allow_override=access.can(current_user, Action.OVERRIDE_GUARD, meeting),
        known_names=meeting_queries.known_names(meeting),
    )


@bp.route("/meetings/<int:meeting_id>/minutes/edit", methods=["GET", "POST"])
@access.rule(_members(Action.EDIT_MINUTES))
def edit(meeting: Meeting):
    minutes = _minutes_or_404(meeting)
    if request.method == "GET" and (locked := services.notes_locked(minutes)):
        return _refused(locked, meeting)
    agenda = meeting_queries.agenda_of(meeting)
    form = _notes_form(minutes, agenda)
    if form.validate_on_submit():
        try:
            services.save_notes(current_user, minutes, **form.details(minutes))
        except MinutesRefused as refused:
            # Keep what they wrote, say why next to it, and let them save again on top of
            # what is saved now.
            form.refuse(form.first_field(), refused, saved=minutes, version="edit_version")
        else:
            flash("Notes saved.", "success")
            return _to_minutes(meeting)
    return render_template(
        "minutes/edit.html",
        meeting=meeting,
        minutes=minutes,
        form=form,
        items=queries.notes_items(minutes, agenda, current_user),
        title=f"Notes for the minutes of {_day(meeting)} – {meeting.panel.name}",
    )


def _take_step(meeting: Meeting, minutes: Minutes, step, form, done: str):
    """Move the minutes one step on from the edit version the page was drawn from, and say how
    it went on the minutes page: `done`, with the version's number, or why not."""
    try:
        step(current_user, minutes, seen_version(form.edit_version.data))
    except MinutesRefused as refused:
        return _refused(str(refused), meeting)
    flash(done.format(version=minutes.version_number), "success")
    return _to_minutes(meeting)


def _step_view(step, done: str):
    """A POST from a button on the minutes page that moves the minutes one step on."""

    def view(meeting: Meeting):
        return _take_step(meeting, _minutes_or_404(meeting), step, StepForm(), done)

    view.__name__ = step.__name__
    return view


STEPS = (
    (
        "submit",
        services.submit,
        "Minutes submitted to the chair for approval.",
    ),
    (
        "send-back",
        services.send_back,
        "Minutes sent back to draft.",
    ),
    (
        "new-version",
        services.new_version,
        "Version {version} started. Readers keep the published version until this one is "
        "published.",
    ),
)

for _path, _step, _done in STEPS:
    bp.add_url_rule(
        f"/meetings/<int:meeting_id>/minutes/{_path}",
        view_func=access.rule(_members(services.STEP_ACTIONS[_step.__name__]))(
            _step_view(_step, _done)
        ),
        methods=["POST"],
    )


@bp.route("/meetings/<int:meeting_id>/minutes/approve", methods=["GET", "POST"])
@access.rule(_members(Action.APPROVE_MINUTES))
def approve(meeting: Meeting):
    """The chair's confirmation: who drafted the version, what readers will see once it is
    published, and the approval that locks it, or why this person may not approve it."""
    minutes = _minutes_or_404(meeting)
    if closed := services.approval_closed(minutes):
        return _refused(closed, meeting)
    form = ApproveForm()
    if form.validate_on_submit():
        return _take_step(meeting, minutes, services.approve, form, APPROVED)
    form.edit_version.data = minutes.edit_version
    document = assemble(minutes)
    for_readers = queries.for_member(document.for_readers(), current_user)
    services.record_case_views(current_user, meeting, for_readers)
    return render_template(
        "minutes/approve.html",
        meeting=meeting,
        minutes=minutes,
        form=form,
        refused=services.approval_refused(current_user, minutes),
        summary=queries.approval_summary(document),
        document=for_readers,
        title=f"Approve the minutes of {meeting.panel.name} on {_day(meeting)}",
    )


APPROVED = (
    "Version {version} approved and locked. Review it and publish it when readers may see it."
)


@bp.route("/panels/<int:panel_id>/settings/minutes-approval", methods=["GET", "POST"])
@access.rule(access.on_panel(Action.APPROVE_MINUTES))
def approver_rule(panel: Panel):
    """The chair decides whether the approver must be someone other than the drafter."""
    form = ApproverRuleForm.for_panel(panel)
    if form.validate_on_submit():
        services.set_approver_rule(current_user, panel, form.approver_not_drafter.data == YES)
        flash(APPROVER_RULE_SAVED[panel.minutes_approver_not_drafter], "success")
        return redirect(url_for("attendance.panel_settings", panel_id=panel.id))
    return render_template(
        "minutes/approver_rule.html",
        panel=panel,
        form=form,
        title=f"Approval of minutes – {panel.name}",
    )


# What the panel's rule is now, by whether the approver must not be the drafter.
APPROVER_RULE_SAVED = {
    True: "The minutes must now be approved by someone other than the person who drafted them.",
    False: "The chair may now approve minutes they drafted.",
}


@bp.route("/meetings/<int:meeting_id>/minutes/publish", methods=["GET", "POST"])
@access.rule(_members(Action.APPROVE_MINUTES))
def publish(meeting: Meeting):
    minutes = _minutes_or_404(meeting)
    if closed := services.publication_closed(minutes):
        return _refused(closed, meeting)
    form = PublishForm(data={"edit_version": minutes.edit_version})
    if form.validate_on_submit():
        from panel.minutes.pdf import render_pdf

        step = functools.partial(services.publish, render=render_pdf)
        return _take_step(meeting, minutes, step, form, PUBLISHED)
    document = queries.for_member(queries.readers_document(minutes.versions[-1]), current_user)
    services.record_case_views(current_user, meeting, document)
    return render_template(
        "minutes/publish.html",
        meeting=meeting,
        minutes=minutes,
        form=form,
        document=document,
        title=f"Publish the minutes of {meeting.panel.name} on {_day(meeting)}",
    )


PUBLISHED = "Version {version} published. Readers can now read it."


# --- Readers -----------------------------------------------------------------------------------


def _published_list(panel_ids: list[int], panel: Panel | None):
    return render_template(
        "minutes/index.html",
        panel=panel,
        page=queries.published_page(panel_ids),
        panel_ids=panel_ids,
        title=f"Published minutes – {panel.name}" if panel else "Published minutes",
    )


@bp.get("/minutes")
@access.rule(access.on_any_panel(Action.READ_PUBLISHED_MINUTES))
def index():
    return _published_list(access.panels_where(current_user, Action.READ_PUBLISHED_MINUTES), None)


@bp.get("/panels/<int:panel_id>/minutes")
@access.rule(access.on_panel(Action.READ_PUBLISHED_MINUTES))
def panel_index(panel: Panel):
    return _published_list([panel.id], panel)


def _published_or_404(minutes: Minutes, *, with_pdf: bool = False) -> MinutesVersion:
    """Readers see only what was published: minutes never published are Not Found."""
    published = queries.published_version(minutes, with_pdf=with_pdf)
    if published is None:
        abort(404)
    return published


@bp.get("/minutes/<int:minutes_id>")
@access.rule(access.on_object(Action.READ_PUBLISHED_MINUTES, Minutes))
def published(minutes: Minutes):
    version = _published_or_404(minutes)
    document = queries.for_member(queries.readers_document(version), current_user)
    # Readers too: their layer carries each case review's narrative.
    services.record_case_views(current_user, minutes.meeting, document)
    return render_template(
        "minutes/published.html",
        minutes=minutes,
        meeting=minutes.meeting,
        version=version,
        document=document,
        title=f"Minutes of {minutes.meeting.panel.name}, {_day(minutes.meeting)}",
    )


@bp.get("/minutes/<int:minutes_id>.pdf")
@access.rule(access.on_object(Action.READ_PUBLISHED_MINUTES, Minutes))
def published_pdf(minutes: Minutes):
    version = _published_or_404(minutes, with_pdf=True)
    name = f"minutes-{minutes.meeting.starts_at:%Y-%m-%d}-version-{version.number}.pdf"
    shared = queries.readers_document(version)
    personal = queries.for_member(shared, current_user)
    services.record_case_views(current_user, minutes.meeting, personal)
    if personal is not shared:
        # A member who declared an interest in a case: rendered for them, without it.
        from panel.minutes.pdf import render_pdf

        rendered = render_pdf(personal)
        _downloaded(minutes, {"version": version.number, "withheld": True})
        return core_pdf.download(rendered, name)
    # Read before the audit commit expires the version: the bytes go out exactly as stored.
    stored = version.published_pdf
    _downloaded(minutes, {"version": version.number, "sha256": version.published_sha256})
    return core_pdf.download(stored, name)


# What templates may use from this package, wired in by the app factory (`panel.app`).
TEMPLATE_GLOBALS = {
    "MinutesStatus": MinutesStatus,
    "minutes_of_meeting": queries.minutes_of,
    "minutes_can_start": minutes_can_start,
}

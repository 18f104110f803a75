"""The `lessons` blueprint: lessons learnt, recommendations through their lifecycle, and the
register (one panel's, or every panel the user sits on) with its CSV export."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import access
from panel.access import Action
from panel.core import pagination
from panel.core.audit import AuditAction, record
from panel.core.csv_export import csv_response
from panel.core.locking import seen_version
from panel.lessons import export, lifecycle, queries, services
from panel.lessons import matters as _matters  # noqa: F401  (registers the matters arising)
from panel.lessons.forms import (
    MOVE_WORDING,
    DeleteForm,
    LessonForm,
    MoveForm,
    RecommendationForm,
    RegisterFilterForm,
)
from panel.lessons.lifecycle import Move, RecommendationRefused
from panel.lessons.models import Lesson, LessonKind, Recommendation, RecommendationStatus

if TYPE_CHECKING:
    from panel.cases.models import CaseReview
    from panel.meetings.models import Meeting
    from panel.panels.models import Panel

bp = Blueprint("lessons", __name__)


def recommendation_moves(recommendation: Recommendation) -> list[tuple[str, str]]:
    """(label, url) for each step the user may take on the recommendation now."""
    moves = []
    for move in lifecycle.available(recommendation.status):
        if access.can(current_user, services.MOVE_ACTIONS[move], recommendation):
            moves.append(
                (
                    MOVE_WORDING[move][0],
                    url_for(f"lessons.{move.value}", recommendation_id=recommendation.id),
                )
            )
    return moves


def _allow_override(target) -> bool:
    return access.can(current_user, Action.OVERRIDE_GUARD, target)


def _to_lesson(lesson: Lesson, anchor: str | None = None):
    return redirect(url_for("lessons.show", lesson_id=lesson.id, _anchor=anchor))


def _to_recommendation(recommendation: Recommendation):
    return redirect(url_for("lessons.recommendation", recommendation_id=recommendation.id))


def _lessons_section(*, case_review_id: int | None = None, meeting_id: int | None = None) -> str:
    """Where a lesson is listed: on the page of the case review or meeting it is recorded
    against."""
    if case_review_id:
        return url_for("cases.show", case_review_id=case_review_id, _anchor="lessons")
    return url_for("meetings.show", meeting_id=meeting_id, _anchor="lessons")


def _told(addressed: services.Addressed) -> None:
    """Say whom the e-mail goes to (it is queued, and goes once the recommendation is saved)."""
    name = addressed.recommendation.organisation.name
    if addressed.notified == 0:
        flash(
            f"Recommendation saved. Nobody from {name} sits on this panel, so nobody was "
            "e-mailed: send it to them another way, and record their response here.",
            "success",
        )
    else:
        people = "person" if addressed.notified == 1 else "people"
        flash(
            f"Recommendation saved. We will e-mail {addressed.notified} {people} at {name}.",
            "success",
        )


def _told_if_readdressed(addressed: services.Addressed) -> None:
    """A changed recommendation e-mails only the members of an organisation it is now addressed
    to: say whom it goes to when it goes to anyone."""
    if addressed.notified:
        _told(addressed)
    else:
        flash("Recommendation saved.", "success")


# --- The register ------------------------------------------------------------------------------


def _filter_form(panel_ids: list[int]) -> RegisterFilterForm:
    """The register's filters, offering the organisations on these panels (and the one asked
    for, such as a member's own from their home page)."""
    asked = request.args.get("organisation", "")
    also = int(asked) if asked.isascii() and asked.isdigit() and len(asked) < 10 else None
    form = RegisterFilterForm(request.args, organisations=queries.organisations(panel_ids, also))
    form.validate()
    return form


def _register(panel_ids: list[int], panel: Panel | None):
    form = _filter_form(panel_ids)
    filters = form.filters()
    return render_template(
        "lessons/register.html",
        panel=panel,
        form=form,
        filters=filters,
        page=queries.register_page(panel_ids, current_user, filters),
        csv_url=url_for(
            "lessons.panel_register_csv" if panel else "lessons.register_csv",
            **({"panel_id": panel.id} if panel else {}),
            **pagination.query_args(),
        ),
        may_record=panel is not None and access.can(current_user, Action.RECORD_LESSONS, panel),
        title=f"Lessons register – {panel.name}" if panel else "Lessons register",
    )


def _register_csv(panel_ids: list[int], panel: Panel | None):
    form = _filter_form(panel_ids)
    filters = form.filters()
    record(
        current_user,
        AuditAction.EXPORT,
        panel,
        label=f"Lessons register of {panel.name if panel else 'all their panels'}"[:200],
        changes={"filters": request.args.to_dict()},
    )
    lessons = queries.register_all(panel_ids, current_user, filters)
    name = f"lessons-panel-{panel.id}" if panel else "lessons"
    return csv_response(
        f"{name}-{filters.today.isoformat()}.csv",
        export.HEADER,
        export.register_rows(lessons, filters.today),
    )


@bp.get("/lessons")
@access.rule(access.on_any_panel(Action.VIEW_LESSONS))
def register():
    return _register(access.panels_where(current_user, Action.VIEW_LESSONS), None)


@bp.get("/lessons.csv")
@access.rule(access.on_any_panel(Action.VIEW_LESSONS))
def register_csv():
    return _register_csv(access.panels_where(current_user, Action.VIEW_LESSONS), None)


@bp.get("/panels/<int:panel_id>/lessons")
@access.rule(access.on_panel(Action.VIEW_LESSONS))
def panel_register(panel):
    return _register([panel.id], panel)


@bp.get("/panels/<int:panel_id>/lessons.csv")
@access.rule(access.on_panel(Action.VIEW_LESSONS))
def panel_register_csv(panel):
    return _register_csv([panel.id], panel)


# --- Lessons -----------------------------------------------------------------------------------


def _record_lesson(form: LessonForm, back: str, **against):
    if form.validate_on_submit():
        try:
            lesson = services.record_lesson(
                current_user, form.details(), guard=form.guard_outcome, **against
            )
        except RecommendationRefused as refused:
            flash(str(refused), "error")
        else:
            more = " Add a recommendation if an agency should act on it."
            flash(
                f"Lesson saved.{more if lesson.kind == LessonKind.IMPROVEMENT else ''}", "success"
            )
            return _to_lesson(lesson)
    target = against.get("case_review") or against.get("meeting")
    return _lesson_form(form, target, back, "Record a lesson learnt")


def _lesson_form(form: LessonForm, against, back: str, title: str, lesson: Lesson | None = None):
    """The page recording a lesson, or changing `lesson`, against a case review or a meeting."""
    return render_template(
        "lessons/lesson_form.html",
        form=form,
        lesson=lesson,
        against=against,
        back=back,
        panel=against.panel,
        title=title,
    )


@bp.route("/case-reviews/<int:case_review_id>/lessons/new", methods=["GET", "POST"])
@access.rule(access.on_case_material(Action.RECORD_LESSONS))
def new_for_case(case_review: CaseReview):
    stage = next((s for s in queries.Stage if s.value == request.args.get("stage")), None)
    form = LessonForm(
        data={"strands": case_review.strands, "stage": stage},
        with_stage=True,
        allow_override=_allow_override(case_review),
    )
    back = _lessons_section(case_review_id=case_review.id)
    return _record_lesson(form, back, case_review=case_review)


@bp.route("/meetings/<int:meeting_id>/lessons/new", methods=["GET", "POST"])
@access.rule(access.on_meeting(Action.RECORD_LESSONS))
def new_for_meeting(meeting: Meeting):
    form = LessonForm(with_stage=False, allow_override=_allow_override(meeting))
    back = _lessons_section(meeting_id=meeting.id)
    return _record_lesson(form, back, meeting=meeting)


@bp.get("/lessons/<int:lesson_id>")
@access.rule(access.on_object(Action.VIEW_LESSONS, Lesson))
def show(lesson: Lesson):
    return render_template(
        "lessons/show.html",
        lesson=queries.lesson_page(lesson),
        recommendations=queries.recommendations_page(lesson),
        may_record=access.can(current_user, Action.RECORD_LESSONS, lesson),
        title=f"Lesson {lesson.id} – {lesson.panel.name}",
    )


@bp.route("/lessons/<int:lesson_id>/edit", methods=["GET", "POST"])
@access.rule(access.on_object(Action.RECORD_LESSONS, Lesson))
def edit(lesson: Lesson):
    form = LessonForm.for_lesson(lesson, allow_override=_allow_override(lesson))
    if form.validate_on_submit():
        try:
            services.update_lesson(current_user, lesson, form.details(), form.guard_outcome)
        except RecommendationRefused as refused:
            # The only refusal is of the kind: a lesson with recommendations stays one.
            form.refuse(form.kind, refused)
        else:
            flash("Lesson saved.", "success")
            return _to_lesson(lesson)
    back = url_for("lessons.show", lesson_id=lesson.id)
    against = lesson.case_review or lesson.meeting
    return _lesson_form(form, against, back, f"Change lesson {lesson.id}", lesson)


@bp.route("/lessons/<int:lesson_id>/delete", methods=["GET", "POST"])
@access.rule(access.on_object(Action.RECORD_LESSONS, Lesson))
def delete(lesson: Lesson):
    form = DeleteForm()
    if form.validate_on_submit():
        back = _lessons_section(case_review_id=lesson.case_review_id, meeting_id=lesson.meeting_id)
        try:
            services.delete_lesson(current_user, lesson)
        except RecommendationRefused as refused:
            flash(str(refused), "error")
            return _to_lesson(lesson)
        flash("Lesson deleted.", "success")
        return redirect(back)
    return render_template(
        "lessons/delete.html", form=form, lesson=lesson, title=f"Delete lesson {lesson.id}"
    )


# --- Recommendations ---------------------------------------------------------------------------


@bp.route("/lessons/<int:lesson_id>/recommendations/new", methods=["GET", "POST"])
@access.rule(access.on_object(Action.RECORD_LESSONS, Lesson))
def new_recommendation(lesson: Lesson):
    form = RecommendationForm.for_recommendation(lesson, allow_override=_allow_override(lesson))
    if form.validate_on_submit():
        try:
            addressed = services.add_recommendation(
                current_user, lesson, form.details(), form.guard_outcome
            )
        except RecommendationRefused as refused:
            flash(str(refused), "error")
            return _to_lesson(lesson)
        _told(addressed)
        return _to_lesson(lesson, f"recommendation-{addressed.recommendation.id}")
    return _recommendation_form(form, lesson, f"Add a recommendation to lesson {lesson.id}")


def _recommendation_form(
    form: RecommendationForm,
    lesson: Lesson,
    title: str,
    recommendation: Recommendation | None = None,
):
    """The page adding a recommendation to `lesson`, or changing `recommendation`."""
    return render_template(
        "lessons/recommendation_form.html",
        form=form,
        lesson=lesson,
        recommendation=recommendation,
        title=title,
    )


@bp.get("/recommendations/<int:recommendation_id>")
@access.rule(access.on_object(Action.VIEW_LESSONS, Recommendation))
def recommendation(recommendation: Recommendation):
    lesson = queries.lesson_page(recommendation.lesson)
    return render_template(
        "lessons/recommendation.html",
        recommendation=recommendation,
        history=queries.history_page(recommendation),
        lesson=lesson,
        may_record=access.can(current_user, Action.RECORD_LESSONS, lesson),
        title=f"Recommendation {recommendation.id} to {recommendation.organisation.name}",
    )


@bp.route("/recommendations/<int:recommendation_id>/edit", methods=["GET", "POST"])
@access.rule(access.on_object(Action.RECORD_LESSONS, Recommendation))
def edit_recommendation(recommendation: Recommendation):
    form = RecommendationForm.for_recommendation(
        recommendation.lesson, recommendation, allow_override=_allow_override(recommendation)
    )
    if form.validate_on_submit():
        try:
            addressed = services.update_recommendation(
                current_user,
                recommendation,
                form.details(),
                seen_version(form.version.data),
                form.guard_outcome,
            )
        except RecommendationRefused as refused:
            form.refuse(form.text, refused, saved=recommendation)
        else:
            _told_if_readdressed(addressed)
            return _to_recommendation(recommendation)
    title = f"Change recommendation {recommendation.id}"
    return _recommendation_form(form, recommendation.lesson, title, recommendation)


_MOVE_DONE = {
    Move.RESPOND: "Response recorded.",
    Move.IMPLEMENT: "Recommendation reported as implemented. The chair will review it.",
    Move.CLOSE: "Recommendation closed.",
    Move.WITHDRAW: "Recommendation withdrawn.",
}


def _move_view(move: Move):
    def view(recommendation: Recommendation):
        form = MoveForm(
            data={"version": recommendation.version},
            move=move,
            allow_override=_allow_override(recommendation),
        )
        if request.method == "GET" and move not in lifecycle.available(recommendation.status):
            flash(
                f"This recommendation is {recommendation.status.label.lower()}: there is "
                "nothing to do here now.",
                "error",
            )
            return _to_recommendation(recommendation)
        if form.validate_on_submit():
            try:
                services.move_recommendation(
                    current_user,
                    recommendation,
                    move,
                    form.target(),
                    form.note.data,
                    seen_version(form.version.data),
                    form.guard_outcome,
                )
            except RecommendationRefused as refused:
                # Show the recommendation as it is now, keep what they typed, and let them
                # try again on top of what they can now see.
                form.refuse(form.note, refused, saved=recommendation)
            else:
                flash(_MOVE_DONE[move], "success")
                return _to_recommendation(recommendation)
        return render_template(
            "lessons/move.html",
            form=form,
            move=move,
            heading=MOVE_WORDING[move][0],
            recommendation=queries.with_history([recommendation])[0],
            lesson=recommendation.lesson,
            title=f"{MOVE_WORDING[move][0]} – recommendation {recommendation.id}",
        )

    view.__name__ = move.value
    return view


for _move in Move:
    bp.add_url_rule(
        f"/recommendations/<int:recommendation_id>/{_move.value}",
        view_func=access.rule(access.on_object(services.MOVE_ACTIONS[_move], Recommendation))(
            _move_view(_move)
        ),
        methods=["GET", "POST"],
    )


# What templates may use from this package, wired in by the app factory (`panel.app`).
TEMPLATE_GLOBALS = {
    "LessonKind": LessonKind,
    "RecommendationStatus": RecommendationStatus,
    "recommendation_overdue": queries.is_overdue,
    "recommendation_moves": recommendation_moves,
}

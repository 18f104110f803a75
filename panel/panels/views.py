"""The home page (the panels a user sits on) and each panel's page."""

from flask import Blueprint, render_template
from flask_login import current_user

from panel import access
from panel.access import Action
from panel.interventions import queries as interventions
from panel.lessons import queries as lessons
from panel.meetings import queries as meetings
from panel.meetings.attendance import services as attendance
from panel.panels import queries

bp = Blueprint("panels", __name__)


@bp.get("/")
@access.rule(access.SIGNED_IN)
def home():
    return render_template(
        "panels/home.html",
        memberships=queries.memberships_of(current_user),
        next_meetings=meetings.next_meetings_for(current_user),
        chair_follow_up=lessons.chair_follow_up(current_user),
        organisation_work=queries.organisation_work(current_user),
        overdue_interventions=interventions.overdue_for_organiser(current_user),
        guard_overrides=queries.latest_for_organiser(current_user),
        logged_by_partners=interventions.logged_by_partners_for_organiser(current_user),
        title="Home",
    )


@bp.get("/panels/<int:panel_id>")
@access.rule(access.on_panel(Action.VIEW_PANEL))
def show(panel):
    sees_meetings = access.can(current_user, Action.VIEW_MEETINGS, panel)
    members = (
        queries.members_of(panel) if access.can(current_user, Action.VIEW_MEMBERS, panel) else []
    )
    return render_template(
        "panels/show.html",
        panel=panel,
        role=access.role_on(current_user, panel),
        members=members,
        next_meeting=meetings.next_meeting(panel) if sees_meetings else None,
        attendance_rates=attendance.attendance_rates(panel) if sees_meetings else None,
        title=panel.name,
    )

"""Calendar pages on the meetings blueprint: a meeting's .ics file, the private feed, and the
buttons on "Your account" that create, reset or stop the feed's address."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, url_for
from flask_login import current_user

from panel import access
from panel.access import Action
from panel.meetings.calendar import services as calendar
from panel.meetings.models import Meeting

bp = Blueprint("calendar", __name__)


def _meeting_url(meeting: Meeting) -> str:
    return url_for("meetings.show", meeting_id=meeting.id, _external=True)


def _ics(body: bytes, **headers: str) -> Response:
    return Response(body, content_type="text/calendar; charset=utf-8", headers=headers)


@bp.get("/meetings/<int:meeting_id>/calendar.ics")
@access.rule(access.on_object(Action.VIEW_MEETINGS, Meeting))
def meeting_calendar(meeting):
    return _ics(
        calendar.calendar_for([meeting], _meeting_url),
        **{"Content-Disposition": f'attachment; filename="{calendar.filename_for(meeting)}"'},
    )


# Public: calendar apps cannot sign in, so the secret token in the address is the credential.
@bp.get("/calendar/<token>.ics")
@access.rule(access.PUBLIC)
def calendar_feed(token):
    user = calendar.user_for_token(token)
    if user is None:
        abort(404)
    return _ics(
        calendar.calendar_for(calendar.feed_meetings(user), _meeting_url),
        # The address is a secret: keep it out of caches and out of other sites' logs.
        **{"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


@bp.post("/account/calendar")
@access.rule(access.SIGNED_IN)
def issue_calendar_link():
    replacing = current_user.calendar_token is not None
    calendar.issue_calendar_token(current_user)
    flash(
        "Your calendar link has been reset. The old link no longer works."
        if replacing
        else "Your calendar link has been created.",
        "success",
    )
    return redirect(url_for("accounts.account", _anchor="calendar"))


@bp.post("/account/calendar/revoke")
@access.rule(access.SIGNED_IN)
def revoke_calendar_link():
    calendar.revoke_calendar_token(current_user)
    flash(
        "Your calendar link has been stopped. Calendars using it will no longer update.", "success"
    )
    return redirect(url_for("accounts.account", _anchor="calendar"))

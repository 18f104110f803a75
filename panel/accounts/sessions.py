"""How long a signed-in session lasts: it ends after `SESSION_IDLE_MINUTES` without a request
(30 by default) and, whatever the activity, `SESSION_MAX_HOURS` after sign-in (12 by default),
as NCSC guidance asks for systems holding OFFICIAL-SENSITIVE material.

The times live in the signed session cookie, so they cannot be changed by the browser.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

from panel.database import utcnow

SIGNED_IN_AT, LAST_SEEN = "signed_in_at", "last_seen"


def started() -> None:
    """Call at sign-in, after `login_user`."""
    now = utcnow().timestamp()
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN] = now


def ended_because(now: float) -> str | None:
    """Why the current session has ended, in the user's words; None while it is alive."""
    config = current_app.config
    signed_in_at = session.get(SIGNED_IN_AT)
    last_seen = session.get(LAST_SEEN)
    if not isinstance(signed_in_at, int | float) or not isinstance(last_seen, int | float):
        return "Your session has ended. Sign in again."
    if now - signed_in_at > config["SESSION_MAX_HOURS"] * 3600:
        return (
            f"You have been signed out because you signed in more than "
            f"{config['SESSION_MAX_HOURS']} hours ago. Sign in again to carry on."
        )
    if now - last_seen > config["SESSION_IDLE_MINUTES"] * 60:
        return (
            f"You have been signed out after {config['SESSION_IDLE_MINUTES']} minutes without "
            "activity, to keep case material safe. Sign in again to carry on."
        )
    return None


def check():
    """Run before every request, before the access check: end a session that has lived too long
    or sat idle too long, otherwise note this request as activity."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = utcnow().timestamp()
    reason = ended_because(now)
    if reason is None:
        session[LAST_SEEN] = now
        return None
    logout_user()
    session.clear()
    flash(reason, "info")
    next_page = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("accounts.sign_in", next=next_page))

"""Signed-in sessions: each starts afresh at sign-in (`start`, `renew`), and ends after
`SESSION_IDLE_MINUTES` without a request (30 by default) and, whatever the activity,
`SESSION_MAX_HOURS` after sign-in (12 by default), as NCSC guidance asks for systems holding
OFFICIAL-SENSITIVE material (`check`, before every request).

The times live in the signed session cookie, so they cannot be changed by the browser.
"""

from __future__ import annotations

import secrets

from flask import current_app, flash, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user, login_user, logout_user

from panel.core.database import utcnow
from panel.core.urls import come_back_to

SIGNED_IN_AT, LAST_SEEN, SESSION_ID = "signed_in_at", "last_seen", "session_id"
# Set once the person has given their second factor (or set one up) in this session.
TWO_FACTOR_VERIFIED = "two_factor_verified"
# When the person last proved who they are in full (their password, and their second factor if
# they have one): at sign-in, and again on "Confirm it's you" (panel/core/reauth.py).
CONFIRMED_AT = "confirmed_at"
# When they last gave their password on "Confirm it's you", whether or not a code followed.
PASSWORD_CONFIRMED_AT = "password_confirmed_at"  # noqa: S105 (a session key)
# Endpoints that neither read nor renew a session, whoever asks: files, and the health checks a
# load balancer asks for several times a second (which must answer while the database, where
# the person would be looked up, is away).
SESSIONLESS = frozenset({"static", "health.healthz", "health.readyz"})


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer made once per secret key rather
    than twice per request (to read the cookie, and again to sign it)."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, object] = {}

    def get_signing_serializer(self, app):
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        found = self._serializers.get(keys)
        if found is None:
            found = self._serializers[keys] = super().get_signing_serializer(app)
        return found


def start(user, *, two_factor_verified: bool) -> None:
    """Sign `user` in on a new session: nothing from before carries over, and the cookie gets a
    new random session id, so a session id planted or seen before sign-in is worthless."""
    session.clear()
    login_user(user)
    now = utcnow().timestamp()
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN] = now
    session[SESSION_ID] = secrets.token_urlsafe(16)
    # Signing in is proving who they are in full: a second factor, for whoever has one.
    session[CONFIRMED_AT] = now
    if two_factor_verified:
        session[TWO_FACTOR_VERIFIED] = True


_KEPT_ON_RENEWAL = (
    SIGNED_IN_AT,
    LAST_SEEN,
    TWO_FACTOR_VERIFIED,
    CONFIRMED_AT,
    PASSWORD_CONFIRMED_AT,
)


def renew(user) -> None:
    """A new session id for the same sign-in (at second-factor set-up, or after the person's
    session token changed), keeping when they signed in so the 12-hour limit still counts, and
    when they last confirmed it was them."""
    kept = {key: session[key] for key in _KEPT_ON_RENEWAL if key in session}
    session.clear()
    login_user(user)
    session.update(kept)
    session[SESSION_ID] = secrets.token_urlsafe(16)


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
        return idle_message()
    return None


def idle_message() -> str:
    """What the sign-in page says to someone whose session sat idle too long."""
    minutes = current_app.config["SESSION_IDLE_MINUTES"]
    unit = "minute" if minutes == 1 else "minutes"
    return (
        f"You have been signed out after {minutes} {unit} without activity, to keep case "
        "material safe. Sign in again to carry on."
    )


def check():
    """Run before every request, before the access check: end a session that has lived too long
    or sat idle too long, otherwise note this request as activity. Signing in again leads back
    to the page (for a form posted, the page it offers the action on: `come_back_to`)."""
    if request.endpoint in SESSIONLESS or not current_user.is_authenticated:
        return None
    now = utcnow().timestamp()
    reason = ended_because(now)
    if reason is None:
        session[LAST_SEEN] = now
        return None
    return end(reason, next_page=come_back_to())


def end(reason: str, next_page: str | None = None):
    """End this session now, for `reason` (shown on the sign-in page it sends the person to):
    e.g. their address locked while they were signed in. Given `next_page` (a path on this site,
    checked when they sign in), signing in again leads back there."""
    logout_user()
    session.clear()
    flash(reason, "info")
    return redirect(url_for("accounts.sign_in", next=next_page or None))

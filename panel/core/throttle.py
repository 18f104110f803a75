"""Throttling of the pages that check a secret (sign-in, the second factor, password reset, and
the account pages that ask for the password or a code again), with Flask-Limiter, so that nobody
can try passwords or codes at speed.

Limits count per client address (behind a proxy, `PROXY_COUNT` makes that the real client). They
are kept in memory by default, which is right for one app server; with several, set
`RATELIMIT_STORAGE_URI` (e.g. ``redis://127.0.0.1:6379/0``) so that all servers share the counts.

Each app gets its own `Limiter`, so an app built with other settings (a test's) never shares
counts or storage with another. Only POSTs count: reading a form costs nothing.
"""

from __future__ import annotations

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

# endpoint -> the setting holding its limit, e.g. "10 per minute; 100 per hour"
THROTTLED = {
    "accounts.sign_in": "SIGN_IN_RATE_LIMIT",
    "accounts.second_factor": "TWO_FACTOR_RATE_LIMIT",
    "accounts.passkey_sign_in": "TWO_FACTOR_RATE_LIMIT",
    "links.forgotten_password": "PASSWORD_RESET_RATE_LIMIT",
    "links.reset_password": "PASSWORD_RESET_RATE_LIMIT",
    "links.invitation": "PASSWORD_RESET_RATE_LIMIT",
    # Signed in, proving it is them again: the current password to change it, a code from the
    # app to make new recovery codes.
    "accounts.account": "SIGN_IN_RATE_LIMIT",
    "two_factor.recovery_codes": "TWO_FACTOR_RATE_LIMIT",
    # "Confirm it's you" before a sensitive change (panel/core/reauth.py): as signing in.
    "accounts.confirm": "SIGN_IN_RATE_LIMIT",
    "accounts.confirm_code": "TWO_FACTOR_RATE_LIMIT",
    "accounts.confirm_passkey": "TWO_FACTOR_RATE_LIMIT",
}


def init_app(app: Flask) -> Limiter:
    limiter = Limiter(
        key_func=get_remote_address,
        storage_uri=app.config["RATELIMIT_STORAGE_URI"],
        headers_enabled=True,  # Retry-After on the "Too many attempts" page
    )
    limiter.init_app(app)
    # Flask-Limiter's check before every request applies default and application-wide limits,
    # which Panel has none of (the throttled views' own decorators check theirs): on every other
    # page it only looked up and resolved no limits, a quarter of what /healthz cost.
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    for endpoint, setting in THROTTLED.items():
        app.view_functions[endpoint] = limiter.limit(
            _setting(setting), methods=["POST"], scope=endpoint
        )(app.view_functions[endpoint])
    app.extensions["panel_limiter"] = limiter
    return limiter


def limiter_for(app: Flask) -> Limiter:
    return app.extensions["panel_limiter"]


def _setting(name: str):
    # Read when the limit is checked, so each app (and a test) can set its own.
    return lambda: current_app.config[name]

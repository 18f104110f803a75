"""Confirming it's you. Before a change that would hand an account to whoever sits at a session
left open (an e-mail address, a second factor, someone's administrator access or panel role), the
person proves who they are again, unless they did so a few minutes ago (ASVS 5.0 7.5.1).

`require_recent_sign_in` guards such a route. Without a recent confirmation it sends the person to
"Confirm it's you" (`accounts.confirm`, then for whoever has a second factor
`accounts.confirm_passkey`, or `accounts.confirm_code` for an app code or a recovery code), which
records the time in the session (`confirmed`) and sends them back. Signing in counts as
confirming: someone who signed in a minute ago is not asked again. Wrong answers there are guarded
as at sign-in: throttled, audited, and counted towards the lock on the address
(`panel.accounts.services.confirm_password`, `confirm_second_factor`, `confirm_passkey`).

Any route can use it, whatever proves the second factor: a page that adds a passkey takes
``@require_recent_sign_in()`` under its access rule, and a passkey confirming the second step
calls `confirmed(second_factor=True)` as the code does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import current_app, flash, redirect, request, session, url_for

from panel.core.database import utcnow
from panel.core.sessions import CONFIRMED_AT, PASSWORD_CONFIRMED_AT
from panel.core.urls import come_back_to

# Between the password and the second factor on "Confirm it's you": the code must follow the
# password within this long.
CODE_AFTER_PASSWORD_SECONDS = 5 * 60
# `accounts.confirm?only=password`: a page that asks for a code from the app itself
# (`second_factor=False`) needs only the password first.
ONLY_PASSWORD = "password"  # noqa: S105 (a word in the address, not a secret)


def _seconds_since(key: str) -> float | None:
    at = session.get(key)
    if not isinstance(at, int | float):
        return None
    return utcnow().timestamp() - at


def recently_confirmed(max_age: int | None = None, *, second_factor: bool = True) -> bool:
    """Whether the person proved who they are in the last `max_age` minutes (by default
    `RECENT_SIGN_IN_MINUTES`): with their password and second factor, or, when `second_factor`
    is False, at least with their password."""
    minutes = max_age or current_app.config["RECENT_SIGN_IN_MINUTES"]
    keys = (CONFIRMED_AT,) if second_factor else (CONFIRMED_AT, PASSWORD_CONFIRMED_AT)
    ages = [age for key in keys if (age := _seconds_since(key)) is not None]
    return any(0 <= age <= minutes * 60 for age in ages)


def password_just_confirmed() -> bool:
    """Whether the person gave their password on "Confirm it's you" moments ago, so may give
    the second factor next."""
    age = _seconds_since(PASSWORD_CONFIRMED_AT)
    return age is not None and 0 <= age <= CODE_AFTER_PASSWORD_SECONDS


def confirmed(*, second_factor: bool) -> None:
    """Record that the person has just proved who they are: with their password alone, or in
    full (`second_factor`: their second factor too, or they have none)."""
    now = utcnow().timestamp()
    session[PASSWORD_CONFIRMED_AT] = now
    if second_factor:
        session[CONFIRMED_AT] = now


def require_recent_sign_in(
    max_age: int | None = None, *, second_factor: bool | Callable[[], bool] = True
):
    """Decorate a view (under its `access.rule`, so that only someone allowed there is asked) so
    that it runs only for someone who proved who they are in the last `max_age` minutes (see
    `recently_confirmed`); anyone else confirms it's them first, and comes back.

    `second_factor=False` is for a page that asks for a code from the app itself (making new
    recovery codes): "Confirm it's you" then asks only for the password, as a second code in the
    same 30 seconds would be refused as a replay. A function instead says, for each request,
    whether the second factor is asked for (when the page asks for an app code only of those who
    have the app)."""

    def decorate(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            full = second_factor() if callable(second_factor) else second_factor
            if recently_confirmed(max_age, second_factor=full):
                return view(*args, **kwargs)
            if request.method != "GET":
                flash("Nothing has been changed yet. Confirm it's you, then try again.", "info")
            only = {} if full else {"only": ONLY_PASSWORD}
            return redirect(url_for("accounts.confirm", next=come_back_to(), **only))

        guarded.requires_recent_sign_in = True
        return guarded

    return decorate

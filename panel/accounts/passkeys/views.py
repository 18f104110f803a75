"""The person's own passkeys, from their account page: adding another, naming and removing them.
Creating the first is part of setting up two-factor sign-in (panel/accounts/two_factor/views.py),
and using one is part of signing in (panel/accounts/views.py); both use `offer` and `registered`.

A page that asks the browser for a passkey carries the options (with a fresh challenge) in the
form's data attribute; static/js/passkeys.js calls WebAuthn and posts the answer, or the name of
the browser's refusal, in hidden fields, so every outcome is an ordinary form post with its errors
in GOV.UK style.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_login import current_user

from panel import access
from panel.accounts.passkeys import queries, services
from panel.accounts.passkeys.forms import (
    CreatePasskeyForm,
    NamePasskeyForm,
    PasskeyForm,
    RemovePasskeyForm,
)
from panel.core.reauth import require_recent_sign_in

bp = Blueprint("passkeys", __name__)

# The id of the challenge in the options the page last gave the browser (the challenge itself
# stays on the server: `services._keep_challenge`).
CHALLENGE = "passkey_challenge"


def offer(user, *, sign_in: bool = False) -> str:
    """Options for the browser, as JSON, with a new challenge whose id the session keeps."""
    make = services.sign_in_options if sign_in else services.registration_options
    session[CHALLENGE], options = make(user)
    return options


def taken_challenge() -> str:
    """The challenge id the page's options carried: once only."""
    return str(session.pop(CHALLENGE, ""))


def registered(user, form: PasskeyForm, alternative: str) -> list[str] | None:
    """Store the passkey the browser made: the recovery codes to show (empty unless it is the
    person's first second factor), or None with the reason beside the button."""
    refusal = form.refusal()
    if refusal:
        form.refuse_with(f"{refusal}. Try again, or {alternative}")
        return None
    try:
        _passkey, codes = services.register(user, taken_challenge(), form.credential.data)
    except services.PasskeyRefused as refused:
        form.refuse_with(str(refused))
        return None
    return codes


@bp.route("/account/passkeys", methods=["GET", "POST"])
@access.rule(access.SIGNED_IN)
# Asked on the way in, not after the browser has made a passkey the server would then refuse.
@require_recent_sign_in()
def index():
    """The person's passkeys, and a button to add another."""
    user = current_user._get_current_object()
    form = CreatePasskeyForm()
    if form.validate_on_submit() and registered(user, form, "use another device") is not None:
        flash("Your passkey has been added. You can sign in with it from now on.", "success")
        return redirect(url_for(".index"))
    return render_template(
        "accounts/passkeys.html",
        form=form,
        options=offer(user),
        passkeys=list(user.passkeys),
        title="Your passkeys",
    )


@bp.route("/account/passkeys/<int:passkey_id>/name", methods=["GET", "POST"])
@access.rule(access.own(queries.own_passkey, param="passkey"))
# No "Confirm it's you": a name changes nothing about how anyone signs in (and is audited).
def name(passkey):
    form = NamePasskeyForm(data={"name": passkey.name})
    if form.validate_on_submit():
        services.rename(current_user, passkey, form.name.data)
        flash("The passkey's name has been saved.", "success")
        return redirect(url_for(".index"))
    return render_template(
        "accounts/name_passkey.html", form=form, passkey=passkey, title="Name your passkey"
    )


@bp.route("/account/passkeys/<int:passkey_id>/remove", methods=["GET", "POST"])
@access.rule(access.own(queries.own_passkey, param="passkey"))
@require_recent_sign_in()
def remove(passkey):
    form = RemovePasskeyForm()
    if form.validate_on_submit():
        try:
            services.remove(current_user, passkey)
        except services.LastSecondFactor:
            form.submit.errors = [
                "You cannot remove your only way of signing in with a second factor. Add another "
                "passkey or set up an authenticator app first"
            ]
        else:
            flash(f"{passkey.name} has been removed. It no longer signs you in.", "success")
            return redirect(url_for(".index"))
    return render_template(
        "accounts/remove_passkey.html", form=form, passkey=passkey, title="Remove a passkey"
    )

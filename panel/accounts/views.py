"""Signing in (a password, then a code from the authenticator app for someone who has set up
two-factor sign-in) and out, and the user's own account page. Setting up the second factor has its
own pages (panel/accounts/two_factor/views.py)."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user

from panel import access
from panel.accounts import services
from panel.accounts.forms import ChangePasswordForm, SecondFactorForm, SignInForm
from panel.accounts.models import User
from panel.accounts.two_factor import queries as two_factor_queries
from panel.accounts.two_factor import services as two_factor
from panel.core import sessions
from panel.core.database import utcnow
from panel.core.urls import safe_next

bp = Blueprint("accounts", __name__)

# Between the password and the code: who signed in, when, and where they were going.
PENDING = "pending_sign_in"
PENDING_SECONDS = 5 * 60


@bp.route("/sign-in", methods=["GET", "POST"])
@access.rule(access.PUBLIC)
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("panels.home"))
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                form.email.data, form.password.data, production=current_app.config["PRODUCTION"]
            )
        except services.SignInLocked:
            form.email.errors.append(
                services.lock_message(current_app.config["SIGN_IN_LOCK_MINUTES"])
            )
        else:
            if user is None:
                form.email.errors.append("Enter a correct email address and password")
            elif user.has_two_factor:
                # Half signed in: the session only remembers who to ask for a code, briefly.
                session.clear()
                session[PENDING] = {
                    "user": user.get_id(),
                    "at": utcnow().timestamp(),
                    "next": safe_next(request.args.get("next")),
                }
                return redirect(url_for("accounts.second_factor"))
            else:
                # Someone who must have a second factor is sent to set one up by
                # two_factor.views.enforce before they reach anything else.
                return _signed_in(user, safe_next(request.args.get("next")), verified=False)
    return render_template("accounts/sign_in.html", form=form, title="Sign in")


@bp.route("/sign-in/code", methods=["GET", "POST"])
@access.rule(access.PUBLIC)
def second_factor():
    user, next_page = _pending_sign_in()
    if user is None:
        flash("Sign in again: the time to enter your code ran out.", "info")
        return redirect(url_for("accounts.sign_in"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        try:
            if services.locked_until(user.email, utcnow()):
                raise services.SignInLocked
            method = two_factor.verify(user, form.code.data)
            if method is not None:
                response = _signed_in(user, next_page, verified=True)
                if method == "recovery":
                    left = two_factor_queries.recovery_codes_left(user)
                    flash(
                        f"You signed in with a recovery code. You have {left} left: make new "
                        "ones from your account page if you have lost your phone.",
                        "info",
                    )
                return response
            services.second_factor_failed(user)
            form.code.errors.append(
                "That code is not right. Enter the code your app shows now, or a recovery code"
            )
        except services.SignInLocked:
            session.pop(PENDING, None)
            flash(services.lock_message(current_app.config["SIGN_IN_LOCK_MINUTES"]), "info")
            return redirect(url_for("accounts.sign_in"))
    return render_template(
        "accounts/second_factor.html", form=form, title="Enter your two-factor sign-in code"
    )


def _pending_sign_in() -> tuple[User | None, str]:
    """The person who gave the right password in this session in the last few minutes."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None, ""
    at = pending.get("at")
    if not isinstance(at, int | float) or utcnow().timestamp() - at > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None, ""
    user = services.user_for_session(
        str(pending.get("user", "")), production=current_app.config["PRODUCTION"]
    )
    return user, safe_next(pending.get("next"))


def _signed_in(user: User, next_page: str, *, verified: bool):
    sessions.start(user, two_factor_verified=verified)
    services.complete_sign_in(user)
    return redirect(next_page)


@bp.post("/sign-out")
@access.rule(access.SIGNED_IN)
def sign_out():
    services.sign_out(current_user)
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/account", methods=["GET", "POST"])
@access.rule(access.SIGNED_IN)
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if services.change_password(
            current_user, form.current_password.data, form.new_password.data
        ):
            # The new session token ends every other session; this one carries on, renewed.
            sessions.renew(current_user._get_current_object())
            flash(
                "Your password has been changed. You have been signed out everywhere else.",
                "success",
            )
            return redirect(url_for("accounts.account"))
        form.current_password.errors.append("Your current password is not right")
    user = current_user._get_current_object()
    return render_template(
        "accounts/account.html",
        form=form,
        title="Your account",
        two_factor_required=two_factor_queries.required_for(user),
        recovery_codes_left=(
            two_factor_queries.recovery_codes_left(user) if user.has_two_factor else 0
        ),
    )

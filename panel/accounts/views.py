"""Signing in and out, and the user's own account page."""

from __future__ import annotations

from urllib.parse import urlsplit

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
from flask_login import current_user, login_user, logout_user

from panel import access
from panel.accounts import services, sessions
from panel.accounts.forms import ChangePasswordForm, SignInForm

bp = Blueprint("accounts", __name__)


def safe_next(target: str | None) -> str:
    """Only same-site paths: never send someone onward to another site after signing in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("panels.home")


@bp.route("/sign-in", methods=["GET", "POST"])
@access.rule(access.PUBLIC)
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("panels.home"))
    form = SignInForm()
    if form.validate_on_submit():
        user = services.authenticate(
            form.email.data, form.password.data, production=current_app.config["PRODUCTION"]
        )
        if user is not None:
            session.clear()  # a fresh session at sign-in: nothing from before carries over
            login_user(user)
            sessions.started()
            return redirect(safe_next(request.args.get("next")))
        form.email.errors.append("Enter a correct email address and password")
    return render_template("accounts/sign_in.html", form=form, title="Sign in")


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
            login_user(
                current_user._get_current_object()
            )  # the new session token keeps this session, ends others
            flash(
                "Your password has been changed. You have been signed out everywhere else.",
                "success",
            )
            return redirect(url_for("accounts.account"))
        form.current_password.errors.append("Your current password is not right")
    return render_template("accounts/account.html", form=form, title="Your account")

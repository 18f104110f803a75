"""Signing in and out, and the user's own account page."""

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
from panel.accounts import lockout, services, sessions, two_factor
from panel.accounts.forms import (
    ChangePasswordForm,
    ConfirmCodeForm,
    NewRecoveryCodesForm,
    SecondFactorForm,
    SignInForm,
    TurnOffTwoFactorForm,
)
from panel.accounts.models import User
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
            form.email.errors.append(lockout.message(current_app.config["SIGN_IN_LOCK_MINUTES"]))
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
                # two_factor.enforce before they reach anything else.
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
            if lockout.locked_until(user.email, utcnow()):
                raise services.SignInLocked
            method = two_factor.verify(user, form.code.data)
            if method is not None:
                response = _signed_in(user, next_page, verified=True)
                if method == "recovery":
                    left = two_factor.recovery_codes_left(user)
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
            flash(lockout.message(current_app.config["SIGN_IN_LOCK_MINUTES"]), "info")
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
        two_factor_required=two_factor.required_for(user),
        recovery_codes_left=two_factor.recovery_codes_left(user) if user.has_two_factor else 0,
    )


@bp.route("/account/two-factor/set-up", methods=["GET", "POST"])
@access.rule(access.SIGNED_IN)
def set_up_two_factor():
    user = current_user._get_current_object()
    if user.has_two_factor:
        return redirect(url_for("accounts.account"))
    secret = two_factor.pending_secret(user)
    form = ConfirmCodeForm()
    if form.validate_on_submit():
        codes = two_factor.confirm_set_up(user, form.code.data)
        if codes is not None:
            sessions.renew(user)  # proven with two factors now: a new session id
            session[sessions.TWO_FACTOR_VERIFIED] = True
            return render_template(
                "accounts/recovery_codes.html", codes=codes, title="Save your recovery codes"
            )
        form.code.errors.append(
            "That code is not right. Check the app shows Panel and enter the code it shows now"
        )
    return render_template(
        "accounts/set_up_two_factor.html",
        form=form,
        qr_code=two_factor.qr_code_data_uri(user),
        secret=two_factor.spaced(secret),
        required=two_factor.required_for(user),
        title="Set up two-factor sign-in",
    )


@bp.route("/account/two-factor/recovery-codes", methods=["GET", "POST"])
@access.rule(access.SIGNED_IN)
def recovery_codes():
    """Replace the recovery codes (all of the old ones stop working)."""
    user = current_user._get_current_object()
    if not user.has_two_factor:
        return redirect(url_for("accounts.set_up_two_factor"))
    form = NewRecoveryCodesForm()
    if form.validate_on_submit():
        codes = two_factor.new_recovery_codes(user, form.code.data)
        if codes is not None:
            return render_template(
                "accounts/recovery_codes.html", codes=codes, title="Your new recovery codes"
            )
        form.code.errors.append("That code is not right. Enter the code your app shows now")
    return render_template(
        "accounts/new_recovery_codes.html",
        form=form,
        left=two_factor.recovery_codes_left(user),
        title="Make new recovery codes",
    )


@bp.route("/account/two-factor/turn-off", methods=["GET", "POST"])
@access.rule(access.SIGNED_IN)
def turn_off_two_factor():
    """Only for people whose role does not need a second factor (readers)."""
    user = current_user._get_current_object()
    if not user.has_two_factor or two_factor.required_for(user):
        return redirect(url_for("accounts.account"))
    form = TurnOffTwoFactorForm()
    if form.validate_on_submit():
        if two_factor.verify(user, form.code.data) == "app":
            two_factor.reset(user, user)
            sessions.renew(user)  # the reset ended every session; keep this one
            flash("Two-factor sign-in is off.", "success")
            return redirect(url_for("accounts.account"))
        form.code.errors.append("That code is not right. Enter the code your app shows now")
    return render_template(
        "accounts/turn_off_two_factor.html", form=form, title="Turn off two-factor sign-in"
    )

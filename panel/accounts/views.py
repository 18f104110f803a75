"""Signing in (a password, then a second factor: a passkey for someone who has one, otherwise a
code from the authenticator app, or a recovery code either way) and out, "Confirm it's you"
before a sensitive change (the same steps again, panel/core/reauth.py), what the timeout warning
asks of the server (staying signed in, or ending the session it warned of), and the user's own
account page. Setting up the second factor has its own pages (panel/accounts/two_factor/views.py),
and so do passkeys (panel/accounts/passkeys/views.py)."""

from __future__ import annotations

from collections.abc import Callable

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
from panel.accounts.forms import (
    ChangePasswordForm,
    ConfirmPasswordForm,
    SecondFactorForm,
    SignInForm,
)
from panel.accounts.models import User
from panel.accounts.passkeys import views as passkey_pages
from panel.accounts.passkeys.forms import UsePasskeyForm
from panel.accounts.passkeys.services import PasskeyRefused
from panel.accounts.two_factor import queries as two_factor_queries
from panel.core import reauth, sessions
from panel.core.database import utcnow
from panel.core.urls import come_back_to, safe_next

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
            user = services.check_password(
                form.email.data, form.password.data, production=current_app.config["PRODUCTION"]
            )
        except services.SignInRefused as refused:
            form.refuse(form.email, refused)
        else:
            if user.has_two_factor:
                return _ask_for_second_factor(user, safe_next(request.args.get("next")))
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
    if not user.has_authenticator_app:
        form.code.description = "One of your recovery codes: 10 letters and numbers."
    if form.validate_on_submit():
        try:
            method = services.check_second_factor(user, form.code.data)
        except services.SignInLocked:
            return _locked_out()
        except services.SignInRefused as refused:
            form.refuse(form.code, refused)
        else:
            return _signed_in(user, next_page, verified=True, by_recovery_code=method == "recovery")
    return render_template(
        "accounts/second_factor.html",
        form=form,
        user=user,
        title="Enter your two-factor sign-in code",
    )


@bp.route("/sign-in/passkey", methods=["GET", "POST"])
@access.rule(access.PUBLIC)
def passkey_sign_in():
    """The second step with a passkey; the code page is the way round for someone without it."""
    user, next_page = _pending_sign_in()
    if user is None or not user.passkeys:
        flash("Sign in again: the time to use your passkey ran out.", "info")
        return redirect(url_for("accounts.sign_in"))
    form = UsePasskeyForm()
    if form.validate_on_submit():
        try:
            if _passkey_given(user, form, services.check_passkey, "sign in"):
                return _signed_in(user, next_page, verified=True)
        except services.SignInLocked:
            return _locked_out()
    return render_template(
        "accounts/passkey_sign_in.html",
        form=form,
        options=passkey_pages.offer(user, sign_in=True),
        user=user,
        title="Sign in with your passkey",
    )


def _passkey_given(
    user: User, form: UsePasskeyForm, check: Callable[[User, str, str], None], purpose: str
) -> bool:
    """Whether the browser's answer in `form` is the person's passkey, as `check` finds
    (`services.check_passkey` to sign in, `services.confirm_passkey` to confirm it's them); if
    not, why, beside the button. A refusal in the browser (cancelled, say) tries nothing, so
    counts nothing. Raises `SignInLocked`."""
    refusal = form.refusal()
    if refusal:
        form.refuse_with(f"{refusal}. Try again, or use another way to {purpose}")
        return False
    try:
        check(user, passkey_pages.taken_challenge(), form.credential.data)
    except PasskeyRefused as refused:
        form.refuse_with(str(refused))
        return False
    return True


def _ask_for_second_factor(user: User, next_page: str):
    """Half signed in: the session only remembers who to ask for a second factor, briefly. A
    passkey first, if they have one."""
    session.clear()
    session[PENDING] = {"user": user.get_id(), "at": utcnow().timestamp(), "next": next_page}
    if user.passkeys:
        return redirect(url_for("accounts.passkey_sign_in"))
    return redirect(url_for("accounts.second_factor"))


def _locked_out():
    """The address is locked: the half-finished sign-in ends, and they start again later."""
    session.pop(PENDING, None)
    flash(services.lock_message(current_app.config["SIGN_IN_LOCK_MINUTES"]), "info")
    return redirect(url_for("accounts.sign_in"))


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


def _signed_in(user: User, next_page: str, *, verified: bool, by_recovery_code: bool = False):
    sessions.start(user, two_factor_verified=verified)
    services.complete_sign_in(user)
    if by_recovery_code:  # said on the new session: starting it cleared the old one
        left = two_factor_queries.recovery_codes_left(user)
        flash(
            f"You signed in with a recovery code. You have {left} left: make new ones from your "
            "account page if you have lost your phone.",
            "info",
        )
    return redirect(next_page)


@bp.post("/sign-out")
@access.rule(access.SIGNED_IN)
def sign_out():
    services.sign_out(current_user)
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("accounts.sign_in"))


@bp.post("/session/keep-alive")
@access.rule(access.SIGNED_IN)
def keep_alive():
    """The timeout warning's "Stay signed in" (static/js/session-timeout.js). The request is
    itself the activity `sessions.check` notes, so there is nothing more to do: No Content, and
    the page the person was typing on stays as it is."""
    return "", 204


@bp.post("/session/timed-out")
@access.rule(access.SIGNED_IN)
def timed_out():
    """The timeout warning was left unanswered until the idle time ran out: end this session
    (only this one, as `sessions.check` would at the next request), and lead back to the page
    after signing in again."""
    return sessions.end(sessions.idle_message(), next_page=come_back_to())


@bp.route("/account/confirm", methods=["GET", "POST"])
@access.rule(access.SIGNED_IN)
def confirm():
    """The first step of "Confirm it's you" (`reauth.require_recent_sign_in`): the password."""
    user = current_user._get_current_object()
    next_page = safe_next(request.args.get("next"))
    code_follows = user.has_two_factor and request.args.get("only") != reauth.ONLY_PASSWORD
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        try:
            right = services.confirm_password(user, form.password.data, last_step=not code_follows)
        except services.SignInLocked:
            return _locked_while_signed_in()
        if right:
            reauth.confirmed(second_factor=not user.has_two_factor)
            return redirect(_second_step(user, next_page) if code_follows else next_page)
        form.password.errors.append("Your password is not right")
    return render_template("accounts/confirm.html", form=form, title="Confirm it’s you")


def _second_step(user: User, next_page: str) -> str:
    """The second step of "Confirm it's you": a passkey first, as at sign-in, if they have one."""
    step = ".confirm_passkey" if user.passkeys else ".confirm_code"
    return url_for(step, next=next_page)


@bp.route("/account/confirm/code", methods=["GET", "POST"])
@access.rule(access.SIGNED_IN)
def confirm_code():
    """The second step of "Confirm it's you": a code from the app or a recovery code, minutes
    after the password; the way round for someone whose passkey is not to hand."""
    user = current_user._get_current_object()
    next_page = safe_next(request.args.get("next"))
    if not (user.has_two_factor and reauth.password_just_confirmed()):
        return redirect(url_for(".confirm", next=next_page))
    form = SecondFactorForm()
    if not user.has_authenticator_app:
        form.code.description = "One of your recovery codes: 10 letters and numbers."
    if form.validate_on_submit():
        try:
            method = services.confirm_second_factor(user, form.code.data)
        except services.SignInLocked:
            return _locked_while_signed_in()
        if method is not None:
            reauth.confirmed(second_factor=True)
            return redirect(next_page)
        form.code.errors.append(services.WRONG_CODE)
    return render_template(
        "accounts/confirm_code.html",
        form=form,
        user=user,
        next_page=next_page,
        title="Confirm it’s you",
    )


@bp.route("/account/confirm/passkey", methods=["GET", "POST"])
@access.rule(access.SIGNED_IN)
def confirm_passkey():
    """The second step of "Confirm it's you" with a passkey, minutes after the password, checked
    and counted as at sign-in; the code page is the way round."""
    user = current_user._get_current_object()
    next_page = safe_next(request.args.get("next"))
    if not (user.passkeys and reauth.password_just_confirmed()):
        return redirect(url_for(".confirm", next=next_page))
    form = UsePasskeyForm()
    if form.validate_on_submit():
        try:
            if _passkey_given(user, form, services.confirm_passkey, "confirm it's you"):
                reauth.confirmed(second_factor=True)
                return redirect(next_page)
        except services.SignInLocked:
            return _locked_while_signed_in()
    return render_template(
        "accounts/confirm_passkey.html",
        form=form,
        options=passkey_pages.offer(user, sign_in=True),
        user=user,
        next_page=next_page,
        title="Confirm it’s you",
    )


def _locked_while_signed_in():
    """A wrong answer locked the address: this session ends (the service ended the rest)."""
    return sessions.end(services.lock_message(current_app.config["SIGN_IN_LOCK_MINUTES"]))


@bp.route("/account", methods=["GET", "POST"])
@access.rule(access.SIGNED_IN)
def account():
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            changed = services.change_password(
                user, form.current_password.data, form.new_password.data
            )
        except services.SignInLocked:
            return _locked_while_signed_in()
        if changed:
            # The new session token ends every other session; this one carries on, renewed.
            sessions.renew(user)
            flash(
                "Your password has been changed. You have been signed out everywhere else.",
                "success",
            )
            return redirect(url_for("accounts.account"))
        form.current_password.errors.append("Your current password is not right")
    return render_template(
        "accounts/account.html",
        form=form,
        title="Your account",
        two_factor=two_factor_queries.summary_of(user),
    )

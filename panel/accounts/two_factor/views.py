"""Setting up two-factor sign-in, which everyone does at their first sign-in: a passkey, offered
first, or an authenticator app; and making new recovery codes. `enforce` keeps someone who has not
given a second factor this session (because they have none yet) on the set-up pages. Asking for
the second factor at sign-in is part of signing in (panel/accounts/views.py); the person's
passkeys have their own pages (panel/accounts/passkeys/views.py)."""

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
from flask_login import current_user

from panel import access
from panel.accounts import services
from panel.accounts.passkeys import views as passkey_pages
from panel.accounts.passkeys.forms import CreatePasskeyForm
from panel.accounts.two_factor import queries
from panel.accounts.two_factor import services as two_factor
from panel.accounts.two_factor.forms import (
    ConfirmCodeForm,
    NewRecoveryCodesAfterPasskeyForm,
    NewRecoveryCodesForm,
)
from panel.core import sessions
from panel.core.reauth import require_recent_sign_in

bp = Blueprint("two_factor", __name__)

# Pages a person who still has to set up a second factor may use: setting it up asks them to
# confirm it's them if they signed in a while ago, and the timeout warning works there too.
OPEN_WHILE_SETTING_UP = {
    "two_factor.set_up",
    "two_factor.set_up_app",
    "accounts.confirm",
    "accounts.sign_out",
    "accounts.keep_alive",
    "accounts.timed_out",
    "static",
}

WRONG_CODE = "That code is not right. Enter the code your app shows now"


def enforce():
    """Run before every request, after the session checks: someone signed in who has not given a
    second factor this session (everyone who has one gives it to sign in) may only set one up
    (or sign out)."""
    if (
        request.endpoint in OPEN_WHILE_SETTING_UP
        or request.endpoint in sessions.SESSIONLESS
        or not current_user.is_authenticated
        or session.get(sessions.TWO_FACTOR_VERIFIED)
    ):
        return None
    if request.method == "GET":
        flash("You need to set up two-factor sign-in before you can see panel material.", "info")
    return redirect(url_for("two_factor.set_up"))


@bp.route("/account/two-factor/set-up", methods=["GET", "POST"])
@access.rule(access.SIGNED_IN)
@require_recent_sign_in()
def set_up():
    """A passkey first; an authenticator app (`set_up_app`) for those who cannot use one."""
    user = current_user._get_current_object()
    if user.has_two_factor:
        return redirect(url_for("accounts.account"))
    form = CreatePasskeyForm()
    if form.validate_on_submit():
        codes = passkey_pages.registered(user, form, "set up an authenticator app instead")
        if codes is not None:
            _verified(user)
            return _recovery_codes_page(codes, "Save your recovery codes")
    return render_template(
        "accounts/set_up_two_factor.html",
        form=form,
        options=passkey_pages.offer(user),
        title="Set up two-factor sign-in",
    )


@bp.route("/account/two-factor/set-up/app", methods=["GET", "POST"])
@access.rule(access.SIGNED_IN)
@require_recent_sign_in()
def set_up_app():
    """An authenticator app: the first second factor of someone who cannot use a passkey, or a
    second one beside their passkeys."""
    user = current_user._get_current_object()
    if user.has_authenticator_app:
        return redirect(url_for("accounts.account"))
    secret = two_factor.pending_secret(user)
    form = ConfirmCodeForm()
    if form.validate_on_submit():
        codes = two_factor.confirm_set_up(user, form.code.data)
        if codes:
            _verified(user)
            return _recovery_codes_page(codes, "Save your recovery codes")
        if codes is not None:
            flash("Your authenticator app is set up.", "success")
            return redirect(url_for("accounts.account"))
        form.code.errors.append(
            "That code is not right. Check the app shows Panel and enter the code it shows now"
        )
    return _set_up_page(form, user, secret)


def _verified(user):
    """Proven with two factors now: a new session id, marked as verified for `enforce`."""
    sessions.renew(user)
    session[sessions.TWO_FACTOR_VERIFIED] = True


def _set_up_page(form: ConfirmCodeForm, user, secret: str):
    """The pending `secret` as a QR code and as a key to type, and the code that confirms it."""
    return render_template(
        "accounts/set_up_authenticator_app.html",
        form=form,
        qr_code=two_factor.qr_code_data_uri(user, secret),
        secret=two_factor.spaced(secret),
        first=not user.has_two_factor,
        title="Set up an authenticator app",
    )


def _recovery_codes_page(codes: list[str], title: str):
    """The recovery codes, shown this once."""
    return render_template("accounts/recovery_codes.html", codes=codes, title=title)


def _without_an_app() -> bool:
    """Whether "Confirm it's you" asks for the second factor before new recovery codes: the page
    asks someone with the app for a code from it (so the password is enough on the way), and
    someone with passkeys only for nothing (so their passkey is asked for on the way)."""
    return not current_user.has_authenticator_app


@bp.route("/account/two-factor/recovery-codes", methods=["GET", "POST"])
@access.rule(access.SIGNED_IN)
@require_recent_sign_in(second_factor=_without_an_app)
def recovery_codes():
    """Replace the recovery codes (all of the old ones stop working)."""
    user = current_user._get_current_object()
    if not user.has_two_factor:
        return redirect(url_for("accounts.account"))
    if not user.has_authenticator_app:
        return _recovery_codes_after_passkey(user)
    form = NewRecoveryCodesForm()
    if form.validate_on_submit():
        try:
            codes = services.new_recovery_codes(user, form.code.data)
        except services.SignInLocked:
            return _locked_out()
        if codes is not None:
            return _recovery_codes_page(codes, "Your new recovery codes")
        form.code.errors.append(WRONG_CODE)
    return _new_recovery_codes_page(form, user)


def _recovery_codes_after_passkey(user):
    """Someone with passkeys only confirmed it's them with one on the way here: a button."""
    form = NewRecoveryCodesAfterPasskeyForm()
    if form.validate_on_submit():
        codes = two_factor.new_recovery_codes_after_passkey(user)
        return _recovery_codes_page(codes, "Your new recovery codes")
    return _new_recovery_codes_page(form, user)


def _new_recovery_codes_page(form, user):
    return render_template(
        "accounts/new_recovery_codes.html",
        form=form,
        left=queries.recovery_codes_left(user),
        title="Make new recovery codes",
    )


def _locked_out():
    """Too many wrong codes locked the address: this session ends (the service ended the rest)."""
    return sessions.end(services.lock_message(current_app.config["SIGN_IN_LOCK_MINUTES"]))

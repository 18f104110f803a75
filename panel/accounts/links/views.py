"""The pages reached without signing in to set a password: "Forgotten your password?", and the
pages an invitation or password reset link opens (panel/accounts/links.py).

The token travels in the page address, so these pages tell the browser never to send their address
to another page or site (`Referrer-Policy: no-referrer`). The answer to "send me a link" is the same
whether or not the address has an account, and so is the work behind it: finding the account,
issuing its link and sending the e-mail all happen after the answer has gone, so that how long
the answer takes does not tell which addresses have accounts.
"""

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
from flask_login import logout_user

from panel import access
from panel.accounts.links import services as links
from panel.accounts.links.forms import AcceptInvitationForm, ForgottenPasswordForm, SetPasswordForm
from panel.accounts.links.models import LinkPurpose
from panel.core import mail, unit_of_work

bp = Blueprint("links", __name__)


@bp.after_request
def _no_referrer(response):
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/forgotten-password", methods=["GET", "POST"])
@access.rule(access.PUBLIC)
def forgotten_password():
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        response = redirect(url_for(".check_your_email"))
        _reset_after(response, form.email.data)
        return response
    return render_template(
        "accounts/forgotten_password.html", form=form, title="Forgotten your password?"
    )


@bp.get("/forgotten-password/check-your-email")
@access.rule(access.PUBLIC)
def check_your_email():
    return render_template(
        "accounts/check_your_email.html",
        lifetime=links.lifetime_in_words(LinkPurpose.PASSWORD_RESET),
        title="Check your email",
    )


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@access.rule(access.PUBLIC)
def reset_password(token: str):
    return _set_password(
        token,
        LinkPurpose.PASSWORD_RESET,
        SetPasswordForm,
        "accounts/reset_password.html",
        "Reset your password",
        "Your password has been reset and you have been signed out everywhere. "
        "Sign in with your new password.",
    )


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@access.rule(access.PUBLIC)
def invitation(token: str):
    return _set_password(
        token,
        LinkPurpose.INVITATION,
        AcceptInvitationForm,
        "accounts/invitation.html",
        "Set your password",
        "Your password has been set. Sign in to start using Panel.",
    )


def _set_password(
    token: str, purpose: LinkPurpose, form_class, template: str, title: str, done: str
):
    """The same steps for both kinds of link; only the wording differs."""
    link = links.usable_link(token, purpose, production=current_app.config["PRODUCTION"])
    if link is None:
        return _link_expired()
    form = form_class(user=link.user)
    if form.validate_on_submit():
        if not links.set_password(link, form.password.data):
            return _link_expired()
        # Whoever was signed in on this browser is signed out: the person signs in afresh.
        logout_user()
        session.clear()
        flash(done, "success")
        return redirect(url_for("accounts.sign_in"))
    return render_template(template, form=form, user=link.user, title=title)


def _link_expired():
    """One page for an unknown, used, expired or voided link, or a deactivated account."""
    title = "This link has expired or has already been used"
    return render_template(
        "accounts/link_expired.html",
        title=title,
        reset_lifetime=links.lifetime_in_words(LinkPurpose.PASSWORD_RESET),
    ), 404


def _reset_after(response, address: str) -> None:
    """Once the answer has gone, find the account for `address`, issue its reset link and e-mail
    it (`links.password_reset_requested`). Done in the request, a real address took twice as long
    to answer as an unknown one. This is a unit of work of its own, run in a copy of the
    request's context so that the audit trail keeps where the request came from: the link and its
    e-mail are saved together, and the e-mail is delivered after the commit (`mail.send_notice`);
    a failure is logged."""
    app = current_app._get_current_object()
    environ = dict(request.environ)

    def reset() -> None:
        with app.app_context(), app.request_context(environ):
            try:
                email = links.password_reset_requested(address, production=app.config["PRODUCTION"])
                if email is not None:
                    mail.send_notice([email], "a password reset link")
                unit_of_work.commit()
            except Exception:  # the app context's end rolls back what was begun
                app.logger.exception("Could not issue a password reset link")

    response.call_on_close(reset)

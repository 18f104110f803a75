"""An administrator resets a person's two-factor sign-in when they have lost both their phone and
their recovery codes. The person sets it up again at their next sign-in; the reset is audited."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from panel import access
from panel.access import Action
from panel.accounts import two_factor
from panel.accounts.models import User
from panel.admin.views import bp
from panel.core.forms import BaseForm, SubmitButton


class ResetTwoFactorForm(BaseForm):
    submit = SubmitButton("Reset two-factor sign-in")


@bp.route("/users/<int:user_id>/two-factor", methods=["GET", "POST"])
@access.rule(access.on_object(Action.MANAGE_USERS, User, id_arg="user_id", param="user"))
def reset_two_factor(user):
    if not user.has_two_factor and not user.encrypted_totp_secret:  # no need to decrypt it
        flash(f"{user.full_name} has not set up two-factor sign-in.", "info")
        return redirect(url_for(".edit_user", user_id=user.id))
    form = ResetTwoFactorForm()
    if form.validate_on_submit():
        two_factor.reset(current_user, user)
        flash(
            f"Two-factor sign-in for {user.full_name} has been reset and they have been signed "
            "out. They will set it up again the next time they sign in.",
            "success",
        )
        return redirect(url_for(".edit_user", user_id=user.id))
    return render_template(
        "admin/reset_two_factor.html",
        form=form,
        user=user,
        title=f"Reset two-factor sign-in for {user.email}",
    )

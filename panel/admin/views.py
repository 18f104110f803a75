"""The admin area's pages: organisations, users, panels and memberships, and the audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import access
from panel.access import Action
from panel.accounts import queries as account_queries
from panel.accounts import services as accounts
from panel.accounts.links import services as links
from panel.accounts.two_factor import services as two_factor
from panel.admin import export as audit_export
from panel.admin import queries
from panel.admin.forms import (
    AddMemberForm,
    AuditFilterForm,
    ChangeRoleForm,
    EditUserForm,
    NewUserForm,
    OrganisationForm,
    PanelForm,
    PersonSearchForm,
    RemoveMemberForm,
    ResendInvitationForm,
    ResetTwoFactorForm,
    RetryFailedEmailForm,
    SendResetLinkForm,
    UserSearchForm,
)
from panel.core import jobs, outbox
from panel.core.csv_export import csv_response
from panel.core.reauth import require_recent_sign_in
from panel.core.time import uk_today
from panel.panels import queries as panel_queries
from panel.panels import services as panel_services

if TYPE_CHECKING:
    from panel.accounts.models import User
    from panel.panels.models import Membership

bp = Blueprint("admin", __name__, url_prefix="/admin")


# --- Organisations -----------------------------------------------------------------------------


@bp.get("/organisations")
@access.rule(access.admin(Action.MANAGE_ORGANISATIONS))
def organisations():
    page = queries.organisations_page()
    return render_template(
        "admin/organisations.html",
        page=page,
        user_counts=queries.user_counts(page.items),
        title="Organisations",
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
@access.rule(access.admin(Action.MANAGE_ORGANISATIONS))
def new_organisation():
    form = OrganisationForm()
    if form.validate_on_submit():
        organisation = accounts.create_organisation(
            current_user, name=form.name.data, kind=form.kind.data
        )
        flash(f"{organisation.name} has been added.", "success")
        return redirect(url_for(".organisations"))
    return render_template("admin/organisation_form.html", form=form, title="Add an organisation")


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@access.rule(
    access.on_loaded(
        Action.MANAGE_ORGANISATIONS, account_queries.organisation_by_id, param="organisation"
    )
)
def edit_organisation(organisation):
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        accounts.update_organisation(
            current_user, organisation, name=form.name.data, kind=form.kind.data
        )
        flash(f"{organisation.name} has been updated.", "success")
        return redirect(url_for(".organisations"))
    return render_template(
        "admin/organisation_form.html",
        form=form,
        organisation=organisation,
        title=f"Change {organisation.name}",
    )


# --- Users -------------------------------------------------------------------------------------


@bp.get("/users")
@access.rule(access.admin(Action.MANAGE_USERS))
def users():
    form = UserSearchForm(request.args)
    page = queries.users_page(form.q.data if form.validate() else None)
    return render_template(
        "admin/users.html",
        form=form,
        page=page,
        invited=links.invited_user_ids(page.items),
        title="Users",
    )


@bp.route("/users/new", methods=["GET", "POST"])
@access.rule(access.admin(Action.MANAGE_USERS))
@require_recent_sign_in()
def new_user():
    form = NewUserForm()
    if form.validate_on_submit():
        user, _queued = links.invite_user(current_user, **form.details())
        _flash_invitation(user, f"An account has been created for {user.full_name}")
        return redirect(url_for(".users"))
    return render_template(
        "admin/user_form.html",
        form=form,
        invitation_lifetime=links.invitation_lifetime(),
        title="Add a user",
    )


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@access.rule(access.on_loaded(Action.MANAGE_USERS, account_queries.user_by_id, param="user"))
@require_recent_sign_in()
def edit_user(user):
    form = EditUserForm(obj=user, actor=current_user)
    if form.validate_on_submit():
        accounts.update_user(current_user, user, **form.details())
        flash(f"The account for {user.full_name} has been updated.", "success")
        return redirect(url_for(".users"))
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        invited=links.is_invited(user),
        title=f"Change {user.email}",
    )


@bp.post("/users/<int:user_id>/invitation")
@access.rule(access.on_loaded(Action.MANAGE_USERS, account_queries.user_by_id, param="user"))
def resend_invitation(user):
    if ResendInvitationForm().validate_on_submit():
        if user.active and links.is_invited(user):
            links.send_invitation(current_user, user)
            _flash_invitation(user, f"A new invitation is on its way to {user.full_name}")
        else:
            flash(
                f"There is no invitation to resend to {user.full_name}: they have set their "
                "password already, or their account is not active.",
                "info",
            )
    return redirect(url_for(".users"))


def _flash_invitation(user: User, done: str) -> None:
    # The e-mail is queued with the change, and goes once it is saved: "will", not "have".
    flash(f"{done}. We will email {user.email} a link to set their password.", "success")


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@access.rule(access.on_loaded(Action.MANAGE_USERS, account_queries.user_by_id, param="user"))
def reset_password(user):
    form = SendResetLinkForm()
    if user.active and form.validate_on_submit():
        links.send_reset_link(current_user, user)
        flash(f"We will email {user.email} a link to reset their password.", "success")
        return redirect(url_for(".users"))
    return render_template(
        "admin/reset_password.html",
        form=form,
        user=user,
        lifetime=links.reset_link_lifetime(),
        title=f"Send a password reset link to {user.full_name}",
    )


def _to_user(user: User):
    return redirect(url_for(".edit_user", user_id=user.id))


# An administrator resets a person's two-factor sign-in when they have lost both their phone and
# their recovery codes. The person sets it up again at their next sign-in; the reset is audited.
@bp.route("/users/<int:user_id>/two-factor", methods=["GET", "POST"])
@access.rule(access.on_loaded(Action.MANAGE_USERS, account_queries.user_by_id, param="user"))
@require_recent_sign_in()
def reset_two_factor(user):
    if not two_factor.anything_to_reset(user):
        flash(f"{user.full_name} has not set up two-factor sign-in.", "info")
        return _to_user(user)
    form = ResetTwoFactorForm()
    if form.validate_on_submit():
        two_factor.reset(current_user, user)
        flash(
            f"Two-factor sign-in for {user.full_name} has been reset and they have been signed "
            "out. They will set it up again the next time they sign in.",
            "success",
        )
        return _to_user(user)
    return render_template(
        "admin/reset_two_factor.html",
        form=form,
        user=user,
        title=f"Reset two-factor sign-in for {user.email}",
    )


# --- Panels and memberships --------------------------------------------------------------------


@bp.get("/panels")
@access.rule(access.admin(Action.MANAGE_PANELS))
def panels():
    page = queries.panels_page()
    return render_template(
        "admin/panels.html",
        page=page,
        member_counts=queries.member_counts(page.items),
        title="Panels",
    )


@bp.route("/panels/new", methods=["GET", "POST"])
@access.rule(access.admin(Action.MANAGE_PANELS))
def new_panel():
    form = PanelForm()
    if form.validate_on_submit():
        panel = panel_services.create_panel(current_user, **form.details())
        flash(f"{panel.name} has been added.", "success")
        return redirect(url_for(".show_panel", panel_id=panel.id))
    return render_template("admin/panel_form.html", form=form, title="Add a panel")


@bp.get("/panels/<int:panel_id>")
@access.rule(access.on_panel(Action.MANAGE_PANELS))
def show_panel(panel):
    return render_template(
        "admin/panel.html", panel=panel, members=panel_queries.members_of(panel), title=panel.name
    )


@bp.route("/panels/<int:panel_id>/edit", methods=["GET", "POST"])
@access.rule(access.on_panel(Action.MANAGE_PANELS))
def edit_panel(panel):
    form = PanelForm(obj=panel)
    if form.validate_on_submit():
        panel_services.update_panel(current_user, panel, **form.details())
        flash(f"{panel.name} has been updated.", "success")
        return redirect(url_for(".show_panel", panel_id=panel.id))
    return render_template(
        "admin/panel_form.html", form=form, panel=panel, title=f"Change {panel.name}"
    )


@bp.route("/panels/<int:panel_id>/members/new", methods=["GET", "POST"])
@access.rule(access.on_panel(Action.MANAGE_PANELS))
@require_recent_sign_in()
def add_member(panel):
    search = PersonSearchForm(request.args)
    if request.method == "POST":
        chosen = queries.person_to_add(panel, _whole_number(request.form.get("user_id", "")))
        offered = [chosen] if chosen else []
        found = None
    else:
        found = queries.people_to_add(panel, search.q.data if search.validate() else None)
        offered = list(found.items)
    form = AddMemberForm(users=offered)
    if form.validate_on_submit():
        membership = panel_services.add_member(current_user, panel, form.user, form.role.data)
        flash(f"{membership.user.full_name} has been added as {membership.role.label}.", "success")
        return redirect(url_for(".show_panel", panel_id=panel.id))
    return render_template(
        "admin/add_member.html",
        form=form,
        search=search,
        found=found,
        panel=panel,
        title=f"Add a member to {panel.name}",
    )


def _whole_number(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


@bp.route("/panels/<int:panel_id>/members/<int:membership_id>/role", methods=["GET", "POST"])
@access.rule(
    access.on_loaded(Action.MANAGE_PANELS, panel_queries.membership_by_id, param="membership")
)
@require_recent_sign_in()
def change_role(panel_id, membership):
    _check_on_panel(membership, panel_id)
    form = ChangeRoleForm(obj=membership)
    if form.validate_on_submit():
        panel_services.change_role(current_user, membership, form.role.data)
        flash(f"{membership.user.full_name}'s role is now {membership.role.label}.", "success")
        return redirect(url_for(".show_panel", panel_id=panel_id))
    return render_template(
        "admin/change_role.html",
        form=form,
        membership=membership,
        title=f"Change {membership.user.full_name}'s role",
    )


@bp.route("/panels/<int:panel_id>/members/<int:membership_id>/remove", methods=["GET", "POST"])
@access.rule(
    access.on_loaded(Action.MANAGE_PANELS, panel_queries.membership_by_id, param="membership")
)
@require_recent_sign_in()
def remove_member(panel_id, membership):
    _check_on_panel(membership, panel_id)
    form = RemoveMemberForm()
    if form.validate_on_submit():
        name, panel_name = membership.user.full_name, membership.panel.name
        panel_services.remove_member(current_user, membership)
        flash(f"{name} has been removed from {panel_name}.", "success")
        return redirect(url_for(".show_panel", panel_id=panel_id))
    return render_template(
        "admin/remove_member.html",
        form=form,
        membership=membership,
        title=f"Remove {membership.user.full_name} from {membership.panel.name}",
    )


def _check_on_panel(membership: Membership, panel_id: int) -> None:
    """A membership addressed under another panel's address does not exist there."""
    if membership.panel_id != panel_id:
        abort(404)


# --- E-mail that could not be sent ---------------------------------------------------------------

# Failed messages the page lists, newest first.
FAILED_LISTED = 20


@bp.get("/email")
@access.rule(access.admin(Action.MANAGE_OUTBOX))
def email():
    failed = outbox.failed(FAILED_LISTED)
    return render_template(
        "admin/outbox.html",
        counts=outbox.counts(),
        failed=[(message, outbox.error_of(message)) for message in failed],
        queued=jobs.on_redis(),
        form=RetryFailedEmailForm(),
        title="E-mail",
    )


@bp.post("/email/retry")
@access.rule(access.admin(Action.MANAGE_OUTBOX))
def retry_email():
    if RetryFailedEmailForm().validate_on_submit():
        emails, _others = jobs.retry_failed()
        flash(f"{emails} failed e-mail{'' if emails == 1 else 's'} will be sent again.", "success")
    return redirect(url_for(".email"))


# --- Audit trail -------------------------------------------------------------------------------


@bp.get("/audit-trail")
@access.rule(access.admin(Action.VIEW_AUDIT_TRAIL))
def audit_trail():
    form = _audit_filter_form()
    page = queries.audit_page(form.filters())
    return render_template(
        "admin/audit_trail.html",
        form=form,
        page=page,
        actors=queries.actors_of(page.items),
        object_type_now=queries.object_type_now,
        object_type_label=queries.object_type_label,
        csv_url=url_for(".audit_trail_csv", **queries.filter_args(request.args)),
        title="Audit trail",
    )


@bp.get("/audit-trail.csv")
@access.rule(access.admin(Action.VIEW_AUDIT_TRAIL))
def audit_trail_csv():
    export = audit_export.TrailExport(_audit_filter_form().filters())
    filename = f"audit-trail-{uk_today().isoformat()}.csv"
    response = csv_response(filename, audit_export.HEADER, export)
    audit_export.record_export(current_user, export)
    return response


def _audit_filter_form() -> AuditFilterForm:
    form = AuditFilterForm(request.args, object_types=queries.object_types())
    form.validate()
    return form

"""The admin area's pages."""

from flask import Blueprint, render_template

from panel import access
from panel.access import Action

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/organisations")
@access.rule(access.admin(Action.MANAGE_ORGANISATIONS))
def organisations():
    return render_template("admin/placeholder.html", title="Organisations")


@bp.get("/users")
@access.rule(access.admin(Action.MANAGE_USERS))
def users():
    return render_template("admin/placeholder.html", title="Users")


@bp.get("/panels")
@access.rule(access.admin(Action.MANAGE_PANELS))
def panels():
    return render_template("admin/placeholder.html", title="Panels")


@bp.get("/audit-trail")
@access.rule(access.admin(Action.VIEW_AUDIT_TRAIL))
def audit_trail():
    return render_template("admin/placeholder.html", title="Audit trail")

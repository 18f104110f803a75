"""What every page template needs: the navigation for the signed-in user's roles, the CSP nonce,
the permission check, and date formatting in UK style."""

from __future__ import annotations

import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import g, request, url_for
from flask_login import current_user

from panel import access

UK = ZoneInfo("Europe/London")


def csp_nonce() -> str:
    """One nonce per response, shared by the template and the Content-Security-Policy header."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def navigation_items() -> list[dict]:
    """The service navigation for this user: only links they may follow."""
    if not current_user.is_authenticated:
        return []
    items = [("Home", "panels.home", None)]
    if current_user.is_admin:
        items += [
            ("Organisations", "admin.organisations", access.Action.MANAGE_ORGANISATIONS),
            ("Users", "admin.users", access.Action.MANAGE_USERS),
            ("Panels", "admin.panels", access.Action.MANAGE_PANELS),
            ("Audit trail", "admin.audit_trail", access.Action.VIEW_AUDIT_TRAIL),
        ]
    items.append(("Your account", "accounts.account", None))
    current_blueprint = request.blueprint
    result = []
    for text, endpoint, action in items:
        if action is not None and not access.can(current_user, action):
            continue
        href = url_for(endpoint)
        result.append(
            {
                "text": text,
                "href": href,
                "current": request.path == href,
                "active": request.path != href
                and endpoint.startswith("admin.")
                and current_blueprint == "admin"
                and request.path.startswith(href),
            }
        )
    return result


def template_context() -> dict:
    return {
        "csp_nonce": csp_nonce,
        "navigation_items": navigation_items,
        "can": lambda action, target=None: access.can(current_user, action, target),
        "Action": access.Action,
    }


def format_datetime(value: datetime | None, with_time: bool = True) -> str:
    """ "29 November 2026 at 2:05pm" in UK time, as GOV.UK style writes dates."""
    if value is None:
        return ""
    local = value.astimezone(UK)
    date = f"{local.day} {local:%B %Y}"
    if not with_time:
        return date
    hour = local.hour % 12 or 12
    return f"{date} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"

"""What every page template needs: the navigation for the signed-in user's roles, the CSP nonce
and the permission check. Dates are formatted by `panel.core.time`."""

from __future__ import annotations

import secrets

from flask import g, request, url_for
from flask_login import current_user
from markupsafe import Markup

from panel import access


def csp_nonce() -> str:
    """One nonce per response, shared by the template and the Content-Security-Policy header."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def navigation_items() -> list[dict]:
    """The service navigation for this user: only links they may follow."""
    if not current_user.is_authenticated:
        return []
    items = [("Home", "panels.home", True)]
    if _sits_on_a_local_panel(current_user):
        items.append((_interventions_text(current_user), "interventions.mine", True))
    if access.panels_where(current_user, access.Action.VIEW_LESSONS):
        items.append(("Lessons", "lessons.register", True))
    if access.panels_where(current_user, access.Action.READ_PUBLISHED_MINUTES):
        items.append(("Minutes", "minutes.index", True))
    if access.panels_where(current_user, access.Action.VIEW_INSIGHT):
        items.append(("Insight", "insight.index", True))
    if current_user.is_admin:
        items += [
            ("Organisations", "admin.organisations", access.Action.MANAGE_ORGANISATIONS),
            ("Users", "admin.users", access.Action.MANAGE_USERS),
            ("Panels", "admin.panels", access.Action.MANAGE_PANELS),
            ("Audit trail", "admin.audit_trail", access.Action.VIEW_AUDIT_TRAIL),
            ("E-mail", "admin.email", access.Action.MANAGE_OUTBOX),
        ]
    items.append(("Your account", "accounts.account", True))
    current_blueprint = request.blueprint
    result = []
    for text, endpoint, allowed in items:
        if allowed is not True and not access.can(current_user, allowed):
            continue
        href = url_for(endpoint)
        result.append(
            {
                "html" if isinstance(text, Markup) else "text": text,
                "href": href,
                "current": request.path == href,
                "active": request.path != href
                and endpoint.startswith("admin.")
                and current_blueprint == "admin"
                and request.path.startswith(href),
            }
        )
    return result


def _sits_on_a_local_panel(user) -> bool:
    """Whether the user has interventions to follow: a member's role on a local panel."""
    from panel.interventions.queries import local_panels_of

    return bool(local_panels_of(user))


def _interventions_text(user) -> str | Markup:
    """ "Interventions", and how many of the user's organisation's are overdue, in words a
    screen reader says too: "Interventions 3 overdue". One COUNT query, shared with the home
    page in the same request."""
    from panel.interventions.queries import organisation_counts

    overdue = organisation_counts(user).overdue
    if not overdue:
        return "Interventions"
    return Markup(
        'Interventions <strong class="govuk-tag govuk-tag--red">{} overdue</strong>'
    ).format(overdue.short)


def template_context() -> dict:
    return {
        "csp_nonce": csp_nonce,
        "navigation_items": navigation_items,
        "can": lambda action, target=None: access.can(current_user, action, target),
        "Action": access.Action,
    }

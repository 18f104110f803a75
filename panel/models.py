"""Every model, imported in one place so Alembic and the app always see the whole schema."""

from panel.accounts.models import Organisation, User
from panel.audit import AuditEvent
from panel.panels.models import Membership, Panel

__all__ = ["AuditEvent", "Membership", "Organisation", "Panel", "User"]

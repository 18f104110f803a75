"""Single-use account links: an invitation to set a first password, and a password reset. Only
the hash of a link's token is stored (services.py says why)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from panel.accounts.models import User
from panel.core.database import LabelledEnum, UTCDateTime, enum_column, utcnow
from panel.extensions import db


class LinkPurpose(LabelledEnum):
    INVITATION = ("invitation", "Invitation")
    PASSWORD_RESET = ("password_reset", "Password reset")


# Flask-SQLAlchemy makes db.Model at run time, which mypy cannot take as a base (python/mypy#8603).
class AccountLink(db.Model):  # type: ignore[name-defined]
    __tablename__ = "account_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[LinkPurpose] = mapped_column(enum_column(LinkPurpose))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    # SHA-256 of the token, hex. The token has 256 bits of entropy, so a plain hash is enough:
    # there is nothing to guess that a slow hash would protect.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Voiding a link brings its expiry forward to the moment it was voided.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<AccountLink {self.id} {self.purpose.value} user {self.user_id}>"

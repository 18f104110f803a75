"""Recovery codes: ten single-use codes for signing in when the authenticator app is lost. The TOTP
secret itself is on the user (`User.totp_secret`, encrypted)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from panel.core.database import UTCDateTime, utcnow
from panel.extensions import db


class RecoveryCode(db.Model):
    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    # "<salt>$<sha256 of salt and code>"; the code itself is shown once and never stored.
    code_hash: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

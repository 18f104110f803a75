"""Reminder claims: one row per person per UK day whose reminder a run of `flask send-reminders`
has taken, so that runs on two servers at once, or a second run, send each person one message.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04 03:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reminder_claim",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_reminder_claim_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("day", "user_id", name=op.f("pk_reminder_claim")),
    )


def downgrade():
    op.drop_table("reminder_claim")

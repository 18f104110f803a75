"""The second pair of eyes: who checked a case review for identifying detail, when, and the
fingerprint of the text they checked.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-04 01:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("case_review", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checked_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("checked_sha256", sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_case_review_checked_by_id_user_account"),
            "user_account",
            ["checked_by_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("case_review", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_case_review_checked_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("checked_sha256")
        batch_op.drop_column("checked_at")
        batch_op.drop_column("checked_by_id")

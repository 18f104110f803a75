"""The pool of finalised cases case reviews are drawn from: its cases (with their strands and
the agency's reference, encrypted), the draws, and uploads waiting to be confirmed.

Revision ID: 0031
Revises: 0029
Create Date: 2026-12-04 03:02:45.360743

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0031"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pool_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("preview", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panel.id"], name=op.f("fk_pool_import_panel_id_panel")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_pool_import_uploaded_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pool_import")),
    )
    with op.batch_alter_table("pool_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pool_import_panel_id"), ["panel_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_pool_import_uploaded_by_id"), ["uploaded_by_id"], unique=False
        )

    op.create_table(
        "pool_draw",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("drawn_by_id", sa.Integer(), nullable=True),
        sa.Column("how_many", sa.Integer(), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("seed", sa.String(length=32), nullable=False),
        sa.Column("method", sa.Integer(), nullable=False),
        sa.Column("last_pool_case_id", sa.Integer(), nullable=False),
        sa.Column("eligible_count", sa.Integer(), nullable=False),
        sa.Column("eligible_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["drawn_by_id"], ["user_account.id"], name=op.f("fk_pool_draw_drawn_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_pool_draw_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panel.id"], name=op.f("fk_pool_draw_panel_id_panel")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pool_draw")),
    )
    with op.batch_alter_table("pool_draw", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pool_draw_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index("ix_pool_draw_panel_drawn", ["panel_id", "drawn_at"], unique=False)

    op.create_table(
        "pool_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column(
            "offence_category",
            sa.Enum(
                "violence_with_injury",
                "violence_without_injury",
                "public_order",
                "harassment",
                "malicious_communications",
                "criminal_damage",
                "robbery",
                "sexual_offence",
                "other",
                name="offencecategory",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "outcome",
            sa.Enum(
                "1",
                "1A",
                "2",
                "3",
                "4",
                "5",
                "6",
                "7",
                "8",
                "9",
                "10",
                "11",
                "12",
                "13",
                "14",
                "15",
                "16",
                "17",
                "18",
                "20",
                "21",
                "22",
                name="outcome",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("finalised_year", sa.Integer(), nullable=False),
        sa.Column("finalised_month", sa.Integer(), nullable=False),
        sa.Column("policing_area", sa.String(length=120), nullable=False),
        sa.Column("agency_reference_encrypted", sa.Text(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("discarded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("draw_id", sa.Integer(), nullable=True),
        sa.Column("case_review_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["user_account.id"], name=op.f("fk_pool_case_added_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["case_review_id"],
            ["case_review.id"],
            name=op.f("fk_pool_case_case_review_id_case_review"),
        ),
        sa.ForeignKeyConstraint(
            ["draw_id"], ["pool_draw.id"], name=op.f("fk_pool_case_draw_id_pool_draw")
        ),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panel.id"], name=op.f("fk_pool_case_panel_id_panel")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pool_case")),
    )
    with op.batch_alter_table("pool_case", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pool_case_case_review_id"), ["case_review_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pool_case_draw_id"), ["draw_id"], unique=False)
        batch_op.create_index("ix_pool_case_panel_id", ["panel_id", "id"], unique=False)

    op.create_table(
        "pool_case_strand",
        sa.Column("pool_case_id", sa.Integer(), nullable=False),
        sa.Column(
            "strand",
            sa.Enum(
                "race",
                "religion",
                "sexual_orientation",
                "disability",
                "transgender",
                "sex_or_gender",
                "alternative_subculture",
                "age",
                name="strand",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["pool_case_id"],
            ["pool_case.id"],
            name=op.f("fk_pool_case_strand_pool_case_id_pool_case"),
        ),
        sa.PrimaryKeyConstraint("pool_case_id", "strand", name=op.f("pk_pool_case_strand")),
    )
    with op.batch_alter_table("pool_case_strand", schema=None) as batch_op:
        batch_op.create_index("ix_pool_case_strand_strand", ["strand"], unique=False)


def downgrade():
    with op.batch_alter_table("pool_case_strand", schema=None) as batch_op:
        batch_op.drop_index("ix_pool_case_strand_strand")

    op.drop_table("pool_case_strand")
    with op.batch_alter_table("pool_case", schema=None) as batch_op:
        batch_op.drop_index("ix_pool_case_panel_id")
        batch_op.drop_index(batch_op.f("ix_pool_case_draw_id"))
        batch_op.drop_index(batch_op.f("ix_pool_case_case_review_id"))

    op.drop_table("pool_case")
    with op.batch_alter_table("pool_draw", schema=None) as batch_op:
        batch_op.drop_index("ix_pool_draw_panel_drawn")
        batch_op.drop_index(batch_op.f("ix_pool_draw_meeting_id"))

    op.drop_table("pool_draw")
    with op.batch_alter_table("pool_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pool_import_uploaded_by_id"))
        batch_op.drop_index(batch_op.f("ix_pool_import_panel_id"))

    op.drop_table("pool_import")

"""Key messages: the chair's short messages to the community and agencies, approved and published
with the minutes, and each publication of them as an OFFICIAL document (the messages as published
and the PDF rendered once, with its SHA-256).

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-04 03:15:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "key_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("minutes_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "audience",
            sa.Enum("community", "agency", "both", name="audience", native_enum=False, length=9),
            nullable=False,
        ),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["minutes_id"], ["minutes.id"], name=op.f("fk_key_message_minutes_id_minutes")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_key_message_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_key_message_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_key_message_updated_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_message")),
    )
    op.create_index(
        "ix_key_message_minutes_position", "key_message", ["minutes_id", "position"], unique=False
    )
    op.create_table(
        "key_messages_publication",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("minutes_version_id", sa.Integer(), nullable=False),
        sa.Column("minutes_id", sa.Integer(), nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("meeting_starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("superseded", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["minutes_version_id"],
            ["minutes_version.id"],
            name=op.f("fk_key_messages_publication_minutes_version_id_minutes_version"),
        ),
        sa.ForeignKeyConstraint(
            ["minutes_id"], ["minutes.id"], name=op.f("fk_key_messages_publication_minutes_id_minutes")
        ),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panel.id"], name=op.f("fk_key_messages_publication_panel_id_panel")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_key_messages_publication_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["user_account.id"],
            name=op.f("fk_key_messages_publication_published_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_messages_publication")),
        sa.UniqueConstraint(
            "minutes_version_id", name=op.f("uq_key_messages_publication_minutes_version_id")
        ),
    )
    op.create_index(
        "ix_key_messages_publication_panel_meeting",
        "key_messages_publication",
        ["panel_id", "superseded", "meeting_starts_at"],
        unique=False,
    )
    op.create_index(
        "ix_key_messages_publication_meeting",
        "key_messages_publication",
        ["meeting_id"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_key_messages_publication_meeting", table_name="key_messages_publication")
    op.drop_index("ix_key_messages_publication_panel_meeting", table_name="key_messages_publication")
    op.drop_table("key_messages_publication")
    op.drop_index("ix_key_message_minutes_position", table_name="key_message")
    op.drop_table("key_message")

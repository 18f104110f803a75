"""Text saved past the personal-data guard, kept with its panel so that the chair and coordinator
see the latest on their home page in one indexed query (the audit trail keeps them too, without a
panel to search by). Overrides made before this migration stay in the audit trail only.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 23:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('guard_override',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('panel_id', sa.Integer(), nullable=False),
    sa.Column('case_review_id', sa.Integer(), nullable=True),
    sa.Column('object_type', sa.String(length=60), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('kinds', sa.JSON(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_guard_override_actor_id_user_account')),
    sa.ForeignKeyConstraint(['case_review_id'], ['case_review.id'], name=op.f('fk_guard_override_case_review_id_case_review')),
    sa.ForeignKeyConstraint(['panel_id'], ['panel.id'], name=op.f('fk_guard_override_panel_id_panel')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guard_override'))
    )
    with op.batch_alter_table('guard_override', schema=None) as batch_op:
        batch_op.create_index('ix_guard_override_panel_saved', ['panel_id', 'saved_at'], unique=False)


def downgrade():
    with op.batch_alter_table('guard_override', schema=None) as batch_op:
        batch_op.drop_index('ix_guard_override_panel_saved')

    op.drop_table('guard_override')

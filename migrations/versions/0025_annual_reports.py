"""Annual reports: the full and the reader-safe PDF of a panel's financial year, stored when the
chair or coordinator produces them and served as stored; producing the year again replaces them.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('annual_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('panel_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('produced_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('produced_by_id', sa.Integer(), nullable=True),
    sa.Column('full_pdf', sa.LargeBinary(), nullable=False),
    sa.Column('full_sha256', sa.String(length=64), nullable=False),
    sa.Column('reader_pdf', sa.LargeBinary(), nullable=False),
    sa.Column('reader_sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['panel_id'], ['panel.id'], name=op.f('fk_annual_report_panel_id_panel')),
    sa.ForeignKeyConstraint(['produced_by_id'], ['user_account.id'], name=op.f('fk_annual_report_produced_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_report')),
    sa.UniqueConstraint('panel_id', 'year', name=op.f('uq_annual_report_panel_id'))
    )


def downgrade():
    op.drop_table('annual_report')

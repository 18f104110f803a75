"""Passkeys: each person's WebAuthn credentials as a second factor, the challenges a registration
or sign-in answers once, and the random user handle passkeys know a person by.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03 23:46:43

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('passkey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('credential_id', sa.LargeBinary(length=1023), nullable=False),
    sa.Column('public_key', sa.LargeBinary(length=2048), nullable=False),
    sa.Column('sign_count', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('transports', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_passkey_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_passkey')),
    sa.UniqueConstraint('credential_id', name=op.f('uq_passkey_credential_id'))
    )
    with op.batch_alter_table('passkey', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_passkey_user_id'), ['user_id'], unique=False)

    op.create_table('passkey_challenge',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=12), nullable=False),
    sa.Column('challenge', sa.LargeBinary(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_passkey_challenge_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_passkey_challenge'))
    )
    with op.batch_alter_table('passkey_challenge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_passkey_challenge_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_passkey_challenge_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('passkey_user_handle', sa.LargeBinary(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_passkey_user_handle'), ['passkey_user_handle'])



def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_account_passkey_user_handle'), type_='unique')
        batch_op.drop_column('passkey_user_handle')

    with op.batch_alter_table('passkey_challenge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_passkey_challenge_user_id'))
        batch_op.drop_index(batch_op.f('ix_passkey_challenge_created_at'))

    op.drop_table('passkey_challenge')
    with op.batch_alter_table('passkey', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_passkey_user_id'))

    op.drop_table('passkey')

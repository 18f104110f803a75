"""Two-factor secrets encrypted at rest under DATA_ENCRYPTION_KEY (panel/encryption.py).

The column widens to hold a Fernet token and each secret already stored is encrypted in place;
downgrading decrypts them again, so it needs the same key.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 14:20:00

"""
from alembic import op
import sqlalchemy as sa

from panel.core import encryption


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

user_account = sa.table('user_account', sa.column('id', sa.Integer), sa.column('totp_secret', sa.String))


def _convert(change):
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(user_account.c.id, user_account.c.totp_secret).where(user_account.c.totp_secret.is_not(None))
    ).all()
    for user_id, value in rows:
        connection.execute(
            user_account.update().where(user_account.c.id == user_id).values(totp_secret=change(value))
        )


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=64), type_=sa.String(length=255), existing_nullable=True)
    _convert(encryption.encrypt)


def downgrade():
    _convert(encryption.decrypt)
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=255), type_=sa.String(length=64), existing_nullable=True)

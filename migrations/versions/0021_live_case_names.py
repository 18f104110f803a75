"""One name for live cases: the tables, columns, keys and indexes that said "panel case" say "live
case", as the pages, the addresses and the code do. The viewing record and the guard overrides name
the kind of object by its table, so their "panel_case" rows become "live_case". The audit trail is
append-only and hash-chained: its events keep "panel_case", and the audit-trail page reads that
as a live case (FORMER_OBJECT_TYPES in panel/admin/queries.py).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

# The case's lists beside it, each keyed by the case and one value.
LISTS = (('need', 'need'), ('strand', 'strand'))
# The case's own foreign keys: (column, table referred to).
REFERENCES = (
    ('created_by_id', 'user_account'),
    ('panel_id', 'panel'),
    ('referred_by_id', 'organisation'),
)
# Tables that name the kind of object beside its id, by table name.
TYPED = ('case_view', 'guard_override')


def upgrade():
    _rename('panel_case', 'live_case')


def downgrade():
    _rename('live_case', 'panel_case')


def _rename(old, new):
    """Rename the case's tables, its id columns and every key and index named after it from `old`
    to `new`. Batch mode: SQLite copies each table, PostgreSQL alters it in place. A column is
    renamed in one batch and its keys and indexes made in the next, so that a copy sees the new
    name. PostgreSQL refuses to drop the case's primary key while foreign keys refer to it, so
    those go first and come back last."""
    with op.batch_alter_table('intervention', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(f'fk_intervention_{old}_id_{old}'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('ck_intervention_case_or_place'), type_='check')
        batch_op.drop_index(f'ix_intervention_{old}')
        batch_op.alter_column(f'{old}_id', new_column_name=f'{new}_id', existing_type=sa.Integer())
    with op.batch_alter_table('intervention', schema=None) as batch_op:
        batch_op.create_check_constraint(
            batch_op.f('ck_intervention_case_or_place'),
            f'{new}_id IS NOT NULL OR place_or_community IS NOT NULL',
        )
        batch_op.create_index(f'ix_intervention_{new}', [f'{new}_id'], unique=False)

    for suffix, column in LISTS:
        op.rename_table(f'{old}_{suffix}', f'{new}_{suffix}')
        with op.batch_alter_table(f'{new}_{suffix}', schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f'fk_{old}_{suffix}_{old}_id_{old}'), type_='foreignkey'
            )
            batch_op.drop_constraint(batch_op.f(f'pk_{old}_{suffix}'), type_='primary')
            batch_op.alter_column(
                f'{old}_id', new_column_name=f'{new}_id', existing_type=sa.Integer()
            )
        with op.batch_alter_table(f'{new}_{suffix}', schema=None) as batch_op:
            batch_op.create_primary_key(batch_op.f(f'pk_{new}_{suffix}'), [f'{new}_id', column])

    op.rename_table(old, new)
    with op.batch_alter_table(new, schema=None) as batch_op:
        batch_op.drop_index(f'ix_{old}_panel_status')
        batch_op.drop_constraint(batch_op.f(f'uq_{old}_panel_id'), type_='unique')
        for column, table in REFERENCES:
            batch_op.drop_constraint(batch_op.f(f'fk_{old}_{column}_{table}'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f(f'pk_{old}'), type_='primary')
    with op.batch_alter_table(new, schema=None) as batch_op:
        batch_op.create_primary_key(batch_op.f(f'pk_{new}'), ['id'])
        for column, table in REFERENCES:
            batch_op.create_foreign_key(
                batch_op.f(f'fk_{new}_{column}_{table}'), table, [column], ['id']
            )
        batch_op.create_unique_constraint(batch_op.f(f'uq_{new}_panel_id'), ['panel_id', 'reference'])
        batch_op.create_index(f'ix_{new}_panel_status', ['panel_id', 'status'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        # The id's sequence, named after the table when it was created.
        op.execute(f'ALTER SEQUENCE {old}_id_seq RENAME TO {new}_id_seq')

    with op.batch_alter_table('intervention', schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f(f'fk_intervention_{new}_id_{new}'), new, [f'{new}_id'], ['id']
        )
    for suffix, _ in LISTS:
        with op.batch_alter_table(f'{new}_{suffix}', schema=None) as batch_op:
            batch_op.create_foreign_key(
                batch_op.f(f'fk_{new}_{suffix}_{new}_id_{new}'), new, [f'{new}_id'], ['id']
            )

    for name in TYPED:
        table = sa.table(name, sa.column('object_type', sa.String))
        op.execute(table.update().where(table.c.object_type == old).values(object_type=new))

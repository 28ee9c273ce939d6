"""import jobs run in the worker: a kept import file is also its job (status, progress, failure)

Revision ID: 7cc4c10c7b50
Revises: 1292864464b7
Create Date: 2026-12-06 19:18:08.129213

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7cc4c10c7b50'
down_revision = '1292864464b7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('manager_imports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.Enum('checked', 'queued', 'running', 'done', 'failed', name='import_status', native_enum=False, create_constraint=True, length=32), server_default='checked', nullable=False))
        batch_op.add_column(sa.Column('confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('rows_done', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('rows_total', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('failure', sa.JSON(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_manager_imports_confirmed_by_id_users'), 'users', ['confirmed_by_id'], ['id'], ondelete='SET NULL')
    # Files imported before jobs existed were written in their request: they are done.
    op.execute("UPDATE manager_imports SET status = 'done', finished_at = committed_at WHERE committed_at IS NOT NULL")


def downgrade():
    with op.batch_alter_table('manager_imports', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_manager_imports_confirmed_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('ck_manager_imports_import_status'), type_='check')
        batch_op.drop_column('failure')
        batch_op.drop_column('rows_total')
        batch_op.drop_column('rows_done')
        batch_op.drop_column('finished_at')
        batch_op.drop_column('started_at')
        batch_op.drop_column('queued_at')
        batch_op.drop_column('confirmed_by_id')
        batch_op.drop_column('status')

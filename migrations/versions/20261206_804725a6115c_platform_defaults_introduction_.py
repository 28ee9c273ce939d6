"""platform defaults: the introduction programme and catalogue a platform file carries

Existing installations get them with their next `flask platform load`; until then (and for a file
without them) the default programme is built from the platform's pillars.

Revision ID: 804725a6115c
Revises: 7cc4c10c7b50
Create Date: 2026-12-06 20:17:24.962821

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '804725a6115c'
down_revision = '7cc4c10c7b50'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('platforms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('defaults', sa.JSON(), nullable=True))



def downgrade():
    with op.batch_alter_table('platforms', schema=None) as batch_op:
        batch_op.drop_column('defaults')


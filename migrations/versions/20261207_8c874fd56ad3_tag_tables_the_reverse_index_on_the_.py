"""tag tables: the reverse index on the catalogue's and milestones' tags

Revision ID: 8c874fd56ad3
Revises: 03baf2c2d00b
The activity tag tables have had it from the start; coverage-style questions ("which catalogue items
build this pillar") need it on the others too.

Create Date: 2026-12-07 02:54:10.690231

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8c874fd56ad3'
down_revision = '03baf2c2d00b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('catalogue_item_expectations', schema=None) as batch_op:
        batch_op.create_index('ix_catalogue_item_expectations_expectation_id', ['expectation_id', 'catalogue_item_id'], unique=False)

    with op.batch_alter_table('catalogue_item_pillars', schema=None) as batch_op:
        batch_op.create_index('ix_catalogue_item_pillars_pillar_id', ['pillar_id', 'catalogue_item_id'], unique=False)

    with op.batch_alter_table('template_milestone_expectations', schema=None) as batch_op:
        batch_op.create_index('ix_template_milestone_expectations_expectation_id', ['expectation_id', 'milestone_id'], unique=False)

    with op.batch_alter_table('template_milestone_pillars', schema=None) as batch_op:
        batch_op.create_index('ix_template_milestone_pillars_pillar_id', ['pillar_id', 'milestone_id'], unique=False)



def downgrade():
    with op.batch_alter_table('template_milestone_pillars', schema=None) as batch_op:
        batch_op.drop_index('ix_template_milestone_pillars_pillar_id')

    with op.batch_alter_table('template_milestone_expectations', schema=None) as batch_op:
        batch_op.drop_index('ix_template_milestone_expectations_expectation_id')

    with op.batch_alter_table('catalogue_item_pillars', schema=None) as batch_op:
        batch_op.drop_index('ix_catalogue_item_pillars_pillar_id')

    with op.batch_alter_table('catalogue_item_expectations', schema=None) as batch_op:
        batch_op.drop_index('ix_catalogue_item_expectations_expectation_id')


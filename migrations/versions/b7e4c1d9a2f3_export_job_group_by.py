"""export job: the variable the outcomes are also given per group of (issue 14)

Revision ID: b7e4c1d9a2f3
Revises: a1c4e7d20b15
Create Date: 2026-11-30 10:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e4c1d9a2f3'
down_revision = 'a1c4e7d20b15'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_by', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.drop_column('group_by')

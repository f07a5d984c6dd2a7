"""export job heartbeat and attempts (jobs run on the task queue)

Revision ID: 3f9c2b7d41a6
Revises: dda5188b5c72
Create Date: 2026-11-30 07:25:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f9c2b7d41a6'
down_revision = 'dda5188b5c72'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column('attempts', sa.Integer(), nullable=False, server_default='0')
        )


def downgrade():
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.drop_column('attempts')
        batch_op.drop_column('heartbeat_at')

"""a question's constraint beyond min/max and length, and its message (XLSForm constraint)

Revision ID: c4a8e2d61f07
Revises: c4a7d2e9f158
Create Date: 2026-11-30 12:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a8e2d61f07'
down_revision = 'c4a7d2e9f158'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accept_if', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('constraint_message_en', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('constraint_message_fr', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_column('constraint_message_fr')
        batch_op.drop_column('constraint_message_en')
        batch_op.drop_column('accept_if')

"""default answers (XLSForm default) and the furthest page a response saved

Revision ID: e2f7c5a1d803
Revises: d6e1a3b9c742
Create Date: 2026-11-30 16:10:00

`question.default_answer` holds a question's default as written (XLSForm's `default`), which
prefills its field the first time the participant sees its page. `response.saved_position` is
the furthest page the participant saved: a page beyond it is prefilled, one at or before it
shows what they left (a default they cleared stays cleared). A response begun before this
revision may have saved its current page already, so it starts at its current position:
nothing it holds is ever prefilled again.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e2f7c5a1d803'
down_revision = 'd6e1a3b9c742'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('default_answer', sa.Text(), nullable=True))
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('saved_position', sa.Integer(), nullable=False, server_default=sa.text('0'))
        )
    op.execute("UPDATE response SET saved_position = current_position")


def downgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_column('saved_position')
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_column('default_answer')

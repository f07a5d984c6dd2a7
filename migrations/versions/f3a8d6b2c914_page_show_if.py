"""a page's show-if (XLSForm group relevant)

Revision ID: f3a8d6b2c914
Revises: e2f7c5a1d803
Create Date: 2026-11-30 16:20:00

`page.show_if`: when it is false the page and its questions are skipped. Before, a group's
relevant was joined to each of its questions' show-if on import; those questions keep theirs.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3a8d6b2c914'
down_revision = 'e2f7c5a1d803'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('page', schema=None) as batch_op:
        batch_op.add_column(sa.Column('show_if', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('page', schema=None) as batch_op:
        batch_op.drop_column('show_if')

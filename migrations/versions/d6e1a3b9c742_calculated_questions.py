"""calculated questions (XLSForm calculate)

Revision ID: d6e1a3b9c742
Revises: c4a8e2d61f07
Create Date: 2026-11-30 16:00:00

A question type `calculate`, whose answer the server computes from earlier answers with the
question's `calculation` (an expression, a new column) and stores as a number in
`answer.value_number`, like any numeric answer: the answer table does not change. The question
type check takes the new name. SQLite copies the question table once (batch mode) to change
its check; PostgreSQL alters it in place. The downgrade refuses to run while a calculated
question exists: its type would break the old check.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd6e1a3b9c742'
down_revision = 'c4a8e2d61f07'
branch_labels = None
depends_on = None

# The checks as written out here, never read from the models (a migration must not change
# when the models do later).
OLD_TYPES = (
    'single_choice', 'multiple_choice', 'yes_no', 'likert', 'rating', 'integer', 'decimal',
    'date', 'time', 'datetime', 'short_text', 'long_text', 'note',
)
NEW_TYPES = OLD_TYPES + ('calculate',)


def _types_check(types):
    return "type IN (" + ", ".join(f"'{t}'" for t in types) + ")"


def upgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calculation', sa.Text(), nullable=True))
        batch_op.drop_constraint(op.f('ck_question_type'), type_='check')
        batch_op.create_check_constraint(op.f('ck_question_type'), _types_check(NEW_TYPES))


def downgrade():
    used = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM question WHERE type = 'calculate'")
    )
    if used:
        raise RuntimeError(
            f"{used} calculated questions exist: remove them (and their answers) first"
        )
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_question_type'), type_='check')
        batch_op.create_check_constraint(op.f('ck_question_type'), _types_check(OLD_TYPES))
        batch_op.drop_column('calculation')

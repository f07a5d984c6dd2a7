"""time and datetime questions

Revision ID: c4a7d2e9f158
Revises: b7e2f9c31d84
Create Date: 2026-11-30 12:30:00

Two question types, `time` (a time of day) and `datetime` (a date and a time of day, as the
participant's clock showed it), each with a typed answer column: `answer.value_time` and
`answer.value_datetime` (no time zone: the participant's own clock). The question type check
takes the two names, and the answer's one-value check counts the two new columns. SQLite
copies each table once (batch mode) to change its checks; PostgreSQL alters them in place.
The downgrade refuses to run while any question of the two types exists: their answers would
have nowhere to go.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a7d2e9f158'
down_revision = 'b7e2f9c31d84'
branch_labels = None
depends_on = None

# The checks as written out here, never read from the models (a migration must not change
# when the models do later).
OLD_TYPES = (
    'single_choice', 'multiple_choice', 'yes_no', 'likert', 'rating', 'integer', 'decimal',
    'date', 'short_text', 'long_text', 'note',
)
NEW_TYPES = (
    'single_choice', 'multiple_choice', 'yes_no', 'likert', 'rating', 'integer', 'decimal',
    'date', 'time', 'datetime', 'short_text', 'long_text', 'note',
)
OLD_COLUMNS = ('value_text', 'value_number', 'value_date')
NEW_COLUMNS = ('value_text', 'value_number', 'value_date', 'value_time', 'value_datetime')


def _types_check(types):
    return "type IN (" + ", ".join(f"'{t}'" for t in types) + ")"


def _one_value_check(columns):
    return " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)" for c in columns) + " = 1"


def upgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_question_type'), type_='check')
        batch_op.create_check_constraint(op.f('ck_question_type'), _types_check(NEW_TYPES))
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('value_time', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('value_datetime', sa.DateTime(timezone=False), nullable=True))
        batch_op.drop_constraint(op.f('ck_answer_one_value'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_answer_one_value'), _one_value_check(NEW_COLUMNS)
        )


def downgrade():
    used = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM question WHERE type IN ('time', 'datetime')")
    )
    if used:
        raise RuntimeError(
            f"{used} time or datetime questions exist: remove them (and their answers) first"
        )
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_answer_one_value'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_answer_one_value'), _one_value_check(OLD_COLUMNS)
        )
        batch_op.drop_column('value_datetime')
        batch_op.drop_column('value_time')
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_question_type'), type_='check')
        batch_op.create_check_constraint(op.f('ck_question_type'), _types_check(OLD_TYPES))

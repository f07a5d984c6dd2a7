"""export jobs make files for statistics packages (.sav, .dta, R) with labels in a language

Revision ID: b7e4c2a9d315
Revises: 3f9c2b7d41a6
Create Date: 2026-11-30 10:05:00

The format check allows 'sav', 'dta' and 'r' beside 'xlsx' and 'csv', and each job keeps the
language of the labels it writes ('en' for the jobs made before). SQLite cannot change a check
constraint in place: batch mode copies the table once (it is small: files expire in 24 hours).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e4c2a9d315'
down_revision = '3f9c2b7d41a6'
branch_labels = None
depends_on = None

OLD_FORMATS = "format IN ('xlsx', 'csv')"
NEW_FORMATS = "format IN ('xlsx', 'csv', 'sav', 'dta', 'r')"


def upgrade():
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_export_job_format'), type_='check')
        batch_op.create_check_constraint(op.f('ck_export_job_format'), NEW_FORMATS)
        batch_op.add_column(
            sa.Column('label_language', sa.String(length=2), nullable=False, server_default='en')
        )


def downgrade():
    # The jobs for statistics files cannot be kept under the old check.
    op.execute("DELETE FROM export_job WHERE format IN ('sav', 'dta', 'r')")
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.drop_column('label_language')
        batch_op.drop_constraint(op.f('ck_export_job_format'), type_='check')
        batch_op.create_check_constraint(op.f('ck_export_job_format'), OLD_FORMATS)

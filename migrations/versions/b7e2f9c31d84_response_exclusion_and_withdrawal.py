"""response exclusion and withdrawal, and the indexes the staff's response browser sorts by

Revision ID: b7e2f9c31d84
Revises: b7e4c1d9a2f3
Create Date: 2026-11-30 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e2f9c31d84'
down_revision = 'b7e4c1d9a2f3'
branch_labels = None
depends_on = None

REASONS = "('test', 'duplicate', 'not_eligible', 'implausible', 'other')"
# The staff's response browser filters on these; its two indexes hold them after the sort
# columns so that a page or a count is read from the index alone.
FILTERED = [
    'status',
    'language',
    'version_id',
    'current_position',
    'excluded_reason',
    'withdrawn_at',
]

def upgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('excluded_reason', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('excluded_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('excluded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('excluded_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_response_excluded_by_id_user_account'),
            'user_account',
            ['excluded_by_id'],
            ['id'],
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_response_withdrawn_by_id_user_account'),
            'user_account',
            ['withdrawn_by_id'],
            ['id'],
        )
        batch_op.create_check_constraint(
            'exclusion_reason', f"excluded_reason IS NULL OR excluded_reason IN {REASONS}"
        )
        batch_op.create_check_constraint(
            'excluded_when_reason', "(excluded_reason IS NULL) = (excluded_at IS NULL)"
        )
        batch_op.create_check_constraint(
            'withdrawn_by_when', "withdrawn_by_id IS NULL OR withdrawn_at IS NOT NULL"
        )
        batch_op.create_index(batch_op.f('ix_response_excluded_reason'), ['excluded_reason'])
        batch_op.create_index(batch_op.f('ix_response_withdrawn_at'), ['withdrawn_at'])
        batch_op.create_index('ix_response_browse_started', ['started_at', 'id', *FILTERED])
        batch_op.create_index(
            'ix_response_browse_updated', ['updated_at', 'id', *FILTERED, 'started_at']
        )

def downgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_index('ix_response_browse_updated')
        batch_op.drop_index('ix_response_browse_started')
        batch_op.drop_index(batch_op.f('ix_response_withdrawn_at'))
        batch_op.drop_index(batch_op.f('ix_response_excluded_reason'))
        batch_op.drop_constraint('withdrawn_by_when', type_='check')
        batch_op.drop_constraint('excluded_when_reason', type_='check')
        batch_op.drop_constraint('exclusion_reason', type_='check')
        batch_op.drop_constraint(
            batch_op.f('fk_response_withdrawn_by_id_user_account'), type_='foreignkey'
        )
        batch_op.drop_constraint(
            batch_op.f('fk_response_excluded_by_id_user_account'), type_='foreignkey'
        )
        batch_op.drop_column('withdrawn_by_id')
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('excluded_by_id')
        batch_op.drop_column('excluded_at')
        batch_op.drop_column('excluded_note')
        batch_op.drop_column('excluded_reason')

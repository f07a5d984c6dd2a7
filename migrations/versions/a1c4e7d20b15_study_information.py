"""study information, kept in revisions; each response records the one it consented with, and
whether it was asked about an unopened toolkit

Revision ID: a1c4e7d20b15
Revises: b7e4c2a9d315
Create Date: 2026-11-30 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c4e7d20b15'
down_revision = 'b7e4c2a9d315'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('study_information',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('title_fr', sa.String(length=200), nullable=False),
    sa.Column('institution_en', sa.String(length=200), nullable=False),
    sa.Column('institution_fr', sa.String(length=200), nullable=False),
    sa.Column('investigator', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('contact_phone', sa.String(length=40), nullable=False),
    sa.Column('ethics_board_en', sa.String(length=200), nullable=False),
    sa.Column('ethics_board_fr', sa.String(length=200), nullable=False),
    sa.Column('approval_number', sa.String(length=100), nullable=False),
    sa.Column('retention_en', sa.Text(), nullable=False),
    sa.Column('retention_fr', sa.Text(), nullable=False),
    sa.Column('withdrawal_en', sa.Text(), nullable=False),
    sa.Column('withdrawal_fr', sa.Text(), nullable=False),
    sa.CheckConstraint('number >= 1', name=op.f('ck_study_information_number_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_study_information_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], name=op.f('fk_study_information_questionnaire_id_questionnaire')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_study_information')),
    sa.UniqueConstraint('questionnaire_id', 'number', name=op.f('uq_study_information_questionnaire_id_number'))
    )
    with op.batch_alter_table('study_information', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_study_information_questionnaire_id'), ['questionnaire_id'], unique=False)

    # Responses begun before this revision keep an empty study information: the app seeds the
    # first revision the first time a participant consents or an admin saves the information.
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('study_information_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('toolkit_prompt_shown', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
        batch_op.create_index(batch_op.f('ix_response_study_information_id'), ['study_information_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_response_study_information_id_study_information'), 'study_information', ['study_information_id'], ['id'])


def downgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_response_study_information_id_study_information'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_response_study_information_id'))
        batch_op.drop_column('toolkit_prompt_shown')
        batch_op.drop_column('study_information_id')

    with op.batch_alter_table('study_information', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_study_information_questionnaire_id'))

    op.drop_table('study_information')

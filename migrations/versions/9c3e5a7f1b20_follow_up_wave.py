"""the follow-up wave: contacts, their emails, the admin's settings, and a follow-up response's
link to its baseline response

Revision ID: 9c3e5a7f1b20
Revises: f3a8d6b2c914
Create Date: 2026-11-30 18:00:00

`response.follow_up_of`: a response of the follow-up questionnaire names the baseline response it
follows (unique: one follow-up each). `follow_up_contact` holds the only identifying data in the
system, the email address, Fernet-encrypted and deleted when the follow-up closes.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9c3e5a7f1b20'
down_revision = 'f3a8d6b2c914'
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follow_up_of', sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_response_follow_up_of'), ['follow_up_of'])
        batch_op.create_foreign_key(
            batch_op.f('fk_response_follow_up_of_response'), 'response', ['follow_up_of'], ['id']
        )

    op.create_table('follow_up_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.String(length=32), nullable=False),
    sa.Column('email_encrypted', sa.Text(), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('consent_version', sa.String(length=64), nullable=False),
    sa.Column('consented_at', WHEN, nullable=False),
    sa.Column('due_at', WHEN, nullable=False),
    sa.Column('link_nonce', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', WHEN, nullable=True),
    sa.Column('invited_at', WHEN, nullable=True),
    sa.Column('reminded_at', WHEN, nullable=True),
    sa.Column('answered_at', WHEN, nullable=True),
    sa.Column('unsubscribed_at', WHEN, nullable=True),
    sa.Column('bounced_at', WHEN, nullable=True),
    sa.Column('closed_at', WHEN, nullable=True),
    sa.Column('closed_reason', sa.String(length=16), nullable=True),
    sa.CheckConstraint("language IN ('en', 'fr')", name=op.f('ck_follow_up_contact_language')),
    sa.CheckConstraint(
        "closed_reason IS NULL OR closed_reason IN ('answered', 'unsubscribed', 'expired', 'failed')",
        name=op.f('ck_follow_up_contact_closed_reason'),
    ),
    sa.CheckConstraint(
        '(closed_at IS NULL) = (closed_reason IS NULL)',
        name=op.f('ck_follow_up_contact_closed_when_reason'),
    ),
    sa.CheckConstraint(
        '(closed_at IS NULL) = (email_encrypted IS NOT NULL)',
        name=op.f('ck_follow_up_contact_address_while_open'),
    ),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_follow_up_contact_response_id_response')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_contact')),
    sa.UniqueConstraint('response_id', name=op.f('uq_follow_up_contact_response_id')),
    sa.UniqueConstraint('link_nonce', name=op.f('uq_follow_up_contact_link_nonce')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_follow_up_contact_token_hash')),
    )
    with op.batch_alter_table('follow_up_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_contact_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_contact_closed_at'), ['closed_at'], unique=False)

    op.create_table('follow_up_send',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('wave', sa.String(length=16), nullable=False),
    sa.Column('claimed_at', WHEN, nullable=False),
    sa.Column('sent_at', WHEN, nullable=True),
    sa.Column('failed_at', WHEN, nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.CheckConstraint("wave IN ('invitation', 'reminder')", name=op.f('ck_follow_up_send_wave')),
    sa.CheckConstraint('sent_at IS NULL OR failed_at IS NULL', name=op.f('ck_follow_up_send_sent_or_failed')),
    sa.ForeignKeyConstraint(['contact_id'], ['follow_up_contact.id'], name=op.f('fk_follow_up_send_contact_id_follow_up_contact'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_send')),
    sa.UniqueConstraint('contact_id', 'wave', name=op.f('uq_follow_up_send_contact_id_wave')),
    )
    with op.batch_alter_table('follow_up_send', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_send_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_send_claimed_at'), ['claimed_at'], unique=False)

    op.create_table('follow_up_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invite_after_days', sa.Integer(), nullable=False),
    sa.Column('remind_after_days', sa.Integer(), nullable=False),
    sa.Column('link_valid_days', sa.Integer(), nullable=False),
    sa.Column('sender', sa.String(length=254), nullable=True),
    sa.Column('subject_en', sa.String(length=200), nullable=True),
    sa.Column('subject_fr', sa.String(length=200), nullable=True),
    sa.Column('body_en', sa.Text(), nullable=True),
    sa.Column('body_fr', sa.Text(), nullable=True),
    sa.Column('updated_at', WHEN, nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('id = 1', name=op.f('ck_follow_up_settings_single_row')),
    sa.CheckConstraint('invite_after_days BETWEEN 1 AND 365', name=op.f('ck_follow_up_settings_invite_after_days')),
    sa.CheckConstraint('remind_after_days BETWEEN 1 AND 90', name=op.f('ck_follow_up_settings_remind_after_days')),
    sa.CheckConstraint('link_valid_days BETWEEN 1 AND 365', name=op.f('ck_follow_up_settings_link_valid_days')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_follow_up_settings_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_settings')),
    )


def downgrade():
    op.drop_table('follow_up_settings')
    with op.batch_alter_table('follow_up_send', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_send_claimed_at'))
        batch_op.drop_index(batch_op.f('ix_follow_up_send_contact_id'))
    op.drop_table('follow_up_send')
    with op.batch_alter_table('follow_up_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_contact_closed_at'))
        batch_op.drop_index(batch_op.f('ix_follow_up_contact_due_at'))
    op.drop_table('follow_up_contact')
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_response_follow_up_of_response'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_response_follow_up_of'), type_='unique')
        batch_op.drop_column('follow_up_of')

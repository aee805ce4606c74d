"""polls: polls, options, anonymous ballots and their choices

Revision ID: d0c943cdd358
Revises: 7dbf309b7bfe
Create Date: 2026-11-29 12:52:11.684706

Ballots hold only the poll, the day and (in poll_choices) the chosen codes: no account, no
address, no time of day.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op



revision = 'd0c943cdd358'
down_revision = '7dbf309b7bfe'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('polls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('question_nl', sa.String(length=300), nullable=False),
    sa.Column('question_en', sa.String(length=300), nullable=True),
    sa.Column('is_multiple', sa.Boolean(), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=True),
    sa.Column('closes_on', sa.Date(), nullable=True),
    sa.Column('show_results', sa.Boolean(), nullable=False),
    sa.Column('source_path', sa.String(length=300), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_polls_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_polls')),
    sa.UniqueConstraint('slug', name=op.f('uq_polls_slug'))
    )
    op.create_table('poll_ballots',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('voted_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_ballots_poll_id_polls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_ballots'))
    )
    with op.batch_alter_table('poll_ballots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_ballots_poll_id'), ['poll_id'], unique=False)

    op.create_table('poll_options',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.SmallInteger(), nullable=False),
    sa.Column('label_nl', sa.String(length=200), nullable=False),
    sa.Column('label_en', sa.String(length=200), nullable=True),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_options_poll_id_polls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_options')),
    sa.UniqueConstraint('poll_id', 'code', name=op.f('uq_poll_options_poll_id_code'))
    )
    with op.batch_alter_table('poll_options', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_options_poll_id'), ['poll_id'], unique=False)

    op.create_table('poll_choices',
    sa.Column('ballot_id', sa.BigInteger(), nullable=False),
    sa.Column('code', sa.SmallInteger(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id'], ['poll_ballots.id'], name=op.f('fk_poll_choices_ballot_id_poll_ballots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_choices_poll_id_polls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ballot_id', 'code', name=op.f('pk_poll_choices'))
    )
    with op.batch_alter_table('poll_choices', schema=None) as batch_op:
        batch_op.create_index('ix_poll_choices_poll_code', ['poll_id', 'code'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('poll_choices', schema=None) as batch_op:
        batch_op.drop_index('ix_poll_choices_poll_code')

    op.drop_table('poll_choices')
    with op.batch_alter_table('poll_options', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_options_poll_id'))

    op.drop_table('poll_options')
    with op.batch_alter_table('poll_ballots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_ballots_poll_id'))

    op.drop_table('poll_ballots')
    op.drop_table('polls')

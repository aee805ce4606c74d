"""Result tallies: answer counts kept in SQL (app.results.tallies), and responses.tallied

Existing responses start uncounted (tallied NULL): the first fold (the result-tallies job or a
results view) counts them, chunk by chunk.

Revision ID: 6c5ada284a7a
Revises: b02ce7395649
Create Date: 2026-11-29 15:56:58.140855
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '6c5ada284a7a'
down_revision = 'b02ce7395649'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('result_tallies',
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('group_variable', sa.String(length=64), nullable=False),
    sa.Column('group_code', sa.Float(), nullable=False),
    sa.Column('variable', sa.String(length=64), nullable=False),
    sa.Column('item', sa.SmallInteger(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_result_tallies_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('survey_id', 'group_variable', 'group_code', 'variable', 'item', 'value', name=op.f('pk_result_tallies'))
    )
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tallied', sa.BigInteger(), nullable=True))
        batch_op.create_index('ix_responses_survey_tallied', ['survey_id', 'tallied', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index('ix_responses_survey_tallied')
        batch_op.drop_column('tallied')

    op.drop_table('result_tallies')

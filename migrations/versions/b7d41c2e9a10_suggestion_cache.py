"""the cache of suggested plan items per proposal

Revision ID: b7d41c2e9a10
Revises: b7d1e4a9c2f0
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d41c2e9a10'
down_revision = 'b7d1e4a9c2f0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('suggestion_set',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('computed_seq', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_suggestion_set_meeting_id_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('meeting_id', name=op.f('pk_suggestion_set'))
    )
    op.create_table('proposal_suggestions',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('suggestions', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_proposal_suggestions_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposal_suggestions_proposal_id_proposal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id', name=op.f('pk_proposal_suggestions'))
    )
    with op.batch_alter_table('proposal_suggestions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_suggestions_meeting_id'), ['meeting_id'], unique=False)


def downgrade():
    with op.batch_alter_table('proposal_suggestions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_suggestions_meeting_id'))
    op.drop_table('proposal_suggestions')
    op.drop_table('suggestion_set')

"""plan item: level of authority (Kewenangan), read from an optional column

Revision ID: b7d1e4a9c2f0
Revises: 24ca3e3d125c
Create Date: 2026-12-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d1e4a9c2f0'
down_revision = '24ca3e3d125c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plan_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('authority', sa.String(length=20), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('plan_item', schema=None) as batch_op:
        batch_op.drop_column('authority')

"""skill change source: "" for a change made by hand, "import" for a bulk import

Revision ID: d1a0c0de0011
Revises: c3a0c0de0003
Create Date: 2026-12-01 14:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd1a0c0de0011'
down_revision = 'c3a0c0de0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('skill_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=20), server_default='',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('skill_change', schema=None) as batch_op:
        batch_op.drop_column('source')

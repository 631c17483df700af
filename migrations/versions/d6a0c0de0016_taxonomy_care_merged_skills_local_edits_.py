"""taxonomy care: merged skills, local edits, history detail

A skill merged into another keeps its row (retired, ``merged_into_id`` set) so that
``load-taxonomy`` does not bring its code back; ``edited_at`` marks areas and skills an
administrator changed, which ``load-taxonomy`` then leaves alone; ``skill_change.detail``
keeps the name a history row was written under when its skill is merged away.

Revision ID: d6a0c0de0016
Revises: d8a0c0de0016 (written on c3a0c0de0003; chained after the import branch's migration when merging it)
Create Date: 2026-12-01 14:00:43.585087

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd6a0c0de0016'
down_revision = 'd8a0c0de0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('skill', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_skill_merged_into_id_skill'), 'skill', ['merged_into_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('skill_area', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('skill_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('detail', sa.String(length=300), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('skill_change', schema=None) as batch_op:
        batch_op.drop_column('detail')

    with op.batch_alter_table('skill_area', schema=None) as batch_op:
        batch_op.drop_column('edited_at')

    with op.batch_alter_table('skill', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_skill_merged_into_id_skill'), type_='foreignkey')
        batch_op.drop_column('edited_at')
        batch_op.drop_column('merged_into_id')


"""Project.team_version for saves made from an old team page; one requirement per skill

Revision ID: c1a0c0de0001
Revises: b10a0c0de001
Create Date: 2026-12-01 10:53:52.032230

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c1a0c0de0001'
down_revision = 'b10a0c0de001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_version', sa.Integer(), server_default='0',
                                      nullable=False))

    # a requirement added twice by a double click before this constraint: keep the first
    op.execute("DELETE FROM project_requirement WHERE id NOT IN ("
               "SELECT MIN(id) FROM project_requirement GROUP BY project_id, skill_id)")
    with op.batch_alter_table('project_requirement', schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f('uq_project_requirement_project_id_skill_id'), ['project_id', 'skill_id'])


def downgrade():
    with op.batch_alter_table('project_requirement', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_project_requirement_project_id_skill_id'),
                                 type_='unique')

    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_column('team_version')

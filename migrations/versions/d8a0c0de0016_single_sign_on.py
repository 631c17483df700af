"""single sign-on: the linked OpenID Connect subject and password-less accounts

Revision ID: d8a0c0de0016
Revises: d1a0c0de0011
Create Date: 2026-12-01 14:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd8a0c0de0016'
down_revision = 'd1a0c0de0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('oidc_subject', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('sso_only', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.create_unique_constraint(batch_op.f('uq_user_oidc_subject'), ['oidc_subject'])


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_oidc_subject'), type_='unique')
        batch_op.drop_column('sso_only')
        batch_op.drop_column('oidc_subject')

"""Requirement version (edits from an old page refused), erasure grace period, kept forms

Revision ID: d5a0c0de0015
Revises: d4a0c0de0014
Create Date: 2026-12-01 14:01:09.006818

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5a0c0de0015'
down_revision = 'd4a0c0de0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kept_form',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=2000), nullable=False),
    sa.Column('fields', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_kept_form_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kept_form')),
    sa.UniqueConstraint('token', name=op.f('uq_kept_form_token'))
    )
    with op.batch_alter_table('kept_form', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kept_form_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_kept_form_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('erasure_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erase_after', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_erasure_request_erase_after'), ['erase_after'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_erasure_request_confirmed_by_id_user'), 'user', ['confirmed_by_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('project_requirement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))



def downgrade():
    with op.batch_alter_table('project_requirement', schema=None) as batch_op:
        batch_op.drop_column('version')

    with op.batch_alter_table('erasure_request', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_erasure_request_confirmed_by_id_user'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_erasure_request_erase_after'))
        batch_op.drop_column('confirmed_by_id')
        batch_op.drop_column('erase_after')

    with op.batch_alter_table('kept_form', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kept_form_user_id'))
        batch_op.drop_index(batch_op.f('ix_kept_form_expires_at'))

    op.drop_table('kept_form')

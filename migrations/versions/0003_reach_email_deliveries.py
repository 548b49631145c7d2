"""email_deliveries: the durable send mark of each transactional email

Revision ID: 0003_reach
Revises: 0002
Create Date: 2026-12-02 01:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0003_reach'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('email_deliveries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_email_deliveries_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_deliveries')),
    sa.UniqueConstraint('shop_id', 'idempotency_key', name=op.f('uq_email_deliveries_shop_id_idempotency_key'))
    )


def downgrade():
    op.drop_table('email_deliveries')

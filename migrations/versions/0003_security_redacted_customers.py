"""redacted_customers: the tombstone customers/redact leaves (no personal data, only the fact)

Later deliveries and reconciliation consult it so that erased personal data is not brought back.

Revision ID: 0003_security
Revises: 0002
Create Date: 2026-12-02 01:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0003_security'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('redacted_customers',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('customer_id', sa.String(length=32), nullable=False),
    sa.Column('redacted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_redacted_customers_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_redacted_customers')),
    sa.UniqueConstraint('shop_id', 'customer_id', name=op.f('uq_redacted_customers_shop_id_customer_id'))
    )
    with op.batch_alter_table('redacted_customers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_redacted_customers_shop_id'), ['shop_id'], unique=False)


def downgrade():
    with op.batch_alter_table('redacted_customers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_redacted_customers_shop_id'))
    op.drop_table('redacted_customers')

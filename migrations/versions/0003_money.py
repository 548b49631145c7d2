"""shop money and presentment money, pending refunds, refunded units, reconciliation cursors

Orders keep the customer's currency and total in it, so a refund known only in that currency is
converted at the order's rate. Refunds remember whether their transactions were still pending
and which units they gave back. Reconciliation keeps one cursor per stream.

Revision ID: 0003_money
Revises: 0002
Create Date: 2026-12-02 01:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0003_money'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('presentment_currency', sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column('presentment_total', sa.Numeric(precision=18, scale=2), nullable=True))
    with op.batch_alter_table('order_refunds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('in_shop_money', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('presentment_amount', sa.Numeric(precision=18, scale=2), nullable=True))
        batch_op.add_column(sa.Column('presentment_currency', sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column('pending', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('line_quantities', sa.JSON(), nullable=True))
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reconcile_cursors', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.drop_column('reconcile_cursors')
    with op.batch_alter_table('order_refunds', schema=None) as batch_op:
        for column in ('line_quantities', 'pending', 'presentment_currency', 'presentment_amount', 'in_shop_money'):
            batch_op.drop_column(column)
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('presentment_total')
        batch_op.drop_column('presentment_currency')

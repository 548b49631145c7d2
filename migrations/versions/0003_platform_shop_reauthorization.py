"""shops.reauthorization_needed_at: a dead refresh token waits for the merchant's next open;
shop_customers.conflicting_email: an email change into another TESmart ID waits for the merchant

Revision ID: 0003_platform
Revises: 0002
Create Date: 2026-12-02 00:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0003_platform'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reauthorization_needed_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('shop_customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('conflicting_email', sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column('email_conflict_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('shop_customers', schema=None) as batch_op:
        batch_op.drop_column('email_conflict_at')
        batch_op.drop_column('conflicting_email')
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.drop_column('reauthorization_needed_at')

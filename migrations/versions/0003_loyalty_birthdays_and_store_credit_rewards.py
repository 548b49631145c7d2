"""member birthdays; store-credit rewards on redemptions

The birthday reward keeps a month and a day per member and store. A store-credit reward is a
redemption of kind store_credit: it records Shopify's credit transaction (to claw back what is
unspent when a membership is cancelled) and the credit's expiry.

Revision ID: 0003_loyalty
Revises: 0002
Create Date: 2026-12-02 01:00:00

"""
import sqlalchemy as sa
from alembic import op

import plugin.models.types

revision = '0003_loyalty'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'member_birthdays',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('member_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('day', sa.Integer(), nullable=False),
        sa.Column('set_on', sa.Date(), nullable=False),
        sa.Column('updated_at', plugin.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_member_birthdays_member_id_members')),
        sa.ForeignKeyConstraint(
            ['shop_id'], ['shops.id'], name=op.f('fk_member_birthdays_shop_id_shops'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_member_birthdays')),
        sa.UniqueConstraint('shop_id', 'member_id', name=op.f('uq_member_birthdays_shop_id_member_id')),
    )
    with op.batch_alter_table('member_birthdays', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_birthdays_member_id'), ['member_id'], unique=False)
    with op.batch_alter_table('redemptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credit_transaction_id', sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column('expires_at', plugin.models.types.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('redemptions', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
        batch_op.drop_column('credit_transaction_id')
    with op.batch_alter_table('member_birthdays', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_birthdays_member_id'))
    op.drop_table('member_birthdays')

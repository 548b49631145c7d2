"""VIP tiers: the member's tier per store, tier changes with their cause, tier-only rewards

Revision ID: 0004_loyalty
Revises: 0003_loyalty
Create Date: 2026-12-02 01:55:00

"""
import sqlalchemy as sa
from alembic import op

import plugin.models.types

revision = '0004_loyalty'
down_revision = '0003_loyalty'
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table(
        'member_tiers',
        sa.Column('id', BIG, nullable=False),
        sa.Column('shop_id', BIG, nullable=False),
        sa.Column('member_id', BIG, nullable=False),
        sa.Column('tier_key', sa.String(length=32), nullable=False),
        sa.Column('tier_name', sa.String(length=64), nullable=False),
        sa.Column('since', plugin.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('period_ends_on', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_member_tiers_member_id_members')),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_member_tiers_shop_id_shops'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_member_tiers')),
        sa.UniqueConstraint('shop_id', 'member_id', name=op.f('uq_member_tiers_shop_id_member_id')),
    )
    with op.batch_alter_table('member_tiers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_tiers_member_id'), ['member_id'], unique=False)
    op.create_table(
        'tier_changes',
        sa.Column('id', BIG, nullable=False),
        sa.Column('shop_id', BIG, nullable=False),
        sa.Column('member_id', BIG, nullable=False),
        sa.Column('from_key', sa.String(length=32), nullable=True),
        sa.Column('to_key', sa.String(length=32), nullable=True),
        sa.Column('cause', sa.String(length=32), nullable=False),
        sa.Column('cause_ref', sa.String(length=200), nullable=False),
        sa.Column('cause_key', sa.String(length=200), nullable=False),
        sa.Column('created_at', plugin.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_tier_changes_member_id_members')),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_tier_changes_shop_id_shops'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tier_changes')),
        sa.UniqueConstraint('shop_id', 'cause_key', name=op.f('uq_tier_changes_shop_id_cause_key')),
    )
    with op.batch_alter_table('tier_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tier_changes_member_id'), ['member_id'], unique=False)
    with op.batch_alter_table('rewards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tier_keys', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('rewards', schema=None) as batch_op:
        batch_op.drop_column('tier_keys')
    with op.batch_alter_table('tier_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tier_changes_member_id'))
    op.drop_table('tier_changes')
    with op.batch_alter_table('member_tiers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_tiers_member_id'))
    op.drop_table('member_tiers')

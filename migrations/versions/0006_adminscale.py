"""Staff who opened the app (name, email, store owner), a shop's access restriction, and the
stored program results of past months.

Revision ID: 0006_adminscale
Revises: 0006_claim_uploads
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_adminscale"
down_revision = "0006_claim_uploads"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "staff_members",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("shop_id", BIG_ID, nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("account_owner", sa.Boolean(), nullable=False),
        sa.Column("profile_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_staff_members_shop_id_shops"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_members")),
        sa.UniqueConstraint("shop_id", "user_id", name=op.f("uq_staff_members_shop_id_user_id")),
    )
    op.create_table(
        "staff_restrictions",
        sa.Column("shop_id", BIG_ID, nullable=False),
        sa.Column("restricted_by", sa.String(length=64), nullable=False),
        sa.Column("restricted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_staff_restrictions_shop_id_shops"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("shop_id", name=op.f("pk_staff_restrictions")),
    )
    op.create_table(
        "program_months",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("shop_id", BIG_ID, nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("activated", sa.Integer(), nullable=False),
        sa.Column("activation_rate", sa.Numeric(6, 1), nullable=False),
        sa.Column("redeemers", sa.Integer(), nullable=False),
        sa.Column("redemption_rate", sa.Numeric(6, 1), nullable=False),
        sa.Column("code_revenue", sa.Numeric(18, 2), nullable=False),
        sa.Column("repeat_members", sa.Numeric(6, 1), nullable=False),
        sa.Column("repeat_non_members", sa.Numeric(6, 1), nullable=False),
        sa.Column("points_outstanding", sa.BigInteger(), nullable=False),
        sa.Column("points_liability", sa.Numeric(18, 2), nullable=False),
        sa.Column("store_credit_outstanding", sa.Numeric(18, 2), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_program_months_shop_id_shops"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_months")),
        sa.UniqueConstraint("shop_id", "month", name=op.f("uq_program_months_shop_id_month")),
    )
    # The dashboard's figures: a month's paying customers, then their orders.
    op.create_index("ix_orders_shop_id_paid_at", "orders", ["shop_id", "paid_at"])
    op.create_index("ix_orders_shop_id_customer_id", "orders", ["shop_id", "customer_id"])
    # The dashboard's points by kind: an index-only scan instead of reading the ledger's rows.
    op.create_index("ix_point_entries_shop_id_kind_delta", "point_entries", ["shop_id", "kind", "delta"])
    # A shop's members (member counts, the figures' joined members): an index-only scan.
    op.create_index("ix_shop_customers_shop_id_member_id", "shop_customers", ["shop_id", "member_id"])


def downgrade() -> None:
    op.drop_index("ix_shop_customers_shop_id_member_id", table_name="shop_customers")
    op.drop_index("ix_point_entries_shop_id_kind_delta", table_name="point_entries")
    op.drop_index("ix_orders_shop_id_customer_id", table_name="orders")
    op.drop_index("ix_orders_shop_id_paid_at", table_name="orders")
    op.drop_table("program_months")
    op.drop_table("staff_restrictions")
    op.drop_table("staff_members")

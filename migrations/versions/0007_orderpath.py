"""shops.campaigns_version: bumped by every campaign write, so each process may cache a shop's
campaigns for awarding and know exactly when its copy is old

Revision ID: 0007_orderpath
Revises: 0006_perf
Create Date: 2026-12-02 17:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007_orderpath"
down_revision = "0006_perf"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("campaigns_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade():
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.drop_column("campaigns_version")

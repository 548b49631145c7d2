"""Resumable member imports: the file's fingerprint and the position the import has reached

Revision ID: 0006_perf
Revises: 0006_adminscale
Create Date: 2026-12-02 13:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0006_perf"
down_revision = "0006_adminscale"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fingerprint", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("position", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index("ix_import_runs_fingerprint", ["fingerprint"], unique=False)


def downgrade():
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_import_runs_fingerprint")
        batch_op.drop_column("position")
        batch_op.drop_column("fingerprint")

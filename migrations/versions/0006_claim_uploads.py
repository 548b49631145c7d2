"""warranty_claims.photos: the photos and video a member sends with a warranty claim

Stored like a return's: references to files in the storage interface (plugin.storage), shown on
the claim's admin page. Existing claims have none.

Revision ID: 0006_claim_uploads
Revises: 0005
Create Date: 2026-12-02 13:20:00

"""

import sqlalchemy as sa
from alembic import op


revision = "0006_claim_uploads"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("warranty_claims", schema=None) as batch_op:
        # Existing claims get an empty list; the app writes one for every new claim.
        batch_op.add_column(
            sa.Column("photos", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade():
    with op.batch_alter_table("warranty_claims", schema=None) as batch_op:
        batch_op.drop_column("photos")

"""Join the migrations that landed in parallel (cohort stored, loyalty, money, platform, reach,
security) into one head again.

Revision ID: 0005
Revises: 0003_clock, 0004_loyalty, 0003_money, 0003_platform, 0003_reach, 0003_security
"""

revision = "0005"
down_revision = ("0003_clock", "0004_loyalty", "0003_money", "0003_platform", "0003_reach", "0003_security")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""members.registered_on and members.cohort: the cohort stored when it is fixed

POLICY.md 2: once fixed, a member's cohort never changes; a later change of a cutoff setting applies
only to members who register after the change. The registration day (in the registering store's
zone) and the cohort it fixed are stored on the member. Existing activated members get the day of
their registration in UTC and the default cutoffs, which is what the app computed for them until now.

Revision ID: 0003_clock
Revises: 0002
Create Date: 2026-12-02 01:10:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0003_clock'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registered_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('cohort', sa.String(length=16), nullable=True))
    members = sa.table(
        'members',
        sa.column('id', sa.BigInteger), sa.column('registered_at', sa.DateTime),
        sa.column('activated_at', sa.DateTime), sa.column('registered_on', sa.Date),
        sa.column('cohort', sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(members.c.id, members.c.registered_at).where(
            members.c.activated_at.is_not(None), members.c.registered_at.is_not(None)
        )
    ).all()
    for member_id, registered_at in rows:
        day = registered_at.date()
        cohort = 'legacy' if day <= _day(2025, 3, 31) else '2025-04' if day <= _day(2025, 10, 31) else '2025-11'
        connection.execute(
            members.update().where(members.c.id == member_id).values(registered_on=day, cohort=cohort)
        )


def _day(year, month, day):
    import datetime

    return datetime.date(year, month, day)


def downgrade():
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('cohort')
        batch_op.drop_column('registered_on')

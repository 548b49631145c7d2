"""webhook_events without a foreign key to shops

Every delivery's INSERT checked the key with a row lock on its shop's row, so all concurrent
deliveries of one store queued on the same lock (PostgreSQL builds a MultiXact for each set of
sharers): about a tenth of the statement's cost at the benchmark's load. The receiver only records
deliveries for a shop it has just found, and shop/redact deletes the shop's events by shop_id
(services.compliance.redact_shop), so the key guarded nothing the code does not already hold.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 06:15:00

"""
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_webhook_events_shop_id_shops'), type_='foreignkey')


def downgrade():
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f('fk_webhook_events_shop_id_shops'), 'shops', ['shop_id'], ['id'], ondelete='CASCADE'
        )

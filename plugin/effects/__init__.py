"""Outbox effects, one module per Shopify side effect family, and the one table of them.

``EFFECTS`` maps an outbox item's kind to what performs it. A new kind of side effect is a module
here and a line in the table; the jobs layer (``plugin.jobs.run_outbox_item``) looks items up in it.
"""

from __future__ import annotations

from plugin.effects import (
    discount_codes,
    email,
    flow,
    metafields,
    refund,
    store_credit,
    store_credit_rewards,
    tags,
    tier_perks,
)
from plugin.outbox import Effect, EffectKind
from plugin.reach import emails, flow_triggers
from plugin.reach import metafields as customer_metafields
from plugin.rewards import redemptions, tiers
from plugin.rewards import store_credit_rewards as rewards

EFFECTS: dict[str, Effect] = {
    redemptions.CREATE: Effect(
        discount_codes.create_discount_code,
        on_success=discount_codes._created,
        on_failure=discount_codes._not_created,
    ),
    redemptions.DEACTIVATE: Effect(discount_codes.deactivate_discount_code),
    emails.EFFECT: Effect(email.send, needs_admin=False),
    flow_triggers.EFFECT: Effect(flow.receive, perform_many=flow.receive_many),
    customer_metafields.EFFECT: Effect(metafields.write, perform_many=metafields.write_many),
    refund.KIND: Effect(
        refund.refund, on_success=refund._on_success, on_failure=refund._on_failure
    ),
    store_credit.KIND: Effect(
        store_credit.credit,
        on_success=store_credit._on_success,
        on_failure=store_credit._on_failure,
    ),
    rewards.CREDIT: Effect(
        store_credit_rewards.pay_store_credit,
        on_success=store_credit_rewards._paid,
        on_failure=store_credit_rewards._not_paid,
    ),
    rewards.CLAW_BACK: Effect(store_credit_rewards.claw_back_store_credit),
    EffectKind.ORDER_TAG.value: Effect(tags.add_tags),
    tiers.FREE_SHIPPING: Effect(tier_perks.create_free_shipping, on_success=tier_perks._made),
    tiers.FREE_SHIPPING_END: Effect(tier_perks.end_free_shipping),
}

"""Orders: points on payment, devices for warranty categories, proportional clawback.

Every function here is idempotent and independent of arrival order: the award is fixed once
at payment (from the order's own time), refunds are recorded even before their order, and after
any event the clawback is brought to the target the order's known state implies. So the same
events, in any order and any number of times, leave the same ledger (invariant 1).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from sqlalchemy import select, update

from plugin import clock, ledger
from plugin.accounts import claim_member, link_customer, normalize_email
from plugin.database.idempotent import insert_once, insert_once_returning
from plugin.extensions import db
from plugin.models import Device, Member, Order, OrderRefund, Product, Shop
from plugin.points.campaigns import apply_gifts, campaigns_in_force, multiplier_of
from plugin.program.campaigns import campaign_applies
from plugin.program.categories import WARRANTY_CATEGORIES
from plugin.program.earning import clawback_points, order_points
from plugin.program.entries import EntryKind
from plugin.program.money import minor_units, quantize
from plugin.rewards import tiers
from plugin.shopify.payloads import LineItem, OrderSnapshot, PayloadError, RefundSnapshot
from plugin.shops.products import product_for_line
from plugin.shops.settings import program_settings

log = logging.getLogger(__name__)

ProductFetcher = Callable[[str], dict[str, Any] | None]

# Refunds the app itself makes (a trade-in paid out as a partial refund) carry this note: they
# give the member money for an old device, they do not undo the order, so they take no points back.
TRADE_IN_REFUND_NOTE = "TESmart trade-in"
# Units of one order line registered as devices, each with its own warranty (issue 15).
MAX_DEVICE_UNITS_PER_LINE = 100


def lock_order(shop: Shop, order_id: str, currency: str) -> Order:
    """The order's row, created if new, locked so events of one order apply one at a time."""
    return _lock_order(shop, order_id, currency)[0]


def _lock_order(shop: Shop, order_id: str, currency: str) -> tuple[Order, bool]:
    """The locked order and whether this event created it: a new row in one statement (it is
    this transaction's until the commit), a known one locked by a second."""
    created = insert_once_returning(
        Order,
        {"shop_id": shop.id, "order_id": order_id, "currency": currency, "created_at": clock.now()},
        ["shop_id", "order_id"],
    )
    if created is not None:
        return created, True
    return db.session.execute(
        select(Order)
        .where(Order.shop_id == shop.id, Order.order_id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one(), False


def order_email(order: OrderSnapshot) -> str | None:
    # Shopify quirk: the order's contact ``email`` can differ from ``customer.email``; the TESmart
    # ID follows the customer account's email, the contact email only for guest checkouts.
    for candidate in order.emails:
        if normalize_email(candidate):
            return str(candidate)
    return None


def net_amount(snapshot: OrderSnapshot, currency: str) -> Decimal | None:
    """What the order's points are earned on: its net amount in shop money, never below zero."""
    net = snapshot.net
    return quantize(max(net, Decimal(0)), currency) if net is not None else None


def currency_of(shop: Shop, snapshot: OrderSnapshot) -> str:
    # Shopify's ``currency`` is the shop's; what the customer paid in is ``presentment_currency``.
    return (snapshot.currency or shop.currency).upper()


def _apply_order_fields(shop: Shop, order: Order, snapshot: OrderSnapshot) -> Member | None:
    # The TESmart ID and the customer first: their queries would otherwise flush each change to
    # the order made before them as an UPDATE of its own; set after them, they go as one.
    email = order_email(snapshot)
    member, member_is_new = claim_member(email) if email else (None, False)
    customer = snapshot.customer
    if customer is not None and customer.id:
        row = link_customer(
            shop,
            customer.id,
            member=member,
            email=customer.email,
            first_name=customer.first_name,
            last_name=customer.last_name,
            updated_at=customer.updated_at,
            member_is_new=member_is_new,
        )
        if member is not None and row.member_id is not None and row.member_id != member.id:
            # The customer's email is claimed by another TESmart ID (a conflict for the merchant):
            # the order stays with the customer account's own ID.
            member = db.session.get(Member, row.member_id)
        order.customer_id = customer.id
    if member is not None and order.member_id is None:
        order.member_id = member.id

    currency = currency_of(shop, snapshot)
    order.currency = currency
    order.name = snapshot.name or order.name
    order.test = snapshot.test
    if snapshot.total is not None:
        order.total_amount = quantize(snapshot.total, currency)
    if snapshot.presentment_total is not None:
        order.presentment_currency, order.presentment_total = snapshot.presentment_total
    net = net_amount(snapshot, currency)
    if net is not None:
        order.net_amount = net
    order.placed_at = order.placed_at or snapshot.created_at
    updated = snapshot.updated_at
    if updated and (order.shopify_updated_at is None or updated > order.shopify_updated_at):
        order.shopify_updated_at = updated
    address = snapshot.address
    if address is not None:
        order.delivery_country = address.country or order.delivery_country
        order.delivery_address = {
            "address1": address.address1,
            "zip": address.zip,
            "country": address.country,
        }
    if snapshot.discount_codes:
        order.discount_codes = list(snapshot.discount_codes)
    cancelled = snapshot.cancelled_at
    if cancelled and order.cancelled_at is None:
        order.cancelled_at = cancelled
    for refund in snapshot.refunds:
        record_refund(shop, order.order_id, refund)
    return member


def apply_paid(
    shop: Shop, snapshot: OrderSnapshot, fetch_product: ProductFetcher | None = None
) -> Order:
    """orders/paid: the award, once, at the order's own time; then devices and clawback."""
    order_id = snapshot.id
    order, created = _lock_order(shop, order_id, currency_of(shop, snapshot))
    member = _apply_order_fields(shop, order, snapshot)
    # An order first seen now has no refunds but those this delivery carries, and no devices: a
    # refund or an earlier delivery would have created its row.
    known_refunds: list[OrderRefund] | None = [] if created and not snapshot.refunds else None
    paid_at = snapshot.processed_at or order.placed_at or clock.now()
    order.paid_at = order.paid_at or paid_at
    settings = program_settings(shop)
    earns = not order.test or settings.award_test_orders
    if member is None or member.id != order.member_id:  # the order's ID was settled earlier
        member = db.session.get(Member, order.member_id) if order.member_id is not None else None
    if member is not None and member.state == "open" and earns:
        applies = campaign_applies(member.activated_at, member.state, paid_at)
        multiplier = multiplier_of(campaigns_in_force(shop, paid_at)) if applies else Decimal(1)
        # A VIP tier's multiplier (issue 19, off by default), of the tier held before this order.
        multiplier *= tiers.multiplier_for(shop, order.member_id)
        points = order_points(settings.earning, order.net_amount, multiplier)
        # Set before the entry is written, so the order's row is updated once, in the flush the
        # entry's notifications make; put back when the entry was written before (nothing is
        # flushed in between then).
        awarded_before, order.points_awarded = order.points_awarded, points
        if not points or not ledger.post_entry(
            shop_id=shop.id,
            member_id=member.id,
            delta=points,
            kind=EntryKind.ORDER,
            cause_key=f"order:{order_id}:paid",
            note=order.name,
            at=paid_at,
        ):
            order.points_awarded = awarded_before
        tiers.evaluate(shop, member, f"order:{order_id}")  # crossing a threshold moves up at once
    if earns and order.cancelled_at is None:
        apply_gifts(shop, order, member, paid_at)
        tiers.apply_gift_perk(shop, order, member)  # a VIP tier's gift, once per tier period
    register_devices(shop, order, snapshot, fetch_product, known_refunds=known_refunds)
    settle_points(shop, order, trigger="paid", refunds=known_refunds)
    return order


def apply_cancelled(shop: Shop, snapshot: OrderSnapshot) -> Order:
    """orders/cancelled: a cancelled order keeps no points (POLICY.md 3)."""
    cancelled_at = snapshot.cancelled_at
    if cancelled_at is None:
        # Shopify's cancellation always carries its moment; without one this is not a cancellation
        # (an orders/paid body relabelled as one took the points back). Nothing is written.
        raise PayloadError("orders/cancelled without cancelled_at")
    order = lock_order(shop, snapshot.id, currency_of(shop, snapshot))
    _apply_order_fields(shop, order, snapshot)
    order.cancelled_at = order.cancelled_at or cancelled_at
    settle_points(shop, order, trigger="cancel")
    return order


@dataclass(frozen=True)
class RefundMoney:
    """What a refund gave back. ``amount`` is shop money; None when the refund is known only in
    the customer's currency (``presentment``), to be converted at its order's rate."""

    amount: Decimal | None
    presentment: tuple[str, Decimal] | None
    pending: bool


def _nonnegative(value: Decimal | None, what: str) -> Decimal:
    if value is None:
        return Decimal(0)
    if not value.is_finite() or value < 0:
        raise PayloadError(f"refund {what} is negative")  # POLICY.md 3: invalid input
    return value


def refund_money(refund: RefundSnapshot, shop_currency: str) -> RefundMoney:
    """Money actually given back, in the shop's currency (POLICY.md 3).

    Successful refund transactions count; pending ones are remembered, to be counted when they
    settle. A transaction's ``amount`` is in its ``currency``, the customer's: it is shop money
    only when that is the shop's currency or when it carries ``amount_set.shop_money``. Otherwise
    the refunded lines' ``subtotal_set`` (shop and presentment money alike) give the rate; with
    no lines the order's own rate converts it later. A refund without transactions is its
    refunded lines (shop money) less its order adjustments.
    """
    transactions = [t for t in refund.transactions if t.kind in ("refund", None)]
    pending = False
    shop_total = Decimal(0)
    shown_total = Decimal(0)
    shown_currency: str | None = None
    for transaction in transactions:
        if transaction.status == "pending":
            pending = True
            continue
        if transaction.status not in ("success", None):
            continue
        currency = transaction.currency or shop_currency
        if transaction.shop_money_given or currency == shop_currency:
            amount = transaction.shop_amount if transaction.shop_money_given else transaction.amount
            shop_total += _nonnegative(amount, "amount")
        else:
            shown_total += _nonnegative(transaction.amount, "amount")
            shown_currency = currency
    lines_shop = Decimal(0)
    lines_shown = Decimal(0)
    for line in refund.lines:
        lines_shop += _nonnegative(line.subtotal, "line")
        presented = line.subtotal_presentment
        lines_shown += _nonnegative(presented[1] if presented else None, "line")
    if not transactions:
        for line in refund.lines:
            lines_shop += _nonnegative(line.total_tax, "tax")
        for adjustment in refund.adjustments:
            lines_shop -= (adjustment.amount or Decimal(0)) + (adjustment.tax_amount or Decimal(0))
        return RefundMoney(_nonnegative(lines_shop, "amount"), None, False)
    if shown_currency is None:
        return RefundMoney(shop_total, None, pending)
    if lines_shown > 0:  # the lines' own shop-money equivalent gives the rate
        converted = quantize(shown_total * lines_shop / lines_shown, shop_currency)
        return RefundMoney(shop_total + converted, (shown_currency, shown_total), pending)
    if shop_total:  # shop money and the customer's in one refund, no lines: no rate of its own
        raise PayloadError("refund mixes currencies without refunded lines")
    return RefundMoney(None, (shown_currency, shown_total), pending)


def _line_quantities(refund: RefundSnapshot) -> dict[str, int]:
    quantities: dict[str, int] = {}
    for line in refund.lines:
        if line.quantity is None:
            raise PayloadError("refund line quantity is not a number")
        if line.line_item_id is not None and line.quantity > 0:
            quantities[line.line_item_id] = quantities.get(line.line_item_id, 0) + line.quantity
    return quantities


def record_refund(shop: Shop, order_id: str, refund: RefundSnapshot) -> bool:
    """Record a refund once; a refund recorded while its transactions were pending is read
    again (a later delivery of its order, or reconciliation) and counted once they settle."""
    refund_id = refund.id
    if refund_id is None:
        return False
    payout = refund.note.startswith(TRADE_IN_REFUND_NOTE)
    given = (
        RefundMoney(Decimal(0), None, False)
        if payout
        else refund_money(refund, shop.currency.upper())
    )
    quantities = {} if payout else _line_quantities(refund)
    values = {
        "amount": given.amount if given.amount is not None else Decimal(0),
        "in_shop_money": given.amount is not None,
        "presentment_currency": given.presentment[0] if given.presentment else None,
        "presentment_amount": given.presentment[1] if given.presentment else None,
        "pending": given.pending,
        "line_quantities": quantities or None,
    }
    inserted = insert_once(
        OrderRefund,
        {
            "shop_id": shop.id,
            "order_id": order_id,
            "refund_id": refund_id,
            "refunded_at": refund.created_at,
            **values,
        },
        ["shop_id", "refund_id"],
    )
    if inserted is None and not payout:
        known = db.session.execute(
            select(OrderRefund)
            .where(OrderRefund.shop_id == shop.id, OrderRefund.refund_id == refund_id)
            .with_for_update()
        ).scalar_one()
        if known.pending:  # read again: what has settled since counts now
            for key, value in values.items():
                setattr(known, key, value)
    if not payout:
        void_refunded_units(shop, order_id)
    return inserted is not None


def apply_refund(shop: Shop, refund: RefundSnapshot) -> Order:
    """refunds/create: record the refund (even before its order is known), then settle."""
    if refund.id is None:
        raise PayloadError("payload has no id")
    if refund.order_id is None:
        raise PayloadError("payload has no order_id")
    order = lock_order(shop, refund.order_id, shop.currency)
    record_refund(shop, refund.order_id, refund)
    settle_points(shop, order, trigger=f"refund:{refund.id}")
    return order


def apply_fulfilled(shop: Shop, snapshot: OrderSnapshot) -> Order:
    """orders/fulfilled: the delivery dates that start the return windows (POLICY.md 6)."""
    order = lock_order(shop, snapshot.id, currency_of(shop, snapshot))
    _apply_order_fields(shop, order, snapshot)
    for fulfillment in snapshot.fulfillments:
        created = fulfillment.created_at
        if created and (order.fulfilled_at is None or created > order.fulfilled_at):
            order.fulfilled_at = created
        delivered = fulfillment.delivered_at
        if delivered is None and fulfillment.shipment_status == "delivered":
            delivered = fulfillment.updated_at
        if delivered and (order.delivered_at is None or delivered > order.delivered_at):
            order.delivered_at = delivered
    order.fulfilled_at = order.fulfilled_at or snapshot.updated_at
    settle_points(shop, order, trigger="fulfilled")
    return order


def _order_refunds(shop: Shop, order_id: str) -> list[OrderRefund]:
    """The order's refunds so far, in one statement (the conversion and the total both need
    them)."""
    return list(
        db.session.execute(
            select(OrderRefund).where(
                OrderRefund.shop_id == shop.id, OrderRefund.order_id == order_id
            )
        ).scalars()
    )


def _convert_refunds(order: Order, refunds: list[OrderRefund]) -> None:
    """Refunds known only in the customer's currency, in shop money at the order's own rate."""
    if not order.presentment_total or order.presentment_total <= 0 or not order.total_amount:
        return
    for refund in refunds:
        if refund.in_shop_money:
            continue
        if (
            refund.presentment_currency
            and refund.presentment_currency != order.presentment_currency
        ):
            continue  # not the order's presentment currency: no rate to trust
        shown = refund.presentment_amount or Decimal(0)
        refund.amount = quantize(
            shown * order.total_amount / order.presentment_total, order.currency
        )
        refund.in_shop_money = True


def refunded_total(refunds: list[OrderRefund]) -> Decimal:
    return sum((Decimal(str(refund.amount or 0)) for refund in refunds), Decimal(0))


def settle_points(
    shop: Shop, order: Order, trigger: str, refunds: list[OrderRefund] | None = None
) -> int:
    """Bring the order's clawback to its target; the entry is named after the event that moved it.

    The refunded amount is shop money, capped at the order's total (a refund beyond what is left
    takes no more than everything). ``refunds``: the order's refunds when the caller knows them."""
    if refunds is None:
        refunds = _order_refunds(shop, order.order_id)
    _convert_refunds(order, refunds)
    refunded = quantize(refunded_total(refunds), order.currency)
    order.refunded_amount = (
        min(refunded, order.total_amount) if order.total_amount > 0 else refunded
    )
    if order.member_id is None or order.points_awarded <= 0:
        return 0
    if order.cancelled_at is not None:
        target = order.points_awarded
    else:
        target = order.points_clawed_back + clawback_points(
            order.points_awarded,
            order.total_amount,
            order.refunded_amount,
            order.points_clawed_back,
        )
    delta = target - order.points_clawed_back
    if delta <= 0:
        return 0
    if ledger.post_entry(
        shop_id=shop.id,
        member_id=order.member_id,
        delta=-delta,
        kind=EntryKind.ORDER_CLAWBACK,
        cause_key=f"order:{order.order_id}:clawback:{trigger}",
        note=order.name,
    ):
        order.points_clawed_back = target
        return delta
    return 0


def unit_amounts(line: LineItem, currency: str, taxes_included: bool = False) -> list[Decimal]:
    """What was actually paid for each unit of a line, after its discounts and, where prices
    include tax, without the line's tax (POLICY.md 5); the cents that do not divide evenly go to
    the first units, so the units add up to the line exactly. Shop money throughout."""
    quantity = line.quantity or 0
    if quantity <= 0:
        return []
    discount = line.discount
    tax = line.tax if taxes_included else Decimal(0)
    line_total = quantize(max(line.price * quantity - discount - tax, Decimal(0)), currency)
    step = Decimal(1).scaleb(-minor_units(currency))
    unit = (line_total / quantity).quantize(step, rounding=ROUND_FLOOR)
    extra_units = int((line_total - unit * quantity) / step)
    amounts = [unit + step if index < extra_units else unit for index in range(quantity)]
    return amounts


def register_devices(
    shop: Shop,
    order: Order,
    snapshot: OrderSnapshot,
    fetch_product: ProductFetcher | None,
    *,
    known_refunds: list[OrderRefund] | None = None,
) -> int:
    """Every unit of a paid line in a warranty category becomes a registered device (once).
    ``known_refunds`` is given for an order first seen now: it has no devices registered before
    (none to give its member) and those refunds void the units they name."""
    created = 0
    # The purchase date is the store's own day of the order's creation (POLICY.md 1), whichever
    # webhook brought that time first.
    purchased = clock.local_day(
        order.placed_at or order.paid_at or clock.now(), clock.shop_zone(shop)
    )
    for line in snapshot.line_items:
        product_id, line_id = line.product_id, line.id
        if product_id is None or line_id is None:  # custom items: no product, no category
            continue
        product: Product | None = product_for_line(shop, product_id, fetch_product)
        if product is None or product.category not in WARRANTY_CATEGORIES:
            continue
        quantity = line.quantity
        if quantity is None or quantity > MAX_DEVICE_UNITS_PER_LINE:
            # One signed line of 100,000 units made 100,000 device rows in 38 s inside one
            # transaction (and locked out every other delivery). A bulk line is the merchant's to
            # register by hand: it is logged, not registered unit by unit.
            log.warning(
                "order %s line %s: %r units not registered as devices (bulk)",
                order.order_id,
                line_id,
                quantity,
            )
            continue
        for index, amount in enumerate(unit_amounts(line, order.currency, snapshot.taxes_included)):
            if insert_once(
                Device,
                {
                    "shop_id": shop.id,
                    "member_id": order.member_id,
                    "order_id": order.order_id,
                    "order_name": order.name,
                    "line_item_id": line_id,
                    "unit_index": index,
                    "product_id": product_id,
                    "title": str(line.title or product.title)[:512],
                    "category": product.category,
                    "purchased_on": purchased,
                    "amount_paid": amount,
                    "currency": order.currency,
                    "delivery_country": order.delivery_country,
                    "created_at": clock.now(),
                },
                ["shop_id", "line_item_id", "unit_index"],
            ):
                created += 1
    if order.member_id is not None and known_refunds is None:  # registered before the member
        db.session.execute(
            update(Device)
            .where(
                Device.shop_id == shop.id,
                Device.order_id == order.order_id,
                Device.member_id.is_(None),
            )
            .values(member_id=order.member_id)
        )
    if created and (known_refunds is None or known_refunds):
        void_refunded_units(shop, order.order_id)  # a refund that came before the payment
    return created


def void_refunded_units(shop: Shop, order_id: str) -> None:
    """Refunded units lose their registration (no warranty for a unit given back), whichever
    came first, the refund or the payment: the order's refunds so far name how many units of
    each line went back, and that many (the last ones) are void."""
    refunded: dict[str, int] = {}
    for quantities in db.session.execute(
        select(OrderRefund.line_quantities).where(
            OrderRefund.shop_id == shop.id,
            OrderRefund.order_id == order_id,
            OrderRefund.line_quantities.is_not(None),
        )
    ).scalars():
        for line_id, quantity in (quantities or {}).items():
            refunded[str(line_id)] = refunded.get(str(line_id), 0) + int(quantity)
    for line_id, quantity in refunded.items():
        devices = db.session.execute(
            select(Device)
            .where(
                Device.shop_id == shop.id,
                Device.line_item_id == line_id,
                Device.replacement_of_id.is_(None),
            )
            .order_by(Device.unit_index.desc())
            .limit(
                min(quantity, MAX_DEVICE_UNITS_PER_LINE)
            )  # a LIMIT beyond BIGINT is an SQL error
        ).scalars()
        for device in devices:
            if device.state == "registered":
                device.state = "void"


def orders_of_member(shop_id: int, member_id: int) -> list[Order]:
    return list(
        db.session.execute(
            select(Order)
            .where(Order.shop_id == shop_id, Order.member_id == member_id)
            .order_by(Order.id)
        ).scalars()
    )


def at_or_now(value: datetime | None) -> datetime:
    return value or clock.now()

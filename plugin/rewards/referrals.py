"""Referrals (POLICY.md 3): a personal link, a coupon for the friend's first order, and the same
coupon for the referrer once that order is paid.

The friend follows ``/apps/tesmart/r/<code>`` logged in (an anonymous visitor is sent to log in or
sign up first: reward codes are bound to one customer, and the app proxy carries no cookies). The
visit records a ``Referral`` and issues the friend's single-use code, and the redirect applies it
through the store's ``/discount/<code>``. The friend's paid order is attributed through that code
(or, without it, through the friend's customer id), the rules of ``plugin.program.referrals`` are
applied with everything the order tells (delivery address, earlier orders, the monthly cap), and
the referrer's code is issued through the outbox. A referred order cancelled or fully refunded
within the return window disables the referrer's code if it is still unused.

Every step is idempotent: a referral moves ``visited`` -> ``rewarded`` | ``refused`` once, under a
row lock, and coupons are issued once per referral and side.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from sqlalchemy import func, or_, select

from plugin import clock, ledger
from plugin.accounts import customer_of, link_customer, new_referral_code
from plugin.database import batch
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import Member, Order, OrderRefund, Redemption, Referral, Shop, ShopCustomer
from plugin.program.catalogue import RewardKind, referral_coupon_amount
from plugin.program.messages import normalize_locale, reason_text, title_text
from plugin.program.money import quantize
from plugin.program.referrals import ReferralRefusal, check_referral
from plugin.rewards import redemptions
from plugin.shops.registry import reward_title
from plugin.shops.settings import program_settings

ORDER_REVERSED = "referral_order_reversed"
REFERRER_NOT_A_CUSTOMER = "referrer_not_a_customer"
ACTOR = "system:referrals"

# Reasons this service adds to the program's (plugin.program.referrals.ReferralRefusal).
REASONS: dict[str, dict[str, str]] = {
    ORDER_REVERSED: {
        "en": "Your friend's order was cancelled or refunded, so this referral is not rewarded.",
        "de": "Die Bestellung Ihres Kontakts wurde storniert oder erstattet, daher wird diese "
        "Empfehlung nicht belohnt.",
        "ja": "ご友人のご注文がキャンセルまたは返金されたため、"
        "この紹介は特典の対象外となりました。",
        "ko": "친구분의 주문이 취소되거나 환불되어 이 추천은 보상 대상이 아닙니다.",
    },
    REFERRER_NOT_A_CUSTOMER: {
        "en": "Referral rewards are issued to a customer account in this store; please create one.",
        "de": "Empfehlungsprämien werden einem Kundenkonto in diesem Shop gutgeschrieben; bitte "
        "legen Sie eines an.",
        "ja": "紹介特典はこのストアのお客様アカウントに発行されます。"
        "アカウントを作成してください。",
        "ko": "추천 보상은 이 스토어의 고객 계정으로 지급됩니다. 계정을 만들어 주세요.",
    },
}


def reason_sentence(code: str | None, locale: str | None) -> str | None:
    if not code:
        return None
    if code in REASONS:
        texts = REASONS[code]
        return texts.get(normalize_locale(locale)) or texts["en"]
    return reason_text(code, locale)


# --- settings and links ------------------------------------------------------------------------


def friend_coupon_amount(shop: Shop) -> Decimal:
    """The friend's (and the referrer's) coupon: POLICY.md's 10 units by default, or the shop's."""
    override = (shop.settings or {}).get("referral_coupon_amount")
    if override not in (None, ""):
        return quantize(Decimal(str(override)), shop.currency)
    return referral_coupon_amount(shop.currency)


def monthly_cap(shop: Shop) -> int:
    return max(program_settings(shop).referral_monthly_cap, 0)


def ensure_referral_code(member: Member) -> str:
    """The member's referral code, made now for an ID activated without one. Does not commit."""
    if member.referral_code:
        return member.referral_code
    while True:
        code = new_referral_code()
        taken = db.session.execute(select(Member.id).where(Member.referral_code == code)).first()
        if taken is None:
            member.referral_code = code
            db.session.flush()
            return code


DEFAULT_PROXY_PREFIX = "/apps/tesmart"


def link(shop: Shop, code: str, prefix: str = DEFAULT_PROXY_PREFIX) -> dict[str, str]:
    """The member's referral link under the shop's app proxy path (``prefix``, Shopify's signed
    ``path_prefix``: merchants may change it)."""
    host = shop.storefront_host or shop.domain
    url = f"https://{host}{prefix}/r/{code}"
    return {"url": url, "share_url": f"{url}?utm_source=share"}


def find_referrer(code: str) -> Member | None:
    cleaned = (code or "").strip().upper()
    if not cleaned or len(cleaned) > 32 or not cleaned.replace("-", "").replace("_", "").isalnum():
        return None
    return db.session.execute(
        select(Member).where(Member.referral_code == cleaned)
    ).scalar_one_or_none()


def _shop_customer_of_member(shop: Shop, member_id: int) -> ShopCustomer | None:
    return (
        db.session.execute(
            select(ShopCustomer)
            .where(ShopCustomer.shop_id == shop.id, ShopCustomer.member_id == member_id)
            .order_by(ShopCustomer.id)
        )
        .scalars()
        .first()
    )


def _coupon(
    shop: Shop, member: Member, customer_id: str, side: str, referral: Referral
) -> Redemption:
    amount = friend_coupon_amount(shop)
    label = "friend_coupon" if side == "friend" else "referral_reward"
    return redemptions.issue_coupon(
        shop,
        member,
        customer_id,
        purpose="referral",
        title=title_text(
            label,
            shop.locale,
            title=reward_title(RewardKind.FIXED_AMOUNT, amount, None, shop.currency, shop.locale),
        ),
        kind=RewardKind.FIXED_AMOUNT,
        amount=amount,
        idempotency_key=f"referral:{referral.id}:{side}",
    )


# --- the visit ---------------------------------------------------------------------------------


def landing_path(code: str) -> str:
    """Where a logged-out friend lands: the store's home page, where the widgets show the friend's
    coupon with register and log-in links that come back through the app proxy's ``/r/<code>``
    to claim it once they have an account."""
    return "/?tesmart_referral=" + quote(code, safe="")


def discount_path(code: str) -> str:
    return f"/discount/{quote(code, safe='')}?redirect=/"


def follow_link(
    shop: Shop, code: str, customer_id: str | None, prefix: str = DEFAULT_PROXY_PREFIX
) -> str:
    """Record a visit of the referral link; the storefront path to send the visitor to. Commits."""
    referrer = find_referrer(code)
    if referrer is None or not referrer.is_active:
        return "/"
    if customer_id is None:
        return landing_path(referrer.referral_code or code)
    with unit_of_work():
        location = _visit(shop, referrer, customer_id)
    return location


def _visit(shop: Shop, referrer: Member, customer_id: str) -> str:
    # Locking the friend's customer row makes a double click one referral, not two.
    friend_customer = link_customer(shop, customer_id, member=None)
    friend = (
        db.session.get(Member, friend_customer.member_id) if friend_customer.member_id else None
    )
    referral = (
        db.session.execute(
            select(Referral)
            .where(Referral.shop_id == shop.id, Referral.friend_customer_id == customer_id)
            .order_by(Referral.id)
        )
        .scalars()
        .first()
    )
    if referral is None:
        referrer_customer = _shop_customer_of_member(shop, referrer.id)
        refusal = check_referral(
            referrer_customer_id=referrer_customer.customer_id if referrer_customer else None,
            referrer_email=referrer.email_normalized,
            referrer_addresses=(),
            friend_customer_id=customer_id,
            friend_email=(friend.email_normalized if friend else None) or friend_customer.email,
            friend_address=None,
            friend_prior_orders=_prior_orders(shop, customer_id, friend, before=None, exclude=None)
            + max(friend_customer.orders_count or 0, 0),
            referrer_rewards_this_month=0,
            monthly_cap=None,  # the cap limits the referrer's rewards, checked when one is due
            referrer_activated=referrer.is_active,
        )
        if refusal is None and friend is not None and friend.id == referrer.id:
            refusal = ReferralRefusal.SAME_EMAIL
        referral = Referral(
            shop_id=shop.id,
            referrer_member_id=referrer.id,
            friend_member_id=friend.id if friend else None,
            friend_customer_id=customer_id,
            state="refused" if refusal else "visited",
            refusal_reason=str(refusal) if refusal else None,
            created_at=clock.now(),
        )
        db.session.add(referral)
        db.session.flush()
    if referral.state != "visited":
        return "/"
    if referral.friend_redemption_id is None and friend is not None:
        # A customer the app has not heard of yet (customers/create still on its way) gets the
        # coupon on a later visit, once the TESmart ID exists.
        friend_coupon = _coupon(shop, friend, customer_id, "friend", referral)
        referral.friend_redemption_id = friend_coupon.id
        referral.friend_member_id = friend.id
    if referral.friend_redemption_id is None:
        return "/"
    coupon = db.session.get(Redemption, referral.friend_redemption_id)
    if coupon is None or coupon.state not in redemptions.LIVE_STATES or not coupon.code:
        return "/"
    return discount_path(coupon.code)


# --- the friend's order ----------------------------------------------------------------------


def _prior_orders(
    shop: Shop,
    customer_id: str | None,
    friend: Member | None,
    *,
    before: datetime | None,
    exclude: str | None,
) -> int:
    """The friend's paid orders in this shop before ``before`` (any, when None), except
    ``exclude``."""
    who = []
    if customer_id:
        who.append(Order.customer_id == customer_id)
    if friend is not None:
        who.append(Order.member_id == friend.id)
    if not who:
        return 0
    stmt = select(func.count(Order.id)).where(
        Order.shop_id == shop.id, Order.paid_at.is_not(None), or_(*who)
    )
    if exclude is not None:
        stmt = stmt.where(Order.order_id != exclude)
    if before is not None:
        stmt = stmt.where(or_(Order.placed_at.is_(None), Order.placed_at < before))
    return int(db.session.execute(stmt).scalar() or 0)


def _referral_for_order(shop: Shop, order: Order) -> Referral | None:
    for code in order.discount_codes or []:
        coupon = redemptions.redemption_for_code(shop, str(code))
        if coupon is not None and coupon.purpose == "referral":
            referral = db.session.execute(
                select(Referral).where(
                    Referral.shop_id == shop.id, Referral.friend_redemption_id == coupon.id
                )
            ).scalar_one_or_none()
            if referral is not None:
                return referral
    if order.customer_id is None:
        return None
    visited = batch.known("referrals")  # a drained batch read its customers' visits at once
    if visited is not None and visited.get((shop.id, order.customer_id)) is False:
        return None
    return (
        db.session.execute(
            select(Referral)
            .where(
                Referral.shop_id == shop.id,
                Referral.friend_customer_id == order.customer_id,
                Referral.state == "visited",
            )
            .order_by(Referral.id)
        )
        .scalars()
        .first()
    )


def _lock(referral: Referral) -> Referral:
    return db.session.execute(
        select(Referral)
        .where(Referral.id == referral.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _reversed(shop: Shop, order: Order) -> bool:
    if order.cancelled_at is not None:
        return True
    refunded = db.session.execute(
        select(func.coalesce(func.sum(OrderRefund.amount), 0)).where(
            OrderRefund.shop_id == shop.id, OrderRefund.order_id == order.order_id
        )
    ).scalar()
    return order.total_amount > 0 and Decimal(str(refunded or 0)) >= order.total_amount


def month_bounds(shop: Shop, at: datetime) -> tuple[datetime, datetime]:
    """The calendar month of ``at`` in the shop's own time zone, as UTC instants."""
    zone = clock.shop_zone(shop)
    local = at.astimezone(zone).date().replace(day=1)
    following = (local.replace(day=28) + timedelta(days=4)).replace(day=1)
    start = datetime.combine(local, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(following, time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def rewards_this_month(shop: Shop, referrer_id: int, at: datetime | None = None) -> int:
    start, end = month_bounds(shop, at or clock.now())
    return int(
        db.session.execute(
            select(func.count(Referral.id)).where(
                Referral.shop_id == shop.id,
                Referral.referrer_member_id == referrer_id,
                Referral.state == "rewarded",
                Referral.rewarded_at >= start,
                Referral.rewarded_at < end,
            )
        ).scalar()
        or 0
    )


def _referrer_addresses(referrer: Member) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Order.delivery_address)
        .where(Order.member_id == referrer.id, Order.delivery_address.is_not(None))
        .order_by(Order.id.desc())
        .limit(50)
    ).scalars()
    return [row for row in rows if isinstance(row, dict)]


def on_order_paid(shop: Shop, order: Order) -> None:
    """A friend's first order paid: the referrer's coupon (rules in plugin.program.referrals).

    Runs inside the orders/paid handler's unit of work (which commits it). Also marks the reward
    codes the order used, so they are no longer "unused".
    """
    redemptions.mark_used(shop, order)
    found = _referral_for_order(shop, order)
    if found is None:
        return
    referral = _lock(found)
    if referral.state != "visited":
        return
    referrer = db.session.get(Member, referral.referrer_member_id)
    if referrer is None:
        return
    # One referrer's rewards are decided one at a time, so the monthly cap holds under concurrency.
    ledger.lock_wallet(shop.id, referrer.id)
    friend = db.session.get(Member, order.member_id) if order.member_id else None
    referral.order_id = order.order_id
    referral.friend_member_id = referral.friend_member_id or (friend.id if friend else None)
    if _reversed(shop, order):
        _refuse(referral, ORDER_REVERSED)
        return
    paid_at = order.paid_at or clock.now()
    referrer_customer = _shop_customer_of_member(shop, referrer.id)
    friend_customer = customer_of(shop, order.customer_id) if order.customer_id else None
    refusal = check_referral(
        referrer_customer_id=referrer_customer.customer_id if referrer_customer else None,
        referrer_email=referrer.email_normalized,
        referrer_addresses=_referrer_addresses(referrer),
        friend_customer_id=order.customer_id,
        friend_email=(friend.email_normalized if friend else None)
        or (friend_customer.email if friend_customer else None),
        friend_address=order.delivery_address,
        friend_prior_orders=_prior_orders(
            shop, order.customer_id, friend, before=order.placed_at, exclude=order.order_id
        ),
        referrer_rewards_this_month=rewards_this_month(shop, referrer.id, paid_at),
        monthly_cap=monthly_cap(shop),
        referrer_activated=referrer.is_active,
    )
    if refusal is None and friend is not None and friend.id == referrer.id:
        refusal = ReferralRefusal.SAME_EMAIL
    if refusal is not None:
        _refuse(referral, str(refusal))
        return
    if referrer_customer is None:
        _refuse(referral, REFERRER_NOT_A_CUSTOMER)
        return
    coupon = _coupon(shop, referrer, referrer_customer.customer_id, "referrer", referral)
    referral.referrer_redemption_id = coupon.id
    referral.state = "rewarded"
    referral.rewarded_at = paid_at


def _refuse(referral: Referral, reason: str) -> None:
    referral.state = "refused"
    referral.refusal_reason = reason


def within_return_window(shop: Shop, order: Order) -> bool:
    """POLICY.md 6: the window runs from delivery; an order not delivered yet is inside it."""
    if order.delivered_at is None:
        return True
    last_refund = db.session.execute(
        select(func.max(OrderRefund.refunded_at)).where(
            OrderRefund.shop_id == shop.id, OrderRefund.order_id == order.order_id
        )
    ).scalar()
    reversed_at = order.cancelled_at or last_refund or clock.now()
    return reversed_at <= order.delivered_at + timedelta(
        days=program_settings(shop).return_window_days
    )


def on_order_reversed(shop: Shop, order: Order) -> None:
    """A referred order cancelled or fully refunded within the return window: the referrer's
    unused code is disabled and the referral no longer counts. Runs in the handler's unit of
    work."""
    found = (
        db.session.execute(
            select(Referral)
            .where(Referral.shop_id == shop.id, Referral.order_id == order.order_id)
            .order_by(Referral.id)
        )
        .scalars()
        .first()
    )
    if found is None:
        return
    referral = _lock(found)
    if referral.state != "rewarded" or not within_return_window(shop, order):
        return
    if referral.referrer_redemption_id is not None:
        coupon = db.session.get(Redemption, referral.referrer_redemption_id)
        if coupon is not None:
            redemptions.disable(shop, coupon, ACTOR, ORDER_REVERSED)
    _refuse(referral, ORDER_REVERSED)


# --- what the member sees ------------------------------------------------------------------------


@unit_of_work()  # a referral code made just now for an ID that had none is kept
def summary(shop: Shop, member: Member, prefix: str = DEFAULT_PROXY_PREFIX) -> dict[str, Any]:
    """``GET /proxy/referral``: the link, the friend coupon, the friends' progress and the cap."""
    code = ensure_referral_code(member)
    friends = db.session.execute(
        select(Referral)
        .where(Referral.shop_id == shop.id, Referral.referrer_member_id == member.id)
        .order_by(Referral.id.desc())
        .limit(50)
    ).scalars()
    return {
        "code": code,
        **link(shop, code, prefix),
        "friend_coupon": {"amount": str(friend_coupon_amount(shop)), "currency": shop.currency},
        "friends": [
            {
                "status": referral.state,
                "reason": reason_sentence(referral.refusal_reason, shop.locale)
                if referral.state == "refused"
                else None,
                "at": (referral.rewarded_at or referral.created_at).isoformat(),
            }
            for referral in friends
        ],
        "rewards_this_month": rewards_this_month(shop, member.id),
        "monthly_cap": monthly_cap(shop),
    }

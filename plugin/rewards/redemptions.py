"""Redemptions: points become single-use discount codes, safely (ARCHITECTURE.md invariants 3, 4).

A redemption is one transaction: the wallet row is locked, the balance checked, the debit entry,
the ``Redemption`` (pending) and an outbox item written together. The outbox job
(``plugin.effects.discount_codes``) creates the code at Shopify and marks the redemption issued;
on a permanent failure the points come back through a refund entry. The code is derived from the
redemption's id and stored with it before anything is sent, so a retry after a crash asks Shopify
for the same code and finds it instead of making a second one.

``issue_coupon`` is the points-free variant (referrals, trade-ins, CTRL F): same code, same effect,
idempotent by a caller's key. ``disable_unused_codes`` ends a member's unused codes (membership
cancellation, a reversed referral).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app
from sqlalchemy import CursorResult, func, select, update

from plugin import clock, ledger, outbox
from plugin.database import audit
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import Member, Order, OutboxItem, Redemption, Reward, Shop
from plugin.program.catalogue import RewardKind
from plugin.program.entries import EntryKind
from plugin.program.errors import Conflict, DomainError, NotAllowed, NotFound
from plugin.program.membership import FORFEITED_PURPOSES
from plugin.program.money import MAX_AMOUNT, minor_units, quantize
from plugin.rewards import store_credit_rewards, tiers
from plugin.shops.registry import shown_title

CREATE = outbox.EffectKind.DISCOUNT_CODE_CREATE.value
DEACTIVATE = outbox.EffectKind.DISCOUNT_CODE_DEACTIVATE.value
PURPOSES = ("reward", "referral", "trade_in", "ctrl_f", "campaign")
LIVE_STATES = ("pending", "issued")


class RedemptionError(DomainError):
    """A redemption the member cannot make."""


class RedemptionConflict(RedemptionError, Conflict):
    pass


class RedemptionNotAllowed(RedemptionError, NotAllowed):
    pass


class RedemptionNotFound(RedemptionError, NotFound):
    pass


def tier_allows(shop: Shop, member_id: int | None, tier_keys: list[str]) -> bool:
    """A tier-only reward (issue 19): only while tiers are on and the member holds one of them."""

    if member_id is None or not tiers.rules(shop).enabled:
        return False
    row = tiers.current(shop, member_id)
    return row is not None and row.tier_key in tier_keys


def discount_code_for(shop: Shop, redemption_id: int) -> str:
    """``TSM-`` and 12 base32 characters of an HMAC of the shop and the redemption id.

    Deterministic (the same redemption always gets the same code, so a retried create comes back
    TAKEN and is looked up), and keyed, so codes cannot be enumerated from ids. It is stored on the
    redemption when it is written, so a rotated app secret never changes a code in flight.
    """
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"{shop.domain}:{redemption_id}".encode(), hashlib.sha256).digest()
    return "TSM-" + base64.b32encode(digest).decode()[:12]


def customer_gid(customer_id: str) -> str:
    return f"gid://shopify/Customer/{customer_id}"


def redeem(shop: Shop, member: Member, customer_id: str, reward_id: int) -> Redemption:
    """Spend the member's points on a reward of ``shop``; commits. Raises ``RedemptionError``.

    The wallet lock makes concurrent redemptions queue on the balance check, so together they
    never spend more than the balance (invariant 3).
    """
    if not member.is_active:
        raise RedemptionNotAllowed(
            "Activate your TESmart ID to redeem rewards.", code="id_not_active"
        )
    reward = db.session.execute(
        select(Reward).where(
            Reward.id == reward_id, Reward.shop_id == shop.id, Reward.active.is_(True)
        )
    ).scalar_one_or_none()
    if reward is None:
        raise RedemptionNotFound("No such reward in this store.", code="not_found")
    if reward.tier_keys and not tier_allows(shop, member.id, reward.tier_keys):
        raise RedemptionNotAllowed("This reward is for members of a higher tier.", code="tier_only")
    store_credit = reward.kind == RewardKind.STORE_CREDIT
    if store_credit and not store_credit_rewards.enabled_as_known(shop):
        raise RedemptionConflict(
            "This store does not offer store credit right now.", code="store_credit_off"
        )
    points = int(reward.points)
    with unit_of_work():
        # A shared lock on the member: a cancellation in progress (which holds it exclusively)
        # finishes first and is seen here, and one starting now waits for this redemption, so
        # its "disable unused codes" sees this code too.
        state = db.session.execute(
            select(Member.state).where(Member.id == member.id).with_for_update(read=True)
        ).scalar_one()
        if state != "open":
            raise RedemptionNotAllowed(
                "Activate your TESmart ID to redeem rewards.", code="id_not_active"
            )
        wallet = ledger.lock_wallet(shop.id, member.id)
        # A balance may be negative after a clawback: redemption waits until it is positive (POLICY
        # 3).
        if wallet.balance <= 0 or wallet.balance < points:
            missing = points - max(wallet.balance, 0)
            raise RedemptionConflict(
                f"You need {missing} more points for this reward.", code="insufficient_points"
            )
        redemption = _new_redemption(
            shop,
            member,
            customer_id,
            purpose="reward",
            title=shown_title(reward.title, reward.kind, reward.amount, reward.percentage, shop),
            kind=reward.kind,
            amount=reward.amount,
            percentage=reward.percentage,
            points=points,
            reward_id=reward.id,
        )
        ledger.post_entry(
            shop_id=shop.id,
            member_id=member.id,
            delta=-points,
            kind=EntryKind.REDEMPTION,
            cause_key=f"redemption:{redemption.id}:debit",
            note=reward.title,
        )
        if store_credit:
            redemption.code = None  # nothing to type in: the credit sits in the customer's account
            redemption.expires_at = store_credit_rewards.expires_at(shop)
            payload = store_credit_rewards.credit_payload(redemption)
            outbox.add(shop.id, store_credit_rewards.CREDIT, payload["idempotency_key"], payload)
        else:
            outbox.add(
                shop.id,
                CREATE,
                f"redemption:{redemption.id}:create",
                {"redemption_id": redemption.id},
            )
    return redemption


def issue_coupon(
    shop: Shop,
    member: Member,
    customer_id: str,
    *,
    purpose: str,
    title: str,
    kind: str,
    amount: Decimal | str | None = None,
    percentage: Decimal | str | None = None,
    idempotency_key: str,
    points: int = 0,
) -> Redemption:
    """A single-use code for one customer, created through the outbox; once per ``idempotency_key``.

    For referral rewards, trade-in discounts (``2025-04``/legacy ``discount_on_new``) and CTRL F
    codes. With ``points`` > 0 the wallet is debited as in ``redeem`` (``RedemptionError`` 409 when
    it cannot pay). Does NOT commit: it joins the caller's unit of work; the code is created once
    that commits (the outbox enqueues its item on commit, whoever commits). A second call with the
    same key returns the first redemption and writes nothing.
    """
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {', '.join(PURPOSES)}, not {purpose!r}")
    if not idempotency_key or len(idempotency_key) > 180:
        raise ValueError("an idempotency key of 1 to 180 characters is required")
    kind, amount_value, percentage_value = validate_discount(
        shop.currency, kind, amount, percentage
    )
    if not (title or "").strip():
        raise ValueError("a coupon needs a title")
    key = f"coupon:{idempotency_key}"
    existing = coupon_for_key(shop, idempotency_key)
    if existing is not None:
        return existing
    if points:
        wallet = ledger.lock_wallet(shop.id, member.id)
        if wallet.balance <= 0 or wallet.balance < points:
            raise RedemptionConflict("Not enough points for this code.", code="insufficient_points")
    # The outbox row is the idempotency record: inserted first, so of two concurrent calls with
    # one key only the one whose insert wins writes a redemption (the other waits, then reads it).
    item_id = outbox.add(shop.id, CREATE, key, {"redemption_id": None})
    if item_id is None:
        found = coupon_for_key(shop, idempotency_key)
        if found is None:
            raise RuntimeError(f"coupon {idempotency_key!r} has an outbox row without a redemption")
        return found
    redemption = _new_redemption(
        shop,
        member,
        customer_id,
        purpose=purpose,
        title=title.strip()[:255],
        kind=kind,
        amount=amount_value,
        percentage=percentage_value,
        points=int(points),
        reward_id=None,
    )
    if points:
        ledger.post_entry(
            shop_id=shop.id,
            member_id=member.id,
            delta=-int(points),
            kind=EntryKind.REDEMPTION,
            cause_key=f"redemption:{redemption.id}:debit",
            note=redemption.title,
        )
    item = db.session.get(OutboxItem, item_id)
    assert item is not None  # added above, in this unit of work
    item.payload = {"redemption_id": redemption.id}
    return redemption


def coupon_for_key(shop: Shop, idempotency_key: str) -> Redemption | None:
    payload = db.session.execute(
        select(OutboxItem.payload).where(
            OutboxItem.shop_id == shop.id, OutboxItem.idempotency_key == f"coupon:{idempotency_key}"
        )
    ).scalar_one_or_none()
    redemption_id = (payload or {}).get("redemption_id")
    if redemption_id is None:
        return None
    return db.session.get(Redemption, int(redemption_id))


def validate_discount(
    currency: str, kind: str, amount: Any, percentage: Any
) -> tuple[str, Decimal | None, Decimal | None]:
    """(kind, amount, percentage) checked and in the currency's minor unit; ValueError otherwise."""
    kind = str(kind)
    if kind == RewardKind.FIXED_AMOUNT:
        value = _decimal(amount, "amount")
        if value is None or value <= 0:
            raise ValueError("a fixed-amount discount needs a positive amount")
        if value > MAX_AMOUNT:
            raise ValueError(f"a fixed-amount discount is at most {MAX_AMOUNT} {currency}")
        quantized = quantize(value, currency)
        if quantized != value:
            raise ValueError(f"{currency} amounts have {minor_units(currency)} decimal places")
        return kind, quantized, None
    if kind == RewardKind.PERCENTAGE:
        value = _decimal(percentage, "percentage")
        if value is None or not Decimal(0) < value <= Decimal(100):
            raise ValueError("a percentage discount needs a percentage above 0 and up to 100")
        if value != value.quantize(Decimal("0.01")):
            raise ValueError("a percentage has at most two decimal places")
        return kind, None, value
    raise ValueError("kind must be fixed_amount or percentage")


def _decimal(value: Any, name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number")
    try:
        parsed = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"{name} is not a number") from exc
    if not parsed.is_finite():
        raise ValueError(f"{name} is not a number")
    return parsed


def _new_redemption(
    shop: Shop,
    member: Member,
    customer_id: str,
    *,
    purpose: str,
    title: str,
    kind: str,
    amount: Decimal | None,
    percentage: Decimal | None,
    points: int,
    reward_id: int | None,
) -> Redemption:
    redemption = Redemption(
        shop_id=shop.id,
        member_id=member.id,
        customer_id=str(customer_id),
        reward_id=reward_id,
        purpose=purpose,
        title=title,
        points=points,
        kind=str(kind),
        amount=quantize(amount, shop.currency) if amount is not None else None,
        percentage=percentage,
        currency=shop.currency,
        state="pending",
        created_at=clock.now(),
    )
    db.session.add(redemption)
    db.session.flush()
    redemption.code = discount_code_for(shop, redemption.id)
    return redemption


def lock_redemption(shop_id: int, redemption_id: int) -> Redemption | None:
    return db.session.execute(
        select(Redemption)
        .where(Redemption.id == redemption_id, Redemption.shop_id == shop_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def disable(shop: Shop, redemption: Redemption, actor: str, reason: str) -> bool:
    """End one unused code: state ``disabled`` now, ``discountCodeDeactivate`` through the outbox.

    Does not commit. False when the code is used, failed or already disabled. A pending code is
    never created afterwards (the create effect skips a disabled redemption, and deactivates a code
    that was in flight).
    """
    locked = lock_redemption(shop.id, redemption.id)
    if locked is None or locked.state not in LIVE_STATES or locked.used_at is not None:
        return False
    before = locked.state
    locked.state = "disabled"
    locked.error = reason[:2000]
    if locked.kind == RewardKind.STORE_CREDIT:
        # Store credit is taken back, for what is still unspent; a pending one is never paid (the
        # credit job skips a disabled redemption, and holds this row while it pays).
        if locked.credit_transaction_id:
            payload = store_credit_rewards.claw_back_payload(locked)
            outbox.add(shop.id, store_credit_rewards.CLAW_BACK, payload["idempotency_key"], payload)
    else:
        outbox.add(
            shop.id, DEACTIVATE, f"redemption:{locked.id}:deactivate", {"redemption_id": locked.id}
        )
    audit.record(
        shop_id=shop.id,
        actor=actor,
        action="redemption.disable",
        subject_type="redemption",
        subject_id=locked.id,
        before={"state": before},
        after={"state": "disabled", "reason": reason, "code": locked.code},
    )
    return True


def disable_unused_codes(
    shop: Shop,
    member: Member,
    actor: str,
    *,
    purposes: Iterable[str] = FORFEITED_PURPOSES,
    reason: str = "membership_cancelled",
) -> int:
    """Disable every unused code of ``member`` in ``shop`` (membership cancellation); does not
    commit."""
    candidates = db.session.execute(
        select(Redemption)
        .where(
            Redemption.shop_id == shop.id,
            Redemption.member_id == member.id,
            Redemption.state.in_(LIVE_STATES),
            Redemption.used_at.is_(None),
            Redemption.purpose.in_(tuple(purposes)),
        )
        .order_by(Redemption.id)
    ).scalars()
    return sum(1 for redemption in list(candidates) if disable(shop, redemption, actor, reason))


def mark_used(shop: Shop, order: Order) -> int:
    """Codes an order used are no longer "unused" (they cannot be disabled or forfeited)."""
    codes = {str(code).strip().upper() for code in order.discount_codes or [] if code}
    if not codes:
        return 0
    result = db.session.execute(
        update(Redemption)
        .where(
            Redemption.shop_id == shop.id,
            func.upper(Redemption.code).in_(codes),
            Redemption.used_at.is_(None),
        )
        .values(used_at=order.paid_at or clock.now())
        .execution_options(synchronize_session=False)
    )
    # An UPDATE's result is a CursorResult, the kind with a rowcount; Session.execute() is typed
    # to return its base class.
    assert isinstance(result, CursorResult)
    return int(result.rowcount or 0)


def redemption_for_code(shop: Shop, code: str) -> Redemption | None:
    return (
        db.session.execute(
            select(Redemption).where(
                Redemption.shop_id == shop.id, func.upper(Redemption.code) == code.strip().upper()
            )
        )
        .scalars()
        .first()
    )


def customer_redemptions(shop: Shop, customer_id: str) -> list[Redemption]:
    return list(
        db.session.execute(
            select(Redemption)
            .where(Redemption.shop_id == shop.id, Redemption.customer_id == str(customer_id))
            .order_by(Redemption.id.desc())
            .limit(100)
        ).scalars()
    )


def customer_redemption(shop: Shop, customer_id: str, redemption_id: int) -> Redemption | None:
    """One redemption, only if it is this customer's in this shop (invariant 5)."""
    return db.session.execute(
        select(Redemption).where(
            Redemption.id == redemption_id,
            Redemption.shop_id == shop.id,
            Redemption.customer_id == str(customer_id),
        )
    ).scalar_one_or_none()

"""A member's registered devices: warranty ends, replacement and trade-in eligibility, serials.

Devices are registered by the orders webhook (``orders.register_devices``); this module reads them
for the member who owns them, in the shop that sold them, and answers with the program's rules
(``plugin.program.benefits.warranty`` and ``tradein``). Every lookup names the shop and the member,
so a shopper never reaches another shopper's device, nor a device of another shop (invariant 5).

Decisions where the policy is silent:
- A warranty replacement unit made in the extended period (``cover_until`` set) shows its own cover
  as its standard warranty and has no extension and no further replacement. A unit replaced during
  the standard warranty carries on the original purchase's warranty.
- The trade-in block of a device is answered for a device in good condition; the real quote comes
  from the member's answers (``tradeins.quote``). A device that is only too young shows the kind
  it will get and the day it can be traded in.
- Serial numbers are compared trimmed and in upper case.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    cast,
    exists,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import BindParameter

from plugin import clock
from plugin.accounts import (
    NO_VISITOR,
    ShopVisitor,
    cohort_of,
    visitor_of,
    visitor_parameters,
    visitor_statement,
)
from plugin.database import audit
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import AuditLog, Device, Member, Shop, TradeIn, WarrantyClaim
from plugin.models.types import is_row_id
from plugin.program.benefits.tradein import (
    TradeInCondition,
    TradeInQuote,
    TradeInReason,
    quote_trade_in,
)
from plugin.program.benefits.tradein_workflow import TAKES_PART
from plugin.program.benefits.warranty import (
    CLAIM_ACTIVE_STATES,
    RegisteredDevice,
    ReplacementAnswer,
    ReplacementReason,
    extended_warranty_end,
    replacement_available,
    standard_warranty_end,
)
from plugin.program.calendar import add_months
from plugin.program.cohorts import Cohort, policy_in_force
from plugin.program.errors import Conflict, Invalid, NotFound
from plugin.program.messages import reason_text
from plugin.program.money import format_plain
from plugin.program.policies import NO_ID_TRADE_INS, POLICIES, TradeInKind, region_eligible
from plugin.shops.settings import ProgramSettings, program_settings

# A device in good condition: what the device list's trade-in block is answered for.
GOOD_CONDITION = TradeInCondition(
    cosmetic_wear=False, accessories_complete=True, original_packaging=True, working=True
)
# Claims that hold the product's one replacement until the merchant refuses them.
ACTIVE_CLAIM_STATES = tuple(state.value for state in CLAIM_ACTIVE_STATES)
# TAKES_PART as a fixed, ordered tuple: the same SQL text every time (a frozenset's order is not).
TAKING_PART_STATES = tuple(sorted(s.value for s in TAKES_PART))
SERIAL_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{0,63}$")


class DeviceNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such device.", code="not_found")


class SerialTaken(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "This serial number is already registered to another device.", code="serial_taken"
        )


class SerialLocked(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "The serial number of this device can no longer be changed.", code="serial_locked"
        )


class InvalidSerial(Invalid):
    def __init__(self) -> None:
        super().__init__(
            "A serial number has 1 to 64 letters, digits, '-', '.', '/' or '_'.",
            code="invalid_serial",
        )


def store_today(shop: Shop) -> date:
    """Today in the store's own zone (POLICY.md 1): the day every window and age is judged on."""
    return clock.today(clock.shop_zone(shop))


def member_device(shop: Shop, member: Member, device_id: object, *, lock: bool = False) -> Device:
    """The member's registered device in this shop, or DeviceNotFound (never another's)."""
    if not is_row_id(device_id):
        raise DeviceNotFound()
    stmt = select(Device).where(
        Device.shop_id == shop.id,
        Device.id == device_id,
        Device.member_id == member.id,
        Device.state == "registered",
    )
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    device = db.session.execute(stmt).scalar_one_or_none()
    if device is None:
        raise DeviceNotFound()
    return device


@dataclass(frozen=True)
class DeviceHistory:
    """What the rules need from a device's trade-ins and claims, read in the device's query.

    The same answers as ``trade_ins_taking_part``, ``active_replacement_claim`` and
    ``latest_trade_in_state``, as correlated subqueries: one statement per device list instead of
    four per device.
    """

    trade_ins_taking_part: int
    replacement_claim_held: bool
    latest_trade_in_state: str | None
    latest_claim_id: int | None = None  # the newest claim not withdrawn: the card shows its state


def _one_of(column: Any, values: tuple[str, ...]) -> ColumnElement[bool]:
    """``column IN values`` as plain comparisons: a fixed list needs no "expanding" parameter,
    which SQLAlchemy would otherwise rewrite on every execution of a cached statement."""
    return or_(*(column == value for value in values))


def _history_columns(
    shop_id: InstrumentedAttribute[int] | BindParameter[int] | None = None,
) -> tuple[Any, Any, Any, Any]:
    """``trade_ins_taking_part``, ``active_replacement_claim`` (held or not) and
    ``latest_trade_in_state`` of each selected device, for the shop in ``:shop_id`` (or in
    ``shop_id``, the device's own shop column where the shop is not a parameter)."""
    if shop_id is None:
        shop_id = bindparam("shop_id")
    taking_part = (
        select(func.count(TradeIn.id))
        .where(
            TradeIn.shop_id == shop_id,
            TradeIn.device_id == Device.id,
            _one_of(TradeIn.state, TAKING_PART_STATES),
        )
        .correlate(Device)
        .scalar_subquery()
    )
    claim_held = (
        exists()
        .where(
            WarrantyClaim.shop_id == shop_id,
            WarrantyClaim.device_id == Device.id,
            _one_of(WarrantyClaim.state, ACTIVE_CLAIM_STATES),
        )
        .correlate(Device)
    )
    latest_state = (
        select(TradeIn.state)
        .where(
            TradeIn.shop_id == shop_id, TradeIn.device_id == Device.id, TradeIn.state != "quoted"
        )
        .order_by(TradeIn.id.desc())
        .limit(1)
        .correlate(Device)
        .scalar_subquery()
    )
    latest_claim = (
        select(WarrantyClaim.id)
        .where(
            WarrantyClaim.shop_id == shop_id,
            WarrantyClaim.device_id == Device.id,
            WarrantyClaim.state != "withdrawn",
        )
        .order_by(WarrantyClaim.id.desc())
        .limit(1)
        .correlate(Device)
        .scalar_subquery()
    )
    return taking_part, claim_held, latest_state, latest_claim


@dataclass(frozen=True, slots=True)
class ViewedDevice:
    """What the Device view and the quote read of a device (``device_view``, ``warranty_facts``,
    ``quote_for``, ``_earliest_trade_in``), read with its history for them.

    The storefront's device list and quote read these eleven columns as plain rows, not ``Device``
    objects: 15 columns a row instead of 25, and none of the ORM's identity-map work for rows that
    are only shown. Whatever changes a device reads the ``Device`` itself (``member_device``).
    """

    id: int
    title: str
    category: str
    serial: str | None
    order_name: str | None
    purchased_on: date
    amount_paid: Decimal
    currency: str
    delivery_country: str | None
    cover_until: date | None
    replacement_used: bool


# A device as the view and the rules read it: a registered ``Device``, or the same facts as read.
AnyDevice = Device | ViewedDevice
_VIEWED_COLUMNS = tuple(getattr(Device, field.name) for field in fields(ViewedDevice))
_VIEWED_COUNT = len(_VIEWED_COLUMNS)


# Built once, values bound per call: every request reuses the statement and its memoized cache key.
@functools.cache
def _devices_statement(by_order: bool) -> Select[Any]:
    stmt = select(*_VIEWED_COLUMNS, *_history_columns()).where(
        Device.shop_id == bindparam("shop_id"),
        Device.member_id == bindparam("member_id"),
        Device.state == "registered",
    )
    if by_order:
        stmt = stmt.where(Device.order_id == bindparam("order_id"))
    return stmt.order_by(Device.purchased_on.desc(), Device.id)


@functools.cache
def _device_statement() -> Select[Any]:
    return select(*_VIEWED_COLUMNS, *_history_columns()).where(
        Device.shop_id == bindparam("shop_id"),
        Device.id == bindparam("device_id"),
        Device.member_id == bindparam("member_id"),
        Device.state == "registered",
    )


def _viewed(row: Any) -> tuple[ViewedDevice, DeviceHistory]:
    # SQLite answers EXISTS with 0/1, PostgreSQL with a boolean.
    taking_part, claim_held, latest_state, latest_claim = row[_VIEWED_COUNT:]
    device = ViewedDevice(*row[:_VIEWED_COUNT])
    return device, DeviceHistory(
        int(taking_part or 0), bool(claim_held), latest_state, latest_claim
    )


DeviceRows = list[tuple[ViewedDevice, DeviceHistory]]


@functools.cache
def _visitor_devices_statement(one: bool) -> Select[Any]:
    on = [Device.shop_id == Shop.id, Device.member_id == Member.id, Device.state == "registered"]
    if one:
        on.append(Device.id == bindparam("device_id"))
    statement = (
        visitor_statement()
        .add_columns(*_VIEWED_COLUMNS, *_history_columns(Device.shop_id))
        .outerjoin(Device, and_(*on))
    )
    return statement if one else statement.order_by(Device.purchased_on.desc(), Device.id)


def visitor_with_devices(
    domain: str, customer_id: str, device_id: int | None = None
) -> tuple[ShopVisitor, DeviceRows]:
    """``shop_visitor`` of a logged-in customer and their member's registered devices in that
    shop with their history (``member_devices_with_history``), in one statement: a row per
    device, the visit repeated on each (one row, without a device, when there is none).
    ``device_id``: only that device, if it is one of them (``member_device_with_history``)."""
    params: dict[str, Any] | None = visitor_parameters(domain, customer_id)
    if params is None:
        return NO_VISITOR, []
    if device_id is not None:
        params = {**params, "device_id": device_id}
    rows = db.session.execute(_visitor_devices_statement(device_id is not None), params).all()
    if not rows:
        return NO_VISITOR, []
    # The visitor's three entities come first; the device and its history follow.
    listed = [_viewed(tuple(row[3:])) for row in rows if row[3] is not None]
    return visitor_of(rows[0]), listed


def member_devices_with_history(
    shop: Shop, member: Member, order_id: str | None = None
) -> DeviceRows:
    """The member's registered devices in this shop (newest purchase first), each with its
    history, in one query (rows on the session's connection: nothing enters the identity map)."""
    params: dict[str, Any] = {"shop_id": shop.id, "member_id": member.id}
    if order_id is not None:
        params["order_id"] = order_id
    result = db.session.connection().execute(_devices_statement(order_id is not None), params)
    return [_viewed(row) for row in result]


def member_device_with_history(
    shop: Shop, member: Member, device_id: object
) -> tuple[ViewedDevice, DeviceHistory]:
    """The member's registered device in this shop with its history, in one query;
    DeviceNotFound for anything else."""
    if not is_row_id(device_id):
        raise DeviceNotFound()
    row = (
        db.session.connection()
        .execute(
            _device_statement(),
            {"shop_id": shop.id, "device_id": device_id, "member_id": member.id},
        )
        .first()
    )
    if row is None:
        raise DeviceNotFound()
    return _viewed(row)


# --- facts the rules need ------------------------------------------------------------------------


def trade_ins_taking_part(shop: Shop, device_id: int) -> int:
    """Trade-ins of the device past the quote (the "once per device" count)."""
    stmt = select(func.count(TradeIn.id)).where(
        TradeIn.shop_id == shop.id,
        TradeIn.device_id == device_id,
        TradeIn.state.in_(TAKING_PART_STATES),
    )
    return int(db.session.execute(stmt).scalar() or 0)


def serial_traded_in(shop: Shop, serial: str, *, except_trade_in: int | None = None) -> bool:
    """Whether a serial has taken part in a trade-in in ANY of the four stores (POLICY.md 5,
    2025-11: "once per device (serial number), across all four stores").

    The one query here that does not name its shop, on purpose: it answers only yes or no, and
    a serial is one physical unit wherever it was sold. ``shop`` is the store asking, whose
    applications the caller has locked; across stores, a transaction-scoped advisory lock on
    the serial (PostgreSQL; SQLite serializes writers anyway) makes check-then-apply atomic.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"tesmart:serial:{serial}"},
        )
    stmt = select(TradeIn.id).where(
        TradeIn.serial == serial,
        TradeIn.state.in_(TAKING_PART_STATES),
    )
    if except_trade_in is not None:
        stmt = stmt.where(TradeIn.id != except_trade_in)
    return db.session.execute(stmt.limit(1)).first() is not None


def active_replacement_claim(shop: Shop, device_id: int) -> WarrantyClaim | None:
    stmt = select(WarrantyClaim).where(
        WarrantyClaim.shop_id == shop.id,
        WarrantyClaim.device_id == device_id,
        WarrantyClaim.state.in_(ACTIVE_CLAIM_STATES),
    )
    return db.session.execute(stmt.limit(1)).scalar_one_or_none()


def latest_trade_in_state(shop: Shop, device_id: int) -> str | None:
    stmt = (
        select(TradeIn.state)
        .where(
            TradeIn.shop_id == shop.id, TradeIn.device_id == device_id, TradeIn.state != "quoted"
        )
        .order_by(TradeIn.id.desc())
        .limit(1)
    )
    return db.session.execute(stmt).scalar_one_or_none()


def member_cohort(
    member: Member | None, settings: ProgramSettings, shop: Shop | None = None
) -> tuple[Cohort | None, date | None]:
    """The member's policy version and activation day (the store's own day); (None, None) without
    an active ID."""
    cohort = cohort_of(member, settings.cutoffs)
    if cohort is None or member is None or member.activated_at is None:
        return None, None
    zone = clock.shop_zone(shop) if shop is not None else clock.zone("UTC")
    return cohort, clock.local_day(member.activated_at, zone)


@dataclass(frozen=True)
class WarrantyFacts:
    standard_end: date
    extended_end: date | None
    replacement: ReplacementAnswer


def warranty_facts(
    shop: Shop,
    member: Member,
    device: AnyDevice,
    today: date,
    settings: ProgramSettings | None = None,
    *,
    history: DeviceHistory | None = None,
) -> WarrantyFacts:
    settings = settings or program_settings(shop)
    if device.cover_until is not None:
        # An extended-period replacement unit: its own cover, and the one replacement is spent.
        reason = (
            ReplacementReason.WITHIN_STANDARD_WARRANTY
            if today <= device.cover_until
            else ReplacementReason.ALREADY_REPLACED
        )
        return WarrantyFacts(device.cover_until, None, ReplacementAnswer(False, reason))
    cohort, activated_on = member_cohort(member, settings, shop)
    standard_end = standard_warranty_end(device.purchased_on, device.delivery_country)
    extended_end = extended_warranty_end(
        device.purchased_on, device.delivery_country, device.category, cohort, activated_on
    )
    answer = replacement_available(
        RegisteredDevice(
            purchased_on=device.purchased_on,
            delivery_country=device.delivery_country,
            category=device.category,
            cohort=cohort,
            activated_on=activated_on,
            warranty_replacement_used=device.replacement_used,
            traded_in=_taking_part(shop, device, history) > 0,
        ),
        today,
    )
    return WarrantyFacts(standard_end, extended_end, answer)


def quote_for(
    shop: Shop,
    member: Member,
    device: AnyDevice,
    condition: TradeInCondition,
    today: date,
    settings: ProgramSettings | None = None,
    *,
    history: DeviceHistory | None = None,
) -> TradeInQuote:
    """The program's quote for this device and these answers, with the device's history (read
    now unless given, as read with the device)."""
    settings = settings or program_settings(shop)
    cohort, _ = member_cohort(member, settings, shop)
    # Legacy's "exchange or trade-in": the exchange is taken once it is granted, not while a
    # request waits (POLICY.md 4); granting it re-checks the trade-ins under the device's lock.
    exchange_taken = device.replacement_used
    return quote_trade_in(
        cohort=cohort,
        purchased_on=device.purchased_on,
        today=today,
        amount_paid=device.amount_paid,
        currency=device.currency,
        category=device.category,
        condition=condition,
        previous_trade_ins=_taking_part(shop, device, history),
        warranty_replacement_used=exchange_taken,
        delivery_country=device.delivery_country,
        deductions=settings.deductions,
        cutoffs=settings.cutoffs,
    )


def _taking_part(shop: Shop, device: AnyDevice, history: DeviceHistory | None) -> int:
    return (
        history.trade_ins_taking_part
        if history is not None
        else trade_ins_taking_part(shop, device.id)
    )


def _earliest_trade_in(
    device: AnyDevice, cohort: Cohort | None, today: date, settings: ProgramSettings
) -> tuple[TradeInKind, date] | None:
    """What a device gets once it is old enough, and from when (None: nothing to wait for)."""
    if cohort is not None:
        policy = POLICIES[cohort]
        rule = policy.trade_in
        if device.category not in rule.categories or not region_eligible(
            policy, device.delivery_country
        ):
            return None
        return rule.kind, rule.waiting.earliest(device.purchased_on)
    offer = NO_ID_TRADE_INS[policy_in_force(today, settings.cutoffs)]
    if not offer.discounts or device.category not in offer.categories:
        return None
    first = min(offer.discounts, key=lambda d: d.from_months)
    return offer.kind, add_months(device.purchased_on, first.from_months)


# --- the Device view ------------------------------------------------------------------------------


def device_view(
    shop: Shop,
    member: Member,
    device: AnyDevice,
    *,
    today: date | None = None,
    settings: ProgramSettings | None = None,
    history: DeviceHistory | None = None,
    claim: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The Device object of openapi.yaml, with sentences in the shop's language; ``claim`` is the
    device's newest warranty claim (``latest_claims`` below), if it has one."""
    today = today or store_today(shop)
    settings = settings or program_settings(shop)
    facts = warranty_facts(shop, member, device, today, settings, history=history)
    quote = quote_for(shop, member, device, GOOD_CONDITION, today, settings, history=history)
    cohort, _ = member_cohort(member, settings, shop)
    kind = quote.kind
    earliest = _earliest_trade_in(device, cohort, today, settings)
    if quote.reason_code == TradeInReason.TOO_EARLY and earliest is not None:
        kind = earliest[0]  # not yet, but this is what it will be
    return {
        "id": device.id,
        "title": device.title,
        "category": device.category,
        "serial": device.serial,
        "order_name": device.order_name or "",
        "purchased_at": device.purchased_on.isoformat(),
        "amount_paid": format_plain(device.amount_paid, device.currency),
        "currency": device.currency,
        "delivery_country": device.delivery_country,
        "standard_warranty_end": facts.standard_end.isoformat(),
        "extended_warranty_end": facts.extended_end.isoformat() if facts.extended_end else None,
        "replacement_used": bool(device.replacement_used),
        "warranty": {
            "claim_available": facts.replacement.available
            and not (claim and claim["state"] in ACTIVE_CLAIM_STATES),
            "reason": reason_text(facts.replacement.reason_code, shop.locale),
            "claim": claim,
        },
        "trade_in": {
            "eligible": quote.eligible,
            "kind": str(kind),
            "earliest_on": earliest[1].isoformat()
            if earliest is not None and kind is not TradeInKind.NONE
            else None,
            "status": (
                history.latest_trade_in_state
                if history is not None
                else latest_trade_in_state(shop, device.id)
            ),
        },
    }


def claim_view(claim: WarrantyClaim, refusal_reason: str | None = None) -> dict[str, Any]:
    return {
        "id": claim.id,
        "device_id": claim.device_id,
        "state": claim.state,
        "outcome": claim.outcome,
        "return_shipping_paid_by": claim.return_shipping_paid_by,
        "withdrawable": claim.state == "open",
        "refusal_reason": refusal_reason if claim.state == "refused" else None,
        "created_at": claim.created_at.isoformat(),
    }


def latest_claims(shop: Shop, claim_ids: list[int]) -> dict[int, dict[str, Any]]:
    """These claims as claim views by device id, with the merchant's note on a refused one."""
    rows = db.session.execute(
        select(WarrantyClaim, AuditLog.after)
        .outerjoin(
            AuditLog,
            (AuditLog.shop_id == WarrantyClaim.shop_id)
            & (AuditLog.subject_type == "warranty_claim")
            & (AuditLog.action == "warranty_claim.refuse")
            & (AuditLog.subject_id == cast(WarrantyClaim.id, String)),
        )
        .where(WarrantyClaim.shop_id == shop.id, WarrantyClaim.id.in_(claim_ids))
    ).all()
    return {
        claim.device_id: claim_view(claim, str((after or {}).get("note") or "") or None)
        for claim, after in rows
    }


def devices_payload(
    shop: Shop,
    member: Member,
    order_id: str | None = None,
    *,
    today: date | None = None,
    rows: DeviceRows | None = None,
) -> list[dict[str, Any]]:
    """Every registered device of the member in this shop (or of one of their orders); ``rows``
    when they were read already (``visitor_with_devices``)."""
    settings = program_settings(shop)
    today = today or store_today(shop)
    if rows is None:
        rows = member_devices_with_history(shop, member, order_id)
    # Claims are read only when a device has one: the usual list stays one statement.
    claim_ids = [
        h.latest_claim_id for _, h in rows if h is not None and h.latest_claim_id is not None
    ]
    claims = latest_claims(shop, claim_ids) if claim_ids else {}
    return [
        device_view(
            shop,
            member,
            device,
            today=today,
            settings=settings,
            history=history,
            claim=claims.get(device.id),
        )
        for device, history in rows
    ]


# --- serial numbers -------------------------------------------------------------------------------


def normalize_serial(raw: object) -> str:
    if not isinstance(raw, str):
        raise InvalidSerial()
    serial = raw.strip().upper()
    if not SERIAL_PATTERN.match(serial):
        raise InvalidSerial()
    return serial


def assign_serial(shop: Shop, device: Device, serial: str) -> bool:
    """Put ``serial`` on the (locked) device; SerialTaken when another device of the shop has it.

    Returns whether anything changed. The database's UNIQUE(shop, serial) settles a race between
    two devices claiming the same serial at once.
    """
    if device.serial == serial:
        return False
    if device.serial_verified or trade_ins_taking_part(shop, device.id) > 0:
        raise SerialLocked()
    taken = db.session.execute(
        select(Device.id).where(
            Device.shop_id == shop.id, Device.serial == serial, Device.id != device.id
        )
    ).first()
    if taken is not None:
        raise SerialTaken()
    previous = device.serial
    try:
        with db.session.begin_nested():
            device.serial = serial
            db.session.flush()
    except IntegrityError:
        device.serial = previous
        raise SerialTaken() from None
    return True


def register_serial(
    shop: Shop, member: Member, device_id: object, raw_serial: object, *, actor: str
) -> Device:
    """POST /proxy/devices/<id>/serial: the member registers the serial of their device."""
    serial = normalize_serial(raw_serial)
    with unit_of_work():
        device = member_device(shop, member, device_id, lock=True)
        before = device.serial
        if assign_serial(shop, device, serial):
            audit.record(
                shop_id=shop.id,
                actor=actor,
                action="device.serial_registered",
                subject_type="device",
                subject_id=device.id,
                before={"serial": before},
                after={"serial": serial},
            )
    return device

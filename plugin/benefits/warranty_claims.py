"""Warranty claims: repairs and replacements, and the extended warranty's one replacement
(POLICY.md sections 4 and 6).

A claim is answered from the device's warranty facts (``devices.warranty_facts``):
- in the extended period, when the product's one functional replacement is still available:
  ``replacement``. Asking does not use it (section 4: it counts as used when the merchant grants
  it): ``approve_claim`` marks ``Device.replacement_used``, a refusal after that gives it back.
  Until it is granted the member can withdraw the request (``withdraw_claim``), and a ``legacy``
  member's trade-in is still open; a second claim of the same product is refused meanwhile;
- during the standard warranty (or a replacement unit's own cover): a same-model ``replacement``
  for activated members, a ``repair`` otherwise (section 6, "30 days .. end of standard warranty");
- anything else is refused (422 ``replacement_unavailable``) with the program's reason.
Return shipping is paid by TESmart in the free-shipping countries (section 1), by delivery country.

The merchant's steps: ``approve_claim``, ``ship_replacement`` (the replacement unit becomes its own
device: 90 days of cover from the exchange and never less than the statutory time left, when the
exchange is the extended period's one replacement; during the standard warranty it carries on the
original purchase's warranty), ``close_claim`` and ``refuse_claim``. Each writes an AuditLog row;
whether a claim is the extended period's replacement is read back from its creation row, so the
decision made when the member asked is the one the merchant's steps follow.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from plugin import clock
from plugin.benefits.devices import (
    active_replacement_claim,
    assign_serial,
    member_cohort,
    member_device,
    normalize_serial,
    store_today,
    trade_ins_taking_part,
    warranty_facts,
)
from plugin.database import audit
from plugin.database.rows import lock_shop_row
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import AuditLog, Device, Member, Shop, WarrantyClaim
from plugin.program.benefits.warranty import (
    CLAIM_DECIDED_STATES,
    CLAIM_RESOLVED_STATES,
    next_claim_state,
    replacement_cover_end,
    standard_warranty_end,
)
from plugin.program.errors import Conflict, NotFound, Refused
from plugin.program.messages import reason_text
from plugin.program.policies import POLICIES
from plugin.program.regions import free_replacement_shipping
from plugin.reach.notifications import warranty_decided
from plugin.shops.settings import program_settings


class ReplacementUnavailable(Refused):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="replacement_unavailable")


class ClaimOpen(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "A warranty claim for this device is already being handled.", code="claim_open"
        )


class SerialRequired(Refused):
    def __init__(self) -> None:
        super().__init__(
            "Add the device's serial number to request a warranty service.", code="serial_required"
        )


class TradeInTaken(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "This product takes part in a trade-in: it gets one of the two, not both.",
            code="trade_in_taken",
        )


class ClaimNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such warranty claim.", code="not_found")


class ClaimTransitionError(Conflict):
    def __init__(self, state: str, action: str) -> None:
        super().__init__(f"A claim that is {state} cannot {action}.", code="invalid_transition")


def create_claim(
    shop: Shop,
    member: Member,
    device_id: object,
    description: str,
    *,
    actor: str,
    serial: object = None,
    photos: list[str] | None = None,
    today: date | None = None,
) -> WarrantyClaim:
    """POST /proxy/warranty-claims; commits. The device row is locked, so a claim and a trade-in
    of one product are decided one after the other (legacy: one of the two, never both).

    The device's serial number is required: a device without one gets it from ``serial`` (which
    must then be given), as the card asks for it beside the request."""
    today = today or store_today(shop)
    given = normalize_serial(serial) if serial not in (None, "") else None
    with unit_of_work():
        device = member_device(shop, member, device_id, lock=True)
        if active_replacement_claim(shop, device.id) is not None:
            raise ClaimOpen()
        facts = warranty_facts(shop, member, device, today)
        answer = facts.replacement
        payer = "tesmart" if free_replacement_shipping(device.delivery_country) else "customer"
        if answer.available:
            outcome = "replacement"  # used only once the merchant grants it (approve_claim)
        elif today <= facts.standard_end:
            # Statutory cover (or a replacement unit's own): no ID needed, only the remedy differs.
            outcome = "replacement" if member.is_active else "repair"
        else:
            raise ReplacementUnavailable(reason_text(answer.reason_code, shop.locale))
        if device.serial is None:
            if given is None:
                raise SerialRequired()
            assign_serial(shop, device, given)  # SerialTaken when another device has it
        now = clock.now()
        claim = WarrantyClaim(
            shop_id=shop.id,
            member_id=member.id,
            device_id=device.id,
            state="open",
            outcome=outcome,
            return_shipping_paid_by=payer,
            description=description,
            photos=list(photos or []),
            created_at=now,
        )
        audit.record_created(
            claim,
            shop_id=shop.id,
            actor=actor,
            action="warranty_claim.create",
            subject_type="warranty_claim",
            after={
                "device_id": device.id,
                "outcome": outcome,
                "extended_period": answer.available,
                "return_shipping_paid_by": payer,
                "files": len(photos or []),
            },
        )
    return claim


def withdraw_claim(shop: Shop, member: Member, claim_id: object, actor: str) -> WarrantyClaim:
    """The member takes back a request the merchant has not granted yet (POLICY.md 4)."""
    if not isinstance(claim_id, int) or isinstance(claim_id, bool):
        raise ClaimNotFound()
    owner = db.session.execute(
        select(WarrantyClaim.member_id).where(
            WarrantyClaim.shop_id == shop.id, WarrantyClaim.id == claim_id
        )
    ).scalar_one_or_none()
    if owner is None or owner != member.id:
        raise ClaimNotFound()
    return _step(shop, claim_id, "withdraw", actor)


# --- the merchant's steps ------------------------------------------------------------------------


def approve_claim(shop: Shop, claim_id: int, actor: str) -> WarrantyClaim:
    """Grant the claim. The extended period's one replacement is used now, not when asked for;
    ``legacy``: not when the product has taken part in a trade-in meanwhile (one of the two)."""

    def grant(claim: WarrantyClaim, device: Device) -> dict[str, Any]:
        if not _extended_period(claim):
            return {}
        member = db.session.get(Member, claim.member_id) if claim.member_id else None
        if member is not None:
            cohort, _ = member_cohort(member, program_settings(shop))
            if (
                cohort is not None
                and POLICIES[cohort].warranty_exchange_or_trade_in
                and trade_ins_taking_part(shop, device.id) > 0
            ):
                raise TradeInTaken()
        device.replacement_used = True
        return {"replacement_used": True}

    return _step(shop, claim_id, "approve", actor, grant)


def refuse_claim(shop: Shop, claim_id: int, actor: str, note: str) -> WarrantyClaim:
    """The inspection found no covered fault (misuse, say): the product keeps its replacement."""

    def give_back(claim: WarrantyClaim, device: Device) -> dict[str, Any]:
        if _holds_replacement(claim, device):
            device.replacement_used = False
        return {"note": note}

    return _step(shop, claim_id, "refuse", actor, give_back)


def close_claim(shop: Shop, claim_id: int, actor: str, note: str | None = None) -> WarrantyClaim:
    return _step(shop, claim_id, "close", actor, lambda claim, device: {"note": note})


def ship_replacement(
    shop: Shop,
    claim_id: int,
    actor: str,
    *,
    serial: str | None = None,
    exchanged_on: date | None = None,
) -> WarrantyClaim:
    """approved → shipped: the replacement unit is registered as its own device, the old one
    void."""
    exchanged_on = exchanged_on or store_today(shop)

    def exchange(claim: WarrantyClaim, original: Device) -> dict[str, Any]:
        if claim.outcome != "replacement":
            raise ClaimTransitionError(claim.state, "ship a replacement for a repair")
        extended_period = _holds_replacement(claim, original)
        cover_until = None
        if extended_period:
            own_end = original.cover_until or standard_warranty_end(
                original.purchased_on, original.delivery_country
            )
            cover_until = replacement_cover_end(exchanged_on, own_end)
        unit = Device(
            shop_id=shop.id,
            member_id=original.member_id,
            order_id=original.order_id,
            order_name=original.order_name,
            line_item_id=f"claim-{claim.id}",
            unit_index=0,
            product_id=original.product_id,
            title=original.title,
            category=original.category,
            serial=None,
            purchased_on=original.purchased_on,
            amount_paid=original.amount_paid,
            currency=original.currency,
            delivery_country=original.delivery_country,
            replacement_of_id=original.id,
            cover_until=cover_until,
            replacement_used=original.replacement_used,
            state="registered",
            created_at=clock.now(),
        )
        original.state = "void"
        db.session.add(unit)
        db.session.flush()
        if serial:
            assign_serial(shop, unit, normalize_serial(serial))  # SerialTaken when another has it
        claim.replacement_device_id = unit.id
        return {
            "replacement_device_id": unit.id,
            "cover_until": cover_until,
            "exchanged_on": exchanged_on,
        }

    return _step(shop, claim_id, "ship", actor, exchange)


def _holds_replacement(claim: WarrantyClaim, device: Device) -> bool:
    """Whether the claim is the extended period's one replacement, granted (so it holds it)."""
    if claim.state == "open" or not device.replacement_used:
        return False
    return _extended_period(claim)


def _extended_period(claim: WarrantyClaim) -> bool:
    """Whether the claim is the extended period's one replacement, as decided when it was made."""
    if claim.outcome != "replacement":
        return False
    created = db.session.execute(
        select(AuditLog.after).where(
            AuditLog.shop_id == claim.shop_id,
            AuditLog.subject_type == "warranty_claim",
            AuditLog.subject_id == str(claim.id),
            AuditLog.action == "warranty_claim.create",
        )
    ).scalar_one_or_none()
    return bool((created or {}).get("extended_period"))


def _step(shop: Shop, claim_id: int, action: str, actor: str, apply: Any = None) -> WarrantyClaim:
    with unit_of_work():
        claim = lock_shop_row(WarrantyClaim, shop.id, claim_id)
        if claim is None:
            raise ClaimNotFound()
        step = next_claim_state(claim.state, action)
        if step is None:
            raise ClaimTransitionError(claim.state, action)
        target = step.value
        device = db.session.execute(
            select(Device)
            .where(Device.shop_id == shop.id, Device.id == claim.device_id)
            .with_for_update()
        ).scalar_one()
        details = apply(claim, device) if apply is not None else {}
        before = claim.state
        claim.state = target
        if step in CLAIM_RESOLVED_STATES:
            claim.resolved_at = claim.resolved_at or clock.now()
        if step in CLAIM_DECIDED_STATES:
            warranty_decided(shop, claim, device)
        audit.record(
            shop_id=shop.id,
            actor=actor,
            action=f"warranty_claim.{action}",
            subject_type="warranty_claim",
            subject_id=claim.id,
            before={"state": before},
            after={"state": target, **(details or {})},
        )
    return claim

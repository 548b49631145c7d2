"""Human words for the codes the data model keeps: states, kinds, causes, actors, audit entries.

The admin never shows a code (``recovery_value``, ``order_clawback``, ``adjustment:9f...``) or
a JSON blob: every value goes through :func:`label` or :func:`describe_audit`, whose English texts
are translated like every other admin text. A code without a label is shown capitalised with its
underscores as spaces, so a new state reads as words, never as an identifier.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from plugin.admin.i18n import _, format_date, format_money, format_number

LABELS: dict[str, dict[str, str]] = {
    "trade_in_state": {
        "quoted": "Quoted",
        "applied": "Applied",
        "approved": "Approved",
        "shipped": "Shipped",
        "paid": "Paid",
        "received": "Received",
        "inspected": "Inspected",
        "revoked": "Revoked",
        "expired": "Expired",
    },
    "trade_in_kind": {
        "recovery_value": "Recovery value",
        "discount_on_new": "Discount on a new device",
        "recycle_only": "Free recycling",
        "none": "Nothing offered",
    },
    "payout": {"store_credit": "Store credit", "refund": "Partial refund", "code": "Discount code"},
    "return_state": {
        "requested": "Requested",
        "received": "Received",
        "refund_late": "Refund late",
        "refunded": "Refunded",
        "closed": "Closed",
    },
    "return_reason": {
        "faulty": "Faulty",
        "unwanted": "No longer wanted",
        "damaged_in_transit": "Damaged in transit",
        "misuse": "Damaged by use",
    },
    "outcome": {
        "refund": "Refund",
        "repair": "Repair",
        "replacement": "Replacement",
        "exchange": "Exchange",
        "none": "Nothing",
    },
    "paid_by": {"customer": "The customer", "tesmart": "TESmart"},
    "claim_state": {
        "open": "Open",
        "approved": "Approved",
        "refused": "Refused",
        "shipped": "Replacement shipped",
        "closed": "Closed",
    },
    "entry_kind": {
        "order": "Order",
        "order_clawback": "Order refunded or cancelled",
        "signup": "Sign-up",
        "newsletter": "Newsletter",
        "survey": "Survey",
        "review": "Review",
        "review_with_photos": "Review with photos",
        "referral": "Referral",
        "redemption": "Reward redeemed",
        "redemption_refund": "Reward refunded",
        "expiry": "Points expired",
        "forfeit": "Forfeited (membership ended)",
        "adjustment": "Manual adjustment",
        "import": "Imported from the old program",
        "campaign": "Campaign bonus",
    },
    "member_state": {
        "open": "Open",
        "active": "Active",
        "pending": "Pending activation",
        "cancelled": "Cancelled",
        "revoked": "Revoked",
        "none": "None",
    },
    "redemption_state": {
        "pending": "Being created",
        "issued": "Issued",
        "failed": "Failed",
        "disabled": "Disabled",
        "refunded": "Points given back",
        "used": "Used",
    },
    "referral_state": {
        "pending": "Waiting for the friend's order",
        "rewarded": "Rewarded",
        "refused": "Refused",
        "visited": "Visited",
    },
    "ctrlf_state": {
        "open": "Open",
        "closed": "Closed",
        "applied": "Applied",
        "selected": "Selected",
        "rejected": "Not selected",
        "draft": "Draft",
    },
    "campaign_kind": {
        "points_multiplier": "Points multiplier",
        "member_discount": "Member discount",
        "gift": "Gift with purchase",
    },
    "reward_kind": {
        "fixed_amount": "Fixed amount off",
        "percentage": "Percentage off",
        "store_credit": "Store credit",
    },
    "cohort": {"legacy": "Legacy", "2025-04": "2025-04", "2025-11": "2025-11"},
    "category": {
        "kvm_switch": "KVM switch",
        "kvm_extender": "KVM extender",
        "matrix": "Matrix",
        "accessory": "Accessory",
        "other": "Other",
    },
    "role": {"owner": "Owner", "operator": "Operator", "staff": "Staff"},
    "activation": {
        "storefront_login": "Signed in on the storefront",
        "merchant": "By the merchant",
        "import": "Imported",
        "order": "First order",
        "email": "Email link",
    },
    "verdict": {
        "refund_within_30_days": "Refund: returned within the return window",
        "repair_under_standard_warranty": "Repair under the standard warranty",
        "replacement_under_standard_warranty": "Replacement under the standard warranty",
        "exchange_under_extended_warranty": "Exchange under the extended warranty",
        "return_window_closed": "The return window has closed",
        "standard_warranty_ended": "The standard warranty has ended",
        "extended_warranty_ended": "The extended warranty has ended",
        "third_party_seller": "Bought from another seller",
        "misuse": "Damage by use is not covered",
        "not_delivered": "Not delivered yet",
        "replacement_available": "Replacement under the extended warranty",
        "no_activated_id": "No activated TESmart ID",
        "category_not_covered": "This kind of product is not covered",
        "region_not_eligible": "Not offered in this region",
        "activated_after_standard_warranty": "The ID was activated after the standard warranty",
        "within_standard_warranty": "Within the standard warranty",
        "replacement_already_used": "The one replacement has been used",
        "device_traded_in": "The device was traded in",
        "device_handed_in": "The device was handed in",
        "recovery_value": "Recovery value: a share of the price paid",
        "discount_on_new": "A discount on a new device",
        "discount_on_new_without_id": "A discount on a new device (no activated ID)",
        "recycle_only_too_old": "Too old for a value: free recycling",
        "recycle_only_not_working": "Not working: free recycling",
        "recycle_only_without_id": "No activated ID: free recycling",
        "too_early": "Owned for too short a time",
        "no_discount_without_id": "No discount without an activated ID",
        "category_not_eligible": "This kind of product cannot be traded in",
        "already_traded_in": "This serial number was already traded in",
        "warranty_exchange_used": "The device was exchanged under warranty",
    },
    "subject": {
        "shop": "Store settings",
        "member": "Member",
        "trade_in": "Trade-in",
        "return": "Return request",
        "warranty_claim": "Warranty claim",
        "reward": "Reward",
        "campaign": "Campaign",
        "staff_user": "Staff member",
        "ctrl_f_program": "CTRL F program",
        "ctrl_f_application": "CTRL F application",
        "redemption": "Reward code",
        "import": "Import",
    },
    "import_state": {"running": "Running", "done": "Done", "failed": "Failed"},
    "campaign_state": {"scheduled": "Scheduled", "running": "Running", "ended": "Ended"},
    "referral_refusal": {
        "referrer_not_activated": "The referrer's TESmart ID was not activated",
        "self_referral_same_customer": "Referred themselves",
        "self_referral_same_email": "Referred themselves (same email)",
        "self_referral_same_address": "Referred themselves (same address)",
        "self_referral_same_fingerprint": "Referred themselves (same device)",
        "friend_already_ordered": "The friend had ordered before",
        "monthly_cap_reached": "The monthly limit of referral rewards was reached",
    },
    "action": {
        "points.adjust": "Adjusted points",
        "member.activate": "Activated the TESmart ID",
        "member.export": "Downloaded the member's data",
        "member.cancel": "Cancelled the membership",
        "member.revoke": "Revoked the membership",
        "member.cancelled": "Cancelled the membership",
        "member.revoked": "Revoked the membership",
        "trade_in.apply": "Applied for a trade-in",
        "trade_in.approve": "Approved the trade-in",
        "trade_in.ship": "Marked the trade-in shipped",
        "trade_in.pay": "Paid the trade-in",
        "trade_in.receive": "Marked the trade-in received",
        "trade_in.inspect_confirmed": "Confirmed the value at inspection",
        "trade_in.inspect_adjusted": "Adjusted the value at inspection",
        "trade_in.inspect_revoked": "Revoked at inspection",
        "trade_in.revoke": "Revoked the trade-in",
        "trade_in.expire": "The trade-in expired",
        "trade_in.payout_failed": "The payout failed",
        "trade_in.payout_result": "Payout result",
        "return.request": "Requested a return",
        "return.receive": "Marked the return received",
        "return.refund": "Marked the return refunded",
        "return.close": "Closed the return",
        "return.flag_late": "The refund became late",
        "warranty_claim.create": "Opened a warranty claim",
        "warranty_claim.approve": "Approved the claim",
        "warranty_claim.refuse": "Refused the claim",
        "warranty_claim.ship": "Shipped a replacement",
        "warranty_claim.close": "Closed the claim",
        "reward.create": "Added a reward",
        "reward.update": "Changed a reward",
        "reward.archive": "Archived a reward",
        "campaign.create": "Created a campaign",
        "campaign.update": "Changed a campaign",
        "campaign.ended": "Ended a campaign",
        "campaign.deleted": "Deleted a campaign",
        "staff.grant": "Gave access",
        "staff.revoke": "Removed access",
        "ctrl_f.create": "Created a CTRL F program",
        "ctrl_f.update": "Changed a CTRL F program",
        "ctrl_f.select": "Selected a tester",
        "ctrl_f.reject": "Did not select an applicant",
        "settings.earning": "Changed the earning rules",
        "settings.program": "Changed the program settings",
        "settings.cohorts": "Changed the cohort cutoffs",
        "settings.trade_in": "Changed the trade-in settings",
        "settings.categories": "Changed the product categories",
    },
    "field": {
        "balance": "Balance",
        "delta": "Points",
        "reason": "Reason",
        "state": "State",
        "value": "Value",
        "value_quoted": "Quote",
        "ship_by": "Ship by",
        "method": "Paid as",
        "amount": "Amount",
        "tracking_number": "Tracking number",
        "carrier": "Carrier",
        "owed_back": "Owed back",
        "note": "Note",
        "role": "Role",
        "email": "Email",
        "active": "Active",
        "title": "Title",
        "points": "Points",
        "kind": "Kind",
        "order_id": "Order",
        "outcome": "Outcome",
        "verdict": "Verdict",
        "received_on": "Received",
        "refund_due_on": "Refund due",
        "refunded_on": "Refunded",
        "activated_at": "Activated",
        "registered_at": "Registered",
        "starts_at": "Starts",
        "ends_at": "Ends",
        "multiplier": "Multiplier",
        "discount_percent": "Discount",
        "serial": "Serial",
        "device_id": "Device",
        "return_shipping_paid_by": "Return shipping paid by",
        "at": "At",
        "topped_up": "Topped up",
        "value_before": "Value before",
        "forfeited": "Points forfeited",
        "codes_disabled": "Codes disabled",
        "cancelled_at": "Ended",
        "confirmed_above": "Confirmed above",
    },
}
# Keys that are bookkeeping, not something an operator reads.
HIDDEN_FIELDS = {
    "entry_id",
    "idempotency_key",
    "redemption_id",
    "customer_id",
    "id_token",
    "extended_period",
}
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def label(value: Any, group: str) -> str:
    """The words for ``value`` in ``group`` (translated); an unknown code as plain words."""
    if value is None or value == "":
        return "—"
    text = LABELS.get(group, {}).get(str(value))
    if text is not None:
        return _(text)
    return str(value).replace("_", " ").replace(".", " ").strip().capitalize()


def actor_label(actor: str | None, names: dict[str, str] | None = None) -> str:
    """Who did it: a staff member by name, the shopper, or the app itself."""
    if not actor:
        return "—"
    kind, _sep, ident = actor.partition(":")
    if kind == "staff":
        return (names or {}).get(ident) or _("Staff member {id}", id=ident)
    if kind in ("customer", "member"):
        return _("The shopper")
    if kind in ("system", "job", "webhook", "reconcile"):
        return _("The app")
    if kind == "import":
        return _("The import")
    if kind == "cli":
        return _("An operator (command line)")
    return actor


def _value_text(key: str, value: Any, currency: str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key in ("state",) and isinstance(value, str):
        for group in ("trade_in_state", "return_state", "claim_state", "member_state"):
            if value in LABELS[group]:
                return label(value, group)
    if key == "reason" and isinstance(value, str) and value in LABELS["return_reason"]:
        return label(value, "return_reason")
    if key == "method":
        return label(value, "payout")
    if key == "outcome":
        return label(value, "outcome")
    if key == "kind":
        for group in ("campaign_kind", "reward_kind", "trade_in_kind", "entry_kind"):
            if str(value) in LABELS[group]:
                return label(value, group)
    if key == "role":
        return label(value, "role")
    if key == "verdict":
        return label(value, "verdict")
    if (
        key
        in (
            "value",
            "value_quoted",
            "amount",
            "owed_back",
            "topped_up",
            "value_before",
            "min_subtotal",
        )
        and currency
    ):
        try:
            return format_money(Decimal(str(value)), currency)
        except ArithmeticError:
            return str(value)
    if isinstance(value, int):
        return format_number(value)
    if isinstance(value, datetime | date):
        return format_date(value)
    if isinstance(value, str) and _ISO_DAY.match(value):
        return format_date(date.fromisoformat(value))
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        return format_date(date.fromisoformat(value[:10]))
    if isinstance(value, dict):
        return "; ".join(
            f"{label(k, 'field')}: {_value_text(k, v, currency)}"
            for k, v in value.items()
            if k not in HIDDEN_FIELDS
        )
    if isinstance(value, list):
        return ", ".join(_value_text(key, v, currency) for v in value)
    return str(value)


def describe_audit(before: Any, after: Any, currency: str | None = None) -> list[str]:
    """An audit row's change as lines an operator reads: "Balance: 3,050 → −96,950"."""
    lines: list[str] = []
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    for key in list(dict.fromkeys([*after.keys(), *before.keys()])):
        if key in HIDDEN_FIELDS:
            continue
        name = label(key, "field")
        if key in before and key in after and before[key] != after[key]:
            lines.append(
                f"{name}: {_value_text(key, before[key], currency)} → "
                f"{_value_text(key, after[key], currency)}"
            )
        elif key in after:
            if key in before:
                continue  # unchanged
            lines.append(f"{name}: {_value_text(key, after[key], currency)}")
        else:
            lines.append(f"{name}: {_value_text(key, before[key], currency)} → —")
    return lines

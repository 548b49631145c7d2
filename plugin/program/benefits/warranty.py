"""Standard and extended warranty, and the one functional replacement (POLICY.md section 4).

All end dates are the last day of cover: a warranty "of 12 months" from 2024-05-10 still covers
2025-05-10, the boundary day being inside (POLICY.md section 5 counts months the same way).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import NamedTuple

from plugin.program.calendar import add_months
from plugin.program.cohorts import Cohort
from plugin.program.policies import POLICIES, region_eligible
from plugin.program.regions import standard_warranty_months

# Section 4: "The replacement unit is covered for 90 days from the exchange".
REPLACEMENT_COVER_DAYS = 90


class ReplacementReason(StrEnum):
    AVAILABLE = "replacement_available"
    NO_ACTIVATED_ID = "no_activated_id"
    CATEGORY_NOT_COVERED = "category_not_covered"
    REGION_NOT_ELIGIBLE = "region_not_eligible"
    ACTIVATED_AFTER_STANDARD_WARRANTY = "activated_after_standard_warranty"
    WITHIN_STANDARD_WARRANTY = "within_standard_warranty"
    EXTENDED_WARRANTY_ENDED = "extended_warranty_ended"
    ALREADY_REPLACED = "replacement_already_used"
    DEVICE_TRADED_IN = "device_traded_in"
    DEVICE_HANDED_IN = "device_handed_in"


@dataclass(frozen=True)
class RegisteredDevice:
    """What the replacement rule needs to know about one product of one member."""

    purchased_on: date
    delivery_country: str | None
    category: str
    cohort: Cohort | None  # None: the owner has no activated TESmart ID
    activated_on: date | None
    warranty_replacement_used: bool = False
    traded_in: bool = False


class ReplacementAnswer(NamedTuple):
    available: bool
    reason_code: ReplacementReason


def standard_warranty_end(purchased_on: date, delivery_country: str | None) -> date:
    """Last day of the statutory warranty: 24 months for EU deliveries, 12 elsewhere (section 1)."""
    return add_months(purchased_on, standard_warranty_months(delivery_country))


def extended_warranty_end(
    purchased_on: date,
    delivery_country: str | None,
    category: str,
    cohort: Cohort | None,
    activated_on: date | None,
) -> date | None:
    """Last day of the extended warranty, or None when the product has no extension.

    No extension without an activated ID, for a category the cohort does not cover, outside the
    legacy regions for ``legacy``, or when the ID was activated after the standard warranty ran
    out; activation on its last day still counts (section 4, "before the standard warranty of that
    product ran out").
    """
    if cohort is None or activated_on is None:
        return None
    policy = POLICIES[cohort]
    if category not in policy.covered_categories:
        return None
    if not region_eligible(policy, delivery_country):
        return None
    standard_end = standard_warranty_end(purchased_on, delivery_country)
    if activated_on > standard_end:
        return None
    extended_end = add_months(purchased_on, policy.extended_warranty_months)
    if extended_end <= standard_end:
        # Nothing to extend: a statutory warranty this long already covers the whole period.
        return None
    return extended_end


def replacement_available(device: RegisteredDevice, today: date) -> ReplacementAnswer:
    """Whether the device may get its one functional replacement today.

    ``traded_in`` means the device took part in a trade-in. The replacement belongs to the
    extended period only: after the standard warranty ended and up
    to the extended end. During the standard warranty a fault is a repair or replacement under
    section 6 (``returns.check_return``), which this answer points to.
    """
    if device.cohort is None or device.activated_on is None:
        return ReplacementAnswer(False, ReplacementReason.NO_ACTIVATED_ID)
    policy = POLICIES[device.cohort]
    if device.category not in policy.covered_categories:
        return ReplacementAnswer(False, ReplacementReason.CATEGORY_NOT_COVERED)
    if not region_eligible(policy, device.delivery_country):
        return ReplacementAnswer(False, ReplacementReason.REGION_NOT_ELIGIBLE)
    standard_end = standard_warranty_end(device.purchased_on, device.delivery_country)
    if device.activated_on > standard_end:
        return ReplacementAnswer(False, ReplacementReason.ACTIVATED_AFTER_STANDARD_WARRANTY)
    extended_end = extended_warranty_end(
        device.purchased_on,
        device.delivery_country,
        device.category,
        device.cohort,
        device.activated_on,
    )
    # No extended period at all (a statutory warranty as long as the extension): it ended with
    # the standard warranty.
    extended_end = extended_end or standard_end
    if today <= standard_end:
        return ReplacementAnswer(False, ReplacementReason.WITHIN_STANDARD_WARRANTY)
    if today > extended_end:
        return ReplacementAnswer(False, ReplacementReason.EXTENDED_WARRANTY_ENDED)
    if device.warranty_replacement_used:
        return ReplacementAnswer(False, ReplacementReason.ALREADY_REPLACED)
    if device.traded_in and policy.warranty_exchange_or_trade_in:
        return ReplacementAnswer(False, ReplacementReason.DEVICE_TRADED_IN)
    if device.traded_in and policy.trade_in.device_handed_in:
        # Not a policy exclusion: the unit was shipped to TESmart, there is nothing to exchange.
        return ReplacementAnswer(False, ReplacementReason.DEVICE_HANDED_IN)
    return ReplacementAnswer(True, ReplacementReason.AVAILABLE)


def replacement_cover_end(exchanged_on: date, original_standard_end: date) -> date:
    """Last day of cover of a replacement unit: 90 days from the exchange, and never less than what
    the statutory warranty of the original purchase still had (section 4)."""
    return max(exchanged_on + timedelta(days=REPLACEMENT_COVER_DAYS), original_standard_end)

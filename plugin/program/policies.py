"""The three TESmart policy versions, as data (POLICY.md sections 4, 5 and 7).

Each version is one frozen ``Policy`` row in ``POLICIES``; the rules in ``warranty``, ``tradein``
and ``ctrlf`` read these rows and never branch on a cohort by name, so a policy question is answered
by reading the table below. Customers without an activated ID have their own, smaller table,
``NO_ID_TRADE_INS``, keyed by the version in force on the day they ask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from plugin.program.calendar import add_months
from plugin.program.cohorts import Cohort
from plugin.program.regions import EU_COUNTRIES, normalize_country


class ProductCategory(StrEnum):
    """A product's category, mapped per store from the Shopify product type, tag or metafield."""

    KVM_SWITCH = "kvm_switch"
    KVM_EXTENDER = "kvm_extender"
    MATRIX = "matrix"
    ACCESSORY = "accessory"  # cables, remotes, power supplies: never covered
    OTHER = "other"  # other non-KVM peripherals: never covered


class TradeInKind(StrEnum):
    RECOVERY_VALUE = "recovery_value"  # money back: a share of the amount actually paid
    DISCOUNT_ON_NEW = "discount_on_new"  # a percentage off a new device's original price
    RECYCLE_ONLY = "recycle_only"  # free environmental recycling, no value
    NONE = "none"  # nothing offered


@dataclass(frozen=True)
class WaitingPeriod:
    """How long a device must be owned before a trade-in; the earliest day itself qualifies."""

    months: int = 0
    days: int = 0

    def earliest(self, purchased_on: date) -> date:
        return add_months(purchased_on, self.months) + timedelta(days=self.days)


@dataclass(frozen=True)
class RecoveryBand:
    """Age up to and including ``up_to_months`` calendar months after purchase (section 5)."""

    up_to_months: int
    percent: Decimal


@dataclass(frozen=True)
class AgeDiscount:
    """A discount from ``from_months`` calendar months of ownership on (the anniversary counts)."""

    from_months: int
    percent: Decimal


@dataclass(frozen=True)
class TradeInRule:
    kind: TradeInKind
    categories: frozenset[str]
    waiting: WaitingPeriod
    once_per_device: bool
    # The old device goes to TESmart (2025-11: shipped for recovery, section 5 step 3). 2025-04
    # says it "need not be sent back"; legacy lets TESmart recycle it but the either/or rule of
    # section 4 already settles what a legacy trade-in means for the warranty.
    device_handed_in: bool
    discount_percent: Decimal | None = None  # DISCOUNT_ON_NEW
    recovery_bands: tuple[RecoveryBand, ...] = ()  # RECOVERY_VALUE, youngest band first

    def __post_init__(self) -> None:
        if self.kind is TradeInKind.DISCOUNT_ON_NEW and self.discount_percent is None:
            raise ValueError("a discount trade-in needs its discount_percent")
        if self.kind is TradeInKind.RECOVERY_VALUE:
            ages = [band.up_to_months for band in self.recovery_bands]
            if not ages or ages != sorted(set(ages)):
                raise ValueError("recovery bands must be given youngest first, without repeats")

    def band_for(self, purchased_on: date, today: date) -> RecoveryBand | None:
        """The youngest band the device's age falls in; None when it is older than all of them."""
        for band in self.recovery_bands:
            if today <= add_months(purchased_on, band.up_to_months):
                return band
        return None


@dataclass(frozen=True)
class Policy:
    cohort: Cohort
    source: str  # where the version is published (seed 002)
    covered_categories: frozenset[str]  # extended warranty (section 4)
    extended_warranty_years: int  # total, counted from the purchase date
    trade_in: TradeInRule
    ctrlf_discount_percent: Decimal
    # The limits and extras below hold only for a version whose row names them: a row states what
    # its version adds to the plain terms, and nothing else.
    eligible_countries: frozenset[str] | None = None  # delivery countries; None: every region
    official_channels_only: bool = False  # legacy: official websites and official Amazon stores
    ctrlf_free_test_possible: bool = False
    warranty_exchange_or_trade_in: bool = False  # each product gets one of the two, once
    serial_required: bool = False  # a verified serial number for warranty and trade-in

    @property
    def extended_warranty_months(self) -> int:
        return self.extended_warranty_years * 12


@dataclass(frozen=True)
class NoIdTradeIn:
    """What a customer without an activated ID gets for an old device (section 5)."""

    kind: TradeInKind
    categories: frozenset[str]
    discounts: tuple[AgeDiscount, ...] = ()  # oldest threshold last

    def discount_for(self, purchased_on: date, today: date) -> AgeDiscount | None:
        reached = [d for d in self.discounts if today >= add_months(purchased_on, d.from_months)]
        return max(reached, key=lambda d: d.from_months, default=None)


KVM_MAIN_UNITS = frozenset({ProductCategory.KVM_SWITCH.value})
KVM_FAMILY = frozenset(
    {
        ProductCategory.KVM_SWITCH.value,
        ProductCategory.KVM_EXTENDER.value,
        ProductCategory.MATRIX.value,
    }
)

# POLICY.md section 4, legacy: only customers in the US, the EU and Japan.
LEGACY_COUNTRIES: frozenset[str] = EU_COUNTRIES | {"US", "JP"}


def _main_unit_discount(percent: Decimal, *, once_per_device: bool) -> TradeInRule:
    """The legacy and 2025-04 trade-in (section 5): a percentage off a new device for a KVM main
    unit owned four months, not handed in (``TradeInRule.device_handed_in`` says why)."""
    return TradeInRule(
        kind=TradeInKind.DISCOUNT_ON_NEW,
        categories=KVM_MAIN_UNITS,
        waiting=WaitingPeriod(months=4),
        once_per_device=once_per_device,
        device_handed_in=False,
        discount_percent=percent,
    )


POLICIES: dict[Cohort, Policy] = {
    Cohort.LEGACY: Policy(
        cohort=Cohort.LEGACY,
        source="002, Part 2 (registered on or before 2025-03-31)",
        covered_categories=KVM_MAIN_UNITS,
        extended_warranty_years=3,
        trade_in=_main_unit_discount(Decimal("40"), once_per_device=True),
        ctrlf_discount_percent=Decimal("50"),
        eligible_countries=LEGACY_COUNTRIES,
        official_channels_only=True,
        ctrlf_free_test_possible=True,
        warranty_exchange_or_trade_in=True,
    ),
    Cohort.APRIL_2025: Policy(
        cohort=Cohort.APRIL_2025,
        source="002, Part 1 (registered 2025-04-01 to 2025-10-31)",
        covered_categories=KVM_MAIN_UNITS,
        extended_warranty_years=3,
        # "unlimited, each trade-in meeting the conditions"
        trade_in=_main_unit_discount(Decimal("30"), once_per_device=False),
        ctrlf_discount_percent=Decimal("40"),
    ),
    Cohort.NOVEMBER_2025: Policy(
        cohort=Cohort.NOVEMBER_2025,
        source="002, current terms (registered from 2025-11-01)",
        covered_categories=KVM_FAMILY,
        extended_warranty_years=3,
        trade_in=TradeInRule(
            kind=TradeInKind.RECOVERY_VALUE,
            categories=KVM_FAMILY,
            waiting=WaitingPeriod(days=90),
            once_per_device=True,  # "a serial takes part once"
            device_handed_in=True,
            recovery_bands=(
                RecoveryBand(up_to_months=36, percent=Decimal("50")),
                RecoveryBand(up_to_months=48, percent=Decimal("40")),
                RecoveryBand(up_to_months=60, percent=Decimal("30")),
            ),
        ),
        ctrlf_discount_percent=Decimal("40"),
        serial_required=True,
    ),
}

# Keyed by the version in force on the day of the request (cohorts.policy_in_force). Before
# 2025-11-01 the non-member discounts of seed 002 Part 1 apply ("10% after 1 year, 15% after 2
# years, KVM main units, no limit"); from 2025-11-01 only free recycling.
_NO_ID_DISCOUNTS = NoIdTradeIn(
    kind=TradeInKind.DISCOUNT_ON_NEW,
    categories=KVM_MAIN_UNITS,
    discounts=(
        AgeDiscount(from_months=12, percent=Decimal("10")),
        AgeDiscount(from_months=24, percent=Decimal("15")),
    ),
)
NO_ID_TRADE_INS: dict[Cohort, NoIdTradeIn] = {
    Cohort.LEGACY: _NO_ID_DISCOUNTS,
    Cohort.APRIL_2025: _NO_ID_DISCOUNTS,
    # Recycling takes any old TESmart device, so no category list applies.
    Cohort.NOVEMBER_2025: NoIdTradeIn(kind=TradeInKind.RECYCLE_ONLY, categories=frozenset()),
}


def region_eligible(policy: Policy, delivery_country: str | None) -> bool:
    """Whether the version serves a customer delivering to this country (unknown: only when the
    version serves every region)."""
    if policy.eligible_countries is None:
        return True
    return normalize_country(delivery_country) in policy.eligible_countries

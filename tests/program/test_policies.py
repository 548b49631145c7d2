"""The policy table itself: each version's promises as POLICY.md sections 4, 5 and 7 state them."""

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from plugin.program.categories import CATEGORIES, WARRANTY_CATEGORIES
from plugin.program.cohorts import Cohort
from plugin.program.policies import (
    NO_ID_TRADE_INS,
    POLICIES,
    ProductCategory,
    RecoveryBand,
    TradeInKind,
    TradeInRule,
    WaitingPeriod,
    region_eligible,
)

KVM = "kvm_switch"
EXTENDER = "kvm_extender"
MATRIX = "matrix"


def test_every_cohort_has_exactly_one_policy():
    assert set(POLICIES) == set(Cohort)
    for cohort, policy in POLICIES.items():
        assert policy.cohort is cohort


@pytest.mark.parametrize(
    ("cohort", "covered"),
    [
        pytest.param(Cohort.LEGACY, {KVM}, id="legacy covers KVM switch main units"),
        pytest.param(Cohort.APRIL_2025, {KVM}, id="2025-04 covers KVM switch main units"),
        pytest.param(
            Cohort.NOVEMBER_2025, {KVM, EXTENDER, MATRIX}, id="2025-11 adds extenders and matrices"
        ),
    ],
)
def test_covered_categories(cohort, covered):
    assert POLICIES[cohort].covered_categories == covered
    assert POLICIES[cohort].trade_in.categories == covered


@pytest.mark.parametrize("cohort", list(Cohort))
@pytest.mark.parametrize("category", [ProductCategory.ACCESSORY, ProductCategory.OTHER])
def test_accessories_and_other_products_are_never_covered(cohort, category):
    assert category not in POLICIES[cohort].covered_categories
    assert category not in POLICIES[cohort].trade_in.categories


@pytest.mark.parametrize("cohort", list(Cohort))
def test_extended_warranty_runs_to_three_years(cohort):
    assert POLICIES[cohort].extended_warranty_years == 3
    assert POLICIES[cohort].extended_warranty_months == 36


@pytest.mark.parametrize(
    ("cohort", "waiting", "kind", "percent", "once"),
    [
        pytest.param(
            Cohort.LEGACY,
            WaitingPeriod(months=4),
            TradeInKind.DISCOUNT_ON_NEW,
            Decimal("40"),
            True,
            id="legacy: after 4 months, 40% off new, once per device",
        ),
        pytest.param(
            Cohort.APRIL_2025,
            WaitingPeriod(months=4),
            TradeInKind.DISCOUNT_ON_NEW,
            Decimal("30"),
            False,
            id="2025-04: after 4 months, 30% off new, unlimited",
        ),
        pytest.param(
            Cohort.NOVEMBER_2025,
            WaitingPeriod(days=90),
            TradeInKind.RECOVERY_VALUE,
            None,
            True,
            id="2025-11: after 90 days, recovery value, once per serial",
        ),
    ],
)
def test_trade_in_rules(cohort, waiting, kind, percent, once):
    rule = POLICIES[cohort].trade_in
    assert (rule.waiting, rule.kind, rule.discount_percent, rule.once_per_device) == (
        waiting,
        kind,
        percent,
        once,
    )


def test_recovery_bands_2025_11():
    bands = POLICIES[Cohort.NOVEMBER_2025].trade_in.recovery_bands
    assert [(b.up_to_months, b.percent) for b in bands] == [
        (36, Decimal("50")),
        (48, Decimal("40")),
        (60, Decimal("30")),
    ]


@pytest.mark.parametrize(
    ("cohort", "ctrlf", "free", "either_or", "serial", "official_only"),
    [
        pytest.param(
            Cohort.LEGACY,
            Decimal("50"),
            True,
            True,
            False,
            True,
            id="legacy: CTRL F free or 50%, exchange OR trade-in, official channels",
        ),
        pytest.param(
            Cohort.APRIL_2025,
            Decimal("40"),
            False,
            False,
            False,
            False,
            id="2025-04: CTRL F 40%, any authorized channel",
        ),
        pytest.param(
            Cohort.NOVEMBER_2025,
            Decimal("40"),
            False,
            False,
            True,
            False,
            id="2025-11: CTRL F 40%, verified serial required",
        ),
    ],
)
def test_version_flags(cohort, ctrlf, free, either_or, serial, official_only):
    policy = POLICIES[cohort]
    assert policy.ctrlf_discount_percent == ctrlf
    assert policy.ctrlf_free_test_possible is free
    assert policy.warranty_exchange_or_trade_in is either_or
    assert policy.serial_required is serial
    assert policy.official_channels_only is official_only


@pytest.mark.parametrize(
    ("cohort", "country", "eligible"),
    [
        pytest.param(Cohort.LEGACY, "US", True, id="legacy serves the US"),
        pytest.param(Cohort.LEGACY, "DE", True, id="legacy serves Germany"),
        pytest.param(Cohort.LEGACY, "IT", True, id="legacy serves Italy (EU)"),
        pytest.param(Cohort.LEGACY, "JP", True, id="legacy serves Japan"),
        pytest.param(Cohort.LEGACY, "CA", False, id="legacy does not serve Canada"),
        pytest.param(Cohort.LEGACY, "GB", False, id="legacy does not serve the UK"),
        pytest.param(Cohort.LEGACY, "KR", False, id="legacy does not serve Korea"),
        pytest.param(Cohort.LEGACY, None, False, id="legacy with unknown country: not served"),
        pytest.param(Cohort.APRIL_2025, "CA", True, id="2025-04 serves every region"),
        pytest.param(Cohort.NOVEMBER_2025, "BR", True, id="2025-11 serves every region"),
        pytest.param(Cohort.NOVEMBER_2025, None, True, id="2025-11 with unknown country: served"),
    ],
)
def test_eligible_regions(cohort, country, eligible):
    assert region_eligible(POLICIES[cohort], country) is eligible


@pytest.mark.parametrize(
    ("version", "kind", "tiers"),
    [
        pytest.param(
            Cohort.LEGACY,
            TradeInKind.DISCOUNT_ON_NEW,
            [(12, Decimal("10")), (24, Decimal("15"))],
            id="no ID before 2025-04: 10% after 1 year, 15% after 2",
        ),
        pytest.param(
            Cohort.APRIL_2025,
            TradeInKind.DISCOUNT_ON_NEW,
            [(12, Decimal("10")), (24, Decimal("15"))],
            id="no ID 2025-04..10: 10% after 1 year, 15% after 2",
        ),
        pytest.param(
            Cohort.NOVEMBER_2025,
            TradeInKind.RECYCLE_ONLY,
            [],
            id="no ID from 2025-11-01: free recycling only",
        ),
    ],
)
def test_trade_in_without_an_activated_id(version, kind, tiers):
    offer = NO_ID_TRADE_INS[version]
    assert offer.kind is kind
    assert [(d.from_months, d.percent) for d in offer.discounts] == tiers


def test_waiting_period_earliest_day():
    assert WaitingPeriod(months=4).earliest(date(2024, 1, 31)) == date(2024, 5, 31)
    assert WaitingPeriod(days=90).earliest(date(2025, 11, 15)) == date(2026, 2, 13)


def test_policies_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        POLICIES[Cohort.LEGACY].ctrlf_discount_percent = Decimal("100")  # type: ignore[misc]


def test_the_store_category_mapping_speaks_the_policy_categories():
    assert set(CATEGORIES) == {c.value for c in ProductCategory}
    assert (
        frozenset().union(*(p.covered_categories for p in POLICIES.values())) == WARRANTY_CATEGORIES
    )


@pytest.mark.parametrize(
    "rule",
    [
        pytest.param({"kind": TradeInKind.DISCOUNT_ON_NEW}, id="a discount without its percent"),
        pytest.param({"kind": TradeInKind.RECOVERY_VALUE}, id="a recovery value without bands"),
        pytest.param(
            {
                "kind": TradeInKind.RECOVERY_VALUE,
                "recovery_bands": (
                    RecoveryBand(48, Decimal("40")),
                    RecoveryBand(36, Decimal("50")),
                ),
            },
            id="bands out of order",
        ),
    ],
)
def test_a_malformed_trade_in_rule_is_refused(rule):
    with pytest.raises(ValueError):
        TradeInRule(
            categories=frozenset({KVM}),
            waiting=WaitingPeriod(days=90),
            once_per_device=True,
            device_handed_in=True,
            **rule,
        )

"""A member's own terms, for the member card: what their cohort gives in this store's region.

Pure: the cohort (POLICY.md 2), the store's country and the policy tables decide. The member card
reads them without a query of its own; each device's own dates stay on the device (section 4).
A ``legacy`` member of a store outside the US, the EU and Japan is not promised the extension or
the trade-in (section 4: "only for customers in US, EU, JP").
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal

from plugin.program.cohorts import Cohort
from plugin.program.messages import reason_text
from plugin.program.policies import POLICIES, TradeInKind, region_eligible

ALL_BENEFITS = ("points", "rewards", "extended_warranty", "trade_in", "ctrl_f", "events")
REGIONAL_BENEFITS = frozenset({"extended_warranty", "trade_in"})
# The sentences of a member's own terms (plugin/program/messages.py holds their words).
TERM_CODES = (
    "terms_region_legacy",
    "terms_trade_in_recovery",
    "terms_trade_in_second_device",
    "terms_trade_in_discount",
    "terms_exchange_or_trade_in",
    "terms_warranty",
)


@dataclass(frozen=True)
class MemberTerms:
    cohort: Cohort
    in_region: bool  # the cohort's regional benefits apply to this store's deliveries

    @property
    def benefits(self) -> list[str]:
        return [b for b in ALL_BENEFITS if self.in_region or b not in REGIONAL_BENEFITS]


def member_terms(cohort: Cohort, store_country: str) -> MemberTerms:
    return MemberTerms(cohort=cohort, in_region=region_eligible(POLICIES[cohort], store_country))


def _percent(value: Decimal) -> str:
    return format(value.normalize(), "f")


def term_sentences(terms: MemberTerms, locale: str | None) -> list[str]:
    """The member's terms as sentences in the store's language, the trade-in rate first."""
    return list(_term_sentences(terms, locale))


@functools.cache
def _term_sentences(terms: MemberTerms, locale: str | None) -> tuple[str, ...]:
    # A few cohorts, two region answers and four languages: each member card asks again.
    policy = POLICIES[terms.cohort]
    rule = policy.trade_in
    if not terms.in_region:
        return (reason_text("terms_region_legacy", locale),)
    if rule.kind is TradeInKind.RECOVERY_VALUE:
        first, second, third = rule.recovery_bands
        trade_in = reason_text(
            "terms_trade_in_recovery",
            locale,
            first=_percent(first.percent),
            first_months=first.up_to_months,
            second=_percent(second.percent),
            second_months=second.up_to_months,
            third=_percent(third.percent),
            third_months=third.up_to_months,
            days=rule.waiting.days,
        )
    else:
        code = (
            "terms_trade_in_second_device"
            if not rule.device_handed_in and not rule.once_per_device
            else "terms_trade_in_discount"
        )
        trade_in = reason_text(
            code,
            locale,
            percent=_percent(rule.discount_percent or Decimal(0)),
            months=rule.waiting.months,
        )
    sentences = [trade_in]
    if policy.warranty_exchange_or_trade_in:
        sentences.append(reason_text("terms_exchange_or_trade_in", locale))
    sentences.append(reason_text("terms_warranty", locale, years=policy.extended_warranty_years))
    return tuple(sentences)

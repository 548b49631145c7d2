"""The kinds of points-ledger entries and what each one counts as (POLICY.md section 3).

Each entry of the ledger carries one of these kinds, stored as its text value (the values are the
ones the ledger has always stored, so no row changes). What a kind counts as is read from one
table, never from the spelling of its name:

- its line in the points summary: a redemption (and the refund of a failed one, so that it nets
  out) is *redeemed*, expiry is *expired*, everything else is issued or taken back;
- whether it is the member's own activity, which keeps points from expiring;
- whether its points are *earned*, the points a VIP tier counts (a clawback takes earned points
  back, so it counts too).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EntryKind(StrEnum):
    SIGNUP = "signup"
    NEWSLETTER = "newsletter"
    ORDER = "order"
    ORDER_CLAWBACK = "order_clawback"  # an order refunded or cancelled takes its points back
    SURVEY = "survey"
    REVIEW = "review"
    BIRTHDAY = "birthday"
    IMPORT = "import"  # the balance brought over from the old program
    ADJUSTMENT = "adjustment"  # the merchant's, by hand
    REDEMPTION = "redemption"
    REDEMPTION_REFUND = "redemption_refund"  # a reward whose code could not be made
    EXPIRY = "expiry"
    FORFEIT = "forfeit"  # the membership ended (section 2)


class SummaryLine(StrEnum):
    """The line of the points summary an entry's points are counted on."""

    REDEEMED = "redeemed"
    EXPIRED = "expired"
    OTHER = "other"  # issued when positive, taken back when negative


@dataclass(frozen=True)
class KindRule:
    line: SummaryLine
    activity: bool  # the member's own doing: it keeps the wallet's points from expiring
    earned: bool  # counted by the VIP tiers


ENTRY_KINDS: dict[EntryKind, KindRule] = {
    EntryKind.SIGNUP: KindRule(SummaryLine.OTHER, activity=True, earned=True),
    EntryKind.NEWSLETTER: KindRule(SummaryLine.OTHER, activity=True, earned=True),
    EntryKind.ORDER: KindRule(SummaryLine.OTHER, activity=True, earned=True),
    EntryKind.ORDER_CLAWBACK: KindRule(SummaryLine.OTHER, activity=False, earned=True),
    EntryKind.SURVEY: KindRule(SummaryLine.OTHER, activity=True, earned=True),
    EntryKind.REVIEW: KindRule(SummaryLine.OTHER, activity=True, earned=True),
    EntryKind.BIRTHDAY: KindRule(SummaryLine.OTHER, activity=False, earned=True),
    EntryKind.IMPORT: KindRule(SummaryLine.OTHER, activity=True, earned=False),
    EntryKind.ADJUSTMENT: KindRule(SummaryLine.OTHER, activity=True, earned=False),
    EntryKind.REDEMPTION: KindRule(SummaryLine.REDEEMED, activity=True, earned=False),
    EntryKind.REDEMPTION_REFUND: KindRule(SummaryLine.REDEEMED, activity=False, earned=False),
    EntryKind.EXPIRY: KindRule(SummaryLine.EXPIRED, activity=False, earned=False),
    EntryKind.FORFEIT: KindRule(SummaryLine.OTHER, activity=False, earned=False),
}

# The stored values, in the table's order, for SQL filters and membership tests.
ACTIVITY_KINDS: tuple[str, ...] = tuple(k.value for k, r in ENTRY_KINDS.items() if r.activity)
EARNED_KINDS: tuple[str, ...] = tuple(k.value for k, r in ENTRY_KINDS.items() if r.earned)


def summary_line(kind: str) -> SummaryLine:
    """The summary line of a stored kind; a value this table does not know is issued or taken
    back (``other``), never redeemed or expired."""
    try:
        return ENTRY_KINDS[EntryKind(kind)].line
    except ValueError:
        return SummaryLine.OTHER

"""Whether a referral earns its rewards (POLICY.md section 3, Referrals).

A referral is refused when the friend is the referrer in disguise (same customer, email, delivery
address, or payment/browser fingerprint where known), when the friend already ordered, or when the
referrer has reached the monthly cap. Emails compare the way TESmart IDs are keyed (case-folded,
trimmed, section 2); addresses on the fields that locate a door (address1, zip, country),
case-folded with whitespace collapsed, so "12  Main St" and "12 main st" are one address. An
address with an empty address1 or zip never matches: too little to call it the same place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

DEFAULT_MONTHLY_CAP = 20


class ReferralRefusal(StrEnum):
    REFERRER_NOT_ACTIVATED = "referrer_not_activated"
    SAME_CUSTOMER = "self_referral_same_customer"
    SAME_EMAIL = "self_referral_same_email"
    SAME_ADDRESS = "self_referral_same_address"
    SAME_FINGERPRINT = "self_referral_same_fingerprint"
    FRIEND_ALREADY_ORDERED = "friend_already_ordered"
    MONTHLY_CAP_REACHED = "monthly_cap_reached"


Address = Mapping[str, str | None]


def normalize_email(email: str | None) -> str | None:
    if email is None:
        return None
    folded = email.strip().casefold()
    return folded or None


def _fold(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def address_key(address: Address | None) -> tuple[str, str, str] | None:
    """The comparable form of a Shopify address, or None when it cannot identify a place."""
    if not address:
        return None
    line = _fold(address.get("address1"))
    zip_code = _fold(address.get("zip")).replace(" ", "")
    country = _fold(address.get("country_code") or address.get("country"))
    if not line or not zip_code:
        return None
    return (line, zip_code, country)


def check_referral(
    *,
    referrer_customer_id: str | int | None,
    referrer_email: str | None,
    referrer_addresses: Iterable[Address],
    friend_customer_id: str | int | None,
    friend_email: str | None,
    friend_address: Address | None,
    friend_prior_orders: int,
    referrer_rewards_this_month: int,
    monthly_cap: int | None = DEFAULT_MONTHLY_CAP,
    referrer_fingerprints: Iterable[str] = (),
    friend_fingerprint: str | None = None,
    referrer_activated: bool = True,
) -> ReferralRefusal | None:
    """None when the referral may be rewarded, otherwise the first reason it may not.

    ``friend_prior_orders`` counts the friend's orders before the one being rewarded;
    ``monthly_cap=None`` means no cap.
    """
    if not referrer_activated:
        return ReferralRefusal.REFERRER_NOT_ACTIVATED
    if (
        referrer_customer_id is not None
        and friend_customer_id is not None
        and str(referrer_customer_id) == str(friend_customer_id)
    ):
        return ReferralRefusal.SAME_CUSTOMER
    referrer_mail = normalize_email(referrer_email)
    if referrer_mail is not None and referrer_mail == normalize_email(friend_email):
        return ReferralRefusal.SAME_EMAIL
    friend_key = address_key(friend_address)
    if friend_key is not None and any(
        address_key(address) == friend_key for address in referrer_addresses
    ):
        return ReferralRefusal.SAME_ADDRESS
    if friend_fingerprint and friend_fingerprint in set(referrer_fingerprints):
        return ReferralRefusal.SAME_FINGERPRINT
    if friend_prior_orders > 0:
        return ReferralRefusal.FRIEND_ALREADY_ORDERED
    if monthly_cap is not None and referrer_rewards_this_month >= monthly_cap:
        return ReferralRefusal.MONTHLY_CAP_REACHED
    return None

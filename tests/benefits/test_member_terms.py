"""The member card tells each member their own terms: their cohort's trade-in rate and warranty, and
what their store's region gets (POLICY.md 4 and 5; plugin/program/terms.py)."""

from __future__ import annotations

import pytest

from plugin.accounts import import_member
from plugin.extensions import db
from plugin.program.cohorts import Cohort
from plugin.program.messages import SUPPORTED_LOCALES
from plugin.program.terms import member_terms, term_sentences
from tests import payloads
from tests.benefits.conftest import REGISTERED, Shopper

REGIONAL = {"extended_warranty", "trade_in"}


@pytest.mark.parametrize("country", ["US", "DE", "JP"])
def test_a_legacy_member_in_the_legacy_regions_gets_40_percent_and_the_either_or_rule(
    country: str,
) -> None:
    terms = member_terms(Cohort.LEGACY, country)
    assert set(terms.benefits) >= REGIONAL
    trade_in, either_or, warranty = term_sentences(terms, "en")
    assert "40% off the original price of a new TESmart device" in trade_in
    assert "either its warranty exchange or a trade-in" in either_or
    assert "3 years" in warranty


def test_a_korean_legacy_member_is_not_promised_the_extension_or_the_trade_in() -> None:
    terms = member_terms(Cohort.LEGACY, "KR")
    assert not REGIONAL & set(terms.benefits)
    assert terms.benefits == ["points", "rewards", "ctrl_f", "events"]
    [sentence] = term_sentences(terms, "ko")
    assert "미국, EU, 일본" in sentence and "보증" in sentence
    assert "3년으로 연장" not in sentence


@pytest.mark.parametrize("country", ["US", "DE", "JP", "KR"])
def test_an_april_2025_member_gets_30_percent_on_a_second_device_everywhere(country: str) -> None:
    terms = member_terms(Cohort.APRIL_2025, country)
    assert set(terms.benefits) >= REGIONAL
    trade_in, warranty = term_sentences(terms, "en")
    assert "30% off a second device" in trade_in and "you keep the old device" in trade_in
    assert "3 years" in warranty


@pytest.mark.parametrize("country", ["US", "DE", "JP", "KR"])
def test_a_november_2025_member_gets_the_recovery_bands_by_age(country: str) -> None:
    terms = member_terms(Cohort.NOVEMBER_2025, country)
    assert set(terms.benefits) >= REGIONAL
    trade_in, _ = term_sentences(terms, "en")
    assert (
        "50% of the price you paid for a device up to 36 months old, 40% up to 48 months and 30% "
        "up to 60 months" in trade_in
    )
    assert "90 days" in trade_in


@pytest.mark.parametrize("cohort", list(Cohort))
@pytest.mark.parametrize("country", ["US", "KR"])
def test_every_terms_sentence_is_in_the_store_language(cohort: Cohort, country: str) -> None:
    english = term_sentences(member_terms(cohort, country), "en")
    for locale in SUPPORTED_LOCALES[1:]:
        translated = term_sentences(member_terms(cohort, country), locale)
        assert len(translated) == len(english)
        assert all(t != e and "Trade-in" not in t for t, e in zip(translated, english, strict=True))


# --- GET /proxy/member -------------------------------------------------------------------------


def member_of(deliver, region: str, cohort: str, email: str) -> Shopper:  # type: ignore[no-untyped-def]
    """A customer of the store imported with the cohort's registration day (no purchase needed)."""
    customer = payloads.customer(email=email)
    assert deliver("customers/create", customer, shop=region).status_code == 200
    import_member(email, REGISTERED[cohort])
    db.session.commit()
    return Shopper(region, email, customer, [])


def test_the_korean_legacy_members_card_leaves_out_what_her_region_does_not_get(
    shops, deliver, api
) -> None:  # type: ignore[no-untyped-def]
    min = member_of(deliver, "kr", "legacy", "min@example.com")
    body = api("GET", "/member", min).get_json()
    assert body["tesmart_id"]["cohort"] == "legacy"
    assert not REGIONAL & set(body["benefits"])
    assert len(body["terms"]) == 1 and "미국, EU, 일본" in body["terms"][0]


@pytest.mark.parametrize(
    ("region", "cohort", "needle"),
    [
        ("us", "legacy", "40% off the original price"),
        ("eu", "legacy", "40 % Rabatt"),
        ("jp", "2025-04", "30%オフ"),
        ("us", "2025-11", "50% of the price you paid"),
        ("kr", "2025-04", "30% 할인"),
        ("kr", "2025-11", "50%(36개월 이내)"),
    ],
)
def test_each_member_reads_their_own_trade_in_rate(
    shops, deliver, api, region, cohort, needle
) -> None:  # type: ignore[no-untyped-def]
    person = member_of(deliver, region, cohort, f"{cohort}-{region}@example.com")
    body = api("GET", "/member", person).get_json()
    assert body["tesmart_id"]["cohort"] == cohort
    assert set(body["benefits"]) >= REGIONAL
    assert needle in body["terms"][0]


def test_no_terms_without_an_activated_id(shops, api) -> None:  # type: ignore[no-untyped-def]
    body = api("GET", "/member").get_json()
    assert body["benefits"] == [] and body["terms"] == []

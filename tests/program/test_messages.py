"""Every reason a rule can give has a sentence a shopper understands, in every store language."""

import string
from datetime import date
from decimal import Decimal

import pytest

from plugin.program.benefits.returns import ReturnReason, check_return
from plugin.program.benefits.tradein import TradeInCondition, TradeInReason, quote_trade_in
from plugin.program.benefits.warranty import ReplacementReason
from plugin.program.cohorts import Cohort
from plugin.program.messages import (
    MESSAGES,
    SUPPORTED_LOCALES,
    UNKNOWN_REASON,
    format_date,
    format_money,
    normalize_locale,
    reason_text,
)
from plugin.program.referrals import ReferralRefusal
from plugin.program.terms import TERM_CODES

ALL_CODES = sorted(
    {
        str(code)
        for enum in (TradeInReason, ReplacementReason, ReturnReason, ReferralRefusal)
        for code in enum
    }
)
SAMPLE_PARAMS = {
    "earliest": "2026-02-13",
    "percent": "50",
    "months": "36",
    "base_value": "64.50",
    "deduction_percent": "30",
    "value": "45.15",
    "currency": "USD",
    "refund_window_end": "2025-02-09",
    "standard_warranty_end": "2026-01-05",
    "extended_warranty_end": "2028-01-05",
}


def placeholders(template):
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", ALL_CODES)
def test_every_reason_code_reads_in_every_language(code):
    for locale in SUPPORTED_LOCALES:
        assert locale in MESSAGES[code], f"{code} has no {locale} sentence"
        text = reason_text(code, locale, **SAMPLE_PARAMS)
        assert text and "{" not in text and "_" not in text, (locale, text)


@pytest.mark.parametrize("code", [*ALL_CODES, *TERM_CODES, UNKNOWN_REASON])
def test_translations_use_the_same_parameters_as_english(code):
    english = placeholders(MESSAGES[code]["en"])
    for locale in SUPPORTED_LOCALES:
        assert placeholders(MESSAGES[code][locale]) == english, locale
        if locale != "en":
            assert MESSAGES[code][locale] != MESSAGES[code]["en"], (
                f"{code} is not translated to {locale}"
            )


def test_no_sentence_is_left_without_a_rule():
    # recovery_value_full: the recovery_value sentence when nothing was deducted
    assert set(MESSAGES) == set(ALL_CODES) | set(TERM_CODES) | {
        UNKNOWN_REASON,
        "recovery_value_full",
    }


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        pytest.param(
            "en",
            "Your recovery value is $45.15: 50% of the price you paid, as the device is no more "
            "than 36 months old, minus 30% for its condition.",
            id="English",
        ),
        pytest.param(
            "de",
            "Ihr Rücknahmewert beträgt 45,15 $: 50 % des gezahlten Preises, da das Gerät höchstens "
            "36 Monate alt ist, abzüglich 30 % für seinen Zustand.",
            id="German",
        ),
        pytest.param(
            "ja",
            "査定額は$45.15です。ご購入から36か月以内の製品のため、お支払い額の50%から、"
            "製品の状態に応じて30%を差し引いた金額です。",
            id="Japanese",
        ),
        pytest.param(
            "ko",
            "회수 보상금은 $45.15입니다. 구매 후 36개월 이내 제품이므로 결제 금액의 50%에서 제품 "
            "상태에 따라 30%를 차감한 금액입니다.",
            id="Korean",
        ),
    ],
)
def test_a_real_quote_renders_naturally(locale, text):
    q = quote_trade_in(
        cohort=Cohort.NOVEMBER_2025,
        purchased_on=date(2022, 11, 15),
        today=date(2025, 11, 15),
        amount_paid=Decimal("129.00"),
        currency="USD",
        category="kvm_switch",
        condition=TradeInCondition(
            cosmetic_wear=True, accessories_complete=True, original_packaging=False, working=True
        ),
        previous_trade_ins=0,
        warranty_replacement_used=False,
        delivery_country="US",
    )
    assert reason_text(q.reason_code, locale, **q.reason_params) == text


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        pytest.param(
            "en", "This device can be traded in from February 13, 2026.", id="English date"
        ),
        pytest.param(
            "de", "Dieses Gerät kann ab dem 13.02.2026 eingetauscht werden.", id="German date"
        ),
        pytest.param("ja", "この製品は2026年2月13日から下取りに出せます。", id="Japanese date"),
        pytest.param(
            "ko", "이 기기는 2026년 2월 13일부터 보상 판매하실 수 있습니다.", id="Korean date"
        ),
    ],
)
def test_dates_read_the_local_way(locale, text):
    assert reason_text("too_early", locale, earliest="2026-02-13") == text


def test_a_return_verdict_renders_with_its_own_params():
    v = check_return(
        delivered_on=date(2025, 1, 10),
        today=date(2025, 1, 20),
        delivery_country="DE",
        faulty=False,
        member_activated=False,
        extended_warranty_end=None,
        standard_warranty_end=date(2027, 1, 5),
    )
    assert reason_text(v.reason_code, "de", **v.reason_params) == (
        "Sie können dieses Produkt bis zum 09.02.2025 gegen Erstattung zurückgeben – "
        "in der Originalverpackung, vollständig und unbeschädigt."
    )


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "shown"),
    [
        pytest.param("1234.50", "USD", "en", "$1,234.50", id="USD in English"),
        pytest.param("1234.50", "EUR", "de", "1.234,50 €", id="EUR in German"),
        pytest.param("1234.50", "EUR", "en", "€1,234.50", id="EUR in English"),
        pytest.param("4321", "JPY", "ja", "￥4,321", id="JPY in Japanese, as Intl writes it"),
        pytest.param("33951", "KRW", "ko", "₩33,951", id="KRW in Korean, as Intl writes it"),
        pytest.param("4321", "JPY", "en", "¥4,321", id="JPY in English"),
        pytest.param(
            "10.00", "CAD", "en", "10.00 CAD", id="a currency without a symbol keeps its code"
        ),
    ],
)
def test_amounts_read_the_local_way(amount, currency, locale, shown):
    assert format_money(Decimal(amount), currency, locale) == shown


@pytest.mark.parametrize(
    ("raw", "locale"),
    [
        pytest.param("de-DE", "de", id="de-DE → de"),
        pytest.param("ja_JP", "ja", id="ja_JP → ja"),
        pytest.param("KO", "ko", id="KO → ko"),
        pytest.param("fr", "en", id="French falls back to English"),
        pytest.param(None, "en", id="no locale → English"),
    ],
)
def test_normalize_locale(raw, locale):
    assert normalize_locale(raw) == locale


def test_an_unknown_code_still_gives_the_shopper_a_sentence():
    assert "customer service" in reason_text("something_new", "en")
    assert "Kundenservice" in reason_text("something_new", "de")


def test_an_unsupported_locale_falls_back_to_english():
    assert reason_text("misuse", "fr") == reason_text("misuse", "en")


def test_a_missing_parameter_is_a_bug_not_a_blank():
    with pytest.raises(KeyError):
        reason_text("too_early", "en")


def test_format_date_accepts_date_objects_too():
    assert format_date(date(2025, 11, 1), "en") == "November 1, 2025"
    assert reason_text("too_early", "en", earliest=date(2025, 11, 1)).endswith("November 1, 2025.")


def test_a_recovery_value_with_nothing_deducted_names_no_deduction() -> None:
    from plugin.program.messages import SUPPORTED_LOCALES, reason_text

    for locale in SUPPORTED_LOCALES:
        full = reason_text(
            "recovery_value",
            locale,
            value="64.50",
            currency="USD",
            percent="50",
            months="36",
            base_value="64.50",
            deduction_percent="0",
        )
        shown = full.replace("50 %", "").replace("50%", "")
        assert "0 %" not in shown and "0%" not in shown, (locale, full)

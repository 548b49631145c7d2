"""Shopper-facing sentences for every reason code, in the four store languages (POLICY.md
section 1: en, de, ja, ko).

Rules' ``reason_params`` are plain strings; this module makes them read naturally: ISO dates become
the locale's usual date ("August 1, 2025", "01.08.2025", "2025年8月1日", "2025년 8월 1일"), and
``value``/``base_value`` next to a ``currency`` become amounts ("$45.15", "45,15 €", "￥4,321").
An unknown locale falls back to English; an unknown code gets a polite "please contact us"
sentence, so a shopper never sees a code. A missing parameter is a bug and raises ``KeyError``.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

DEFAULT_LOCALE = "en"
SUPPORTED_LOCALES = ("en", "de", "ja", "ko")
UNKNOWN_REASON = "unknown_reason"

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONEY_PARAMS = ("value", "base_value")
_EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

MESSAGES: dict[str, dict[str, str]] = {
    # The member card's own terms (plugin/program/terms.py; POLICY.md 4 and 5)
    "terms_trade_in_discount": {
        "en": "Trade-in: {percent}% off the original price of a new TESmart device bought on an "
        "official TESmart website, from {months} months after the old device's purchase, once per "
        "device.",
        "de": "Eintausch: {percent} % Rabatt auf den ursprünglichen Preis eines neuen "
        "TESmart-Geräts von einer offiziellen TESmart-Website, ab {months} Monaten nach dem Kauf "
        "des alten Geräts, einmal je Gerät.",
        "ja": "下取り：旧製品のご購入から{months}か月後以降、"
        "TESmart公式サイトで新しいTESmart製品を定価から{percent}%オフでご購入いただけます（1台につ"
        "き1回）。",
        "ko": "보상 판매: 기존 기기 구매 {months}개월 후부터 TESmart 공식 웹사이트에서 새 TESmart "
        "기기를 정가에서 {percent}% 할인된 가격으로 구매하실 수 있습니다(기기당 1회).",
    },
    "terms_trade_in_second_device": {
        "en": "Trade-in: {percent}% off a second device bought on an official TESmart website, "
        "from {months} months after the old device's purchase; you keep the old device.",
        "de": "Eintausch: {percent} % Rabatt auf ein zweites Gerät von einer offiziellen "
        "TESmart-Website, ab {months} Monaten nach dem Kauf des alten Geräts; das alte Gerät "
        "behalten Sie.",
        "ja": "下取り：旧製品のご購入から{months}か月後以降、"
        "TESmart公式サイトで2台目の製品を{percent}%オフでご購入いただけます。"
        "旧製品はお手元に残せます。",
        "ko": "보상 판매: 기존 기기 구매 {months}개월 후부터 TESmart 공식 웹사이트에서 두 번째 "
        "기기를 {percent}% 할인된 가격으로 구매하실 수 있으며, 기존 기기는 그대로 보관하시면 "
        "됩니다.",
    },
    "terms_trade_in_recovery": {
        "en": "Trade-in: a recovery value of {first}% of the price you paid for a device up to "
        "{first_months} months old, {second}% up to {second_months} months and {third}% up to "
        "{third_months} months, from {days} days after purchase.",
        "de": "Eintausch: ein Rücknahmewert von {first} % des gezahlten Preises für ein Gerät bis "
        "{first_months} Monate, {second} % bis {second_months} Monate und {third} % bis "
        "{third_months} Monate, ab {days} Tagen nach dem Kauf.",
        "ja": "下取り：ご購入から{days}日後以降、お支払い額の{first}%（{first_months}か月以内）、"
        "{second}%（{second_months}か月以内）、{third}%（{third_months}か月以内）"
        "の査定額をお支払いします。",
        "ko": "보상 판매: 구매 {days}일 후부터 결제 금액의 {first}%({first_months}개월 이내), "
        "{second}%({second_months}개월 이내), {third}%({third_months}개월 이내)를 회수 보상금으로 "
        "드립니다.",
    },
    "terms_exchange_or_trade_in": {
        "en": "Each device gets either its warranty exchange or a trade-in, once.",
        "de": "Jedes Gerät erhält entweder seinen Garantieaustausch oder einen Eintausch, einmal.",
        "ja": "各製品につき、保証交換または下取りのどちらか一方を1回ご利用いただけます。",
        "ko": "각 기기는 보증 교환 또는 보상 판매 중 하나를 한 번 이용하실 수 있습니다.",
    },
    "terms_warranty": {
        "en": "Warranty: extended to {years} years from each device's purchase date.",
        "de": "Garantie: verlängert auf {years} Jahre ab dem Kaufdatum jedes Geräts.",
        "ja": "保証：各製品のご購入日から{years}年間に延長されます。",
        "ko": "보증: 각 기기의 구매일로부터 {years}년으로 연장됩니다.",
    },
    "terms_region_legacy": {
        "en": "Under the original program, the extended warranty and the trade-in apply to "
        "deliveries to the US, the EU and Japan only, so they are not part of your terms in this "
        "store. Your points, rewards, CTRL F and member events are.",
        "de": "Im ursprünglichen Programm gelten die verlängerte Garantie und der Eintausch nur "
        "für Lieferungen in die USA, die EU und nach Japan und gehören daher in diesem Shop nicht "
        "zu Ihren Bedingungen. Ihre Punkte, Prämien, CTRL F und Mitglieder-Events schon.",
        "ja": "従来プログラムでは、延長保証と下取りは米国・EU・日本へのお届けのみが対象のため、"
        "このストアでのご利用条件には含まれません。ポイント、特典、CTRL F、"
        "会員イベントはご利用いただけます。",
        "ko": "기존 프로그램에서는 연장 보증과 보상 판매가 미국, EU, 일본 배송에만 적용되므로 이 "
        "스토어의 회원 조건에는 포함되지 않습니다. 포인트, 리워드, CTRL F, 회원 이벤트는 이용하실 "
        "수 있습니다.",
    },
    # Trade-in and recycling (section 5)
    "recovery_value": {
        "en": "Your recovery value is {value}: {percent}% of the price you paid, as the device is "
        "no more than {months} months old, minus {deduction_percent}% for its condition.",
        "de": "Ihr Rücknahmewert beträgt {value}: {percent} % des gezahlten Preises, da das Gerät "
        "höchstens {months} Monate alt ist, abzüglich {deduction_percent} % für seinen Zustand.",
        "ja": "査定額は{value}です。ご購入から{months}か月以内の製品のため、"
        "お支払い額の{percent}%から、製品の状態に応じて{deduction_percent}%を差し引いた金額です。",
        "ko": "회수 보상금은 {value}입니다. 구매 후 {months}개월 이내 제품이므로 결제 금액의 "
        "{percent}%에서 제품 상태에 따라 {deduction_percent}%를 차감한 금액입니다.",
    },
    "recovery_value_full": {
        "en": "Your recovery value is {value}: {percent}% of the price you paid, as the device is "
        "no more than {months} months old and in good condition.",
        "de": "Ihr Rücknahmewert beträgt {value}: {percent} % des gezahlten Preises, da das Gerät "
        "höchstens {months} Monate alt und in gutem Zustand ist.",
        "ja": "査定額は{value}です。ご購入から{months}か月以内で状態の良い製品のため、"
        "お支払い額の{percent}%です。",
        "ko": "회수 보상금은 {value}입니다. 구매 후 {months}개월 이내의 상태 좋은 제품이므로 결제 "
        "금액의 {percent}%입니다.",
    },
    "discount_on_new": {
        "en": "Trade in this device and get {percent}% off the original price of a new TESmart "
        "device bought on an official TESmart website.",
        "de": "Wenn Sie dieses Gerät eintauschen, erhalten Sie {percent} % Rabatt auf den "
        "ursprünglichen Preis eines neuen TESmart-Geräts, das Sie auf einer offiziellen "
        "TESmart-Website kaufen.",
        "ja": "この製品を下取りに出すと、"
        "TESmart公式サイトで新しいTESmart製品を定価から{percent}%オフでご購入いただけます。",
        "ko": "이 기기를 보상 판매하시면 TESmart 공식 웹사이트에서 새 TESmart 기기를 정가에서 "
        "{percent}% 할인된 가격으로 구매하실 수 있습니다.",
    },
    "discount_on_new_without_id": {
        "en": "Trade in this device and get {percent}% off a new TESmart KVM device.",
        "de": "Wenn Sie dieses Gerät eintauschen, erhalten Sie {percent} % Rabatt auf ein neues "
        "TESmart-KVM-Gerät.",
        "ja": "この製品を下取りに出すと、新しいTESmart "
        "KVM製品を{percent}%オフでご購入いただけます。",
        "ko": "이 기기를 보상 판매하시면 새 TESmart KVM 기기를 {percent}% 할인된 가격으로 "
        "구매하실 수 있습니다.",
    },
    "recycle_only_too_old": {
        "en": "Your device is more than {months} months old, so it has no recovery value, but we "
        "will recycle it free of charge.",
        "de": "Ihr Gerät ist älter als {months} Monate und hat daher keinen Rücknahmewert. Wir "
        "recyceln es aber kostenlos.",
        "ja": "ご購入から{months}か月を超えているため査定額はつきませんが、"
        "無料でリサイクルいたします。",
        "ko": "구매 후 {months}개월이 지나 회수 보상금은 없지만, 무료로 재활용해 드립니다.",
    },
    "recycle_only_not_working": {
        "en": "A device that does not work or is badly damaged has no recovery value, but we will "
        "recycle it free of charge.",
        "de": "Ein defektes oder stark beschädigtes Gerät hat keinen Rücknahmewert. Wir recyceln "
        "es aber kostenlos.",
        "ja": "動作しない製品や損傷の激しい製品には査定額がつきませんが、"
        "無料でリサイクルいたします。",
        "ko": "작동하지 않거나 심하게 손상된 기기는 회수 보상금이 없지만, "
        "무료로 재활용해 드립니다.",
    },
    "recycle_only_without_id": {
        "en": "Without an activated TESmart ID we can recycle your old device free of charge, but "
        "we cannot offer a credit or a discount.",
        "de": "Ohne aktivierte TESmart ID recyceln wir Ihr altes Gerät kostenlos, können aber "
        "weder eine Gutschrift noch einen Rabatt anbieten.",
        "ja": "TESmart IDが有効化されていない場合、旧製品の無料リサイクルは承りますが、"
        "クレジットや割引はご提供できません。",
        "ko": "활성화된 TESmart ID가 없으면 기존 기기를 무료로 재활용해 드리지만, 적립금이나 "
        "할인은 제공되지 않습니다.",
    },
    "too_early": {
        "en": "This device can be traded in from {earliest}.",
        "de": "Dieses Gerät kann ab dem {earliest} eingetauscht werden.",
        "ja": "この製品は{earliest}から下取りに出せます。",
        "ko": "이 기기는 {earliest}부터 보상 판매하실 수 있습니다.",
    },
    "no_discount_without_id": {
        "en": "Without an activated TESmart ID, this device cannot get a trade-in discount. "
        "Log in to your account with your email address to activate your TESmart ID and see "
        "the member benefits.",
        "de": "Ohne aktivierte TESmart ID erhält dieses Gerät keinen Eintauschrabatt. Melden Sie "
        "sich mit Ihrer E-Mail-Adresse in Ihrem Konto an, um Ihre TESmart ID zu aktivieren und "
        "die Mitgliedervorteile zu sehen.",
        "ja": "TESmart IDが有効化されていないため、この製品は下取り割引の対象になりません。"
        "メールアドレスでアカウントにログインしてTESmart IDを有効化すると、会員特典をご確認"
        "いただけます。",
        "ko": "활성화된 TESmart ID가 없어 이 기기는 보상 판매 할인을 받을 수 없습니다. 이메일 "
        "주소로 계정에 로그인해 TESmart ID를 활성화하시면 회원 혜택을 확인하실 수 있습니다.",
    },
    "category_not_eligible": {
        "en": "This type of product is not part of the trade-in program. Accessories such as "
        "cables, remote controls and power supplies are never included.",
        "de": "Diese Produktart ist vom Trade-in-Programm ausgeschlossen. Zubehör wie Kabel, "
        "Fernbedienungen und Netzteile ist nie enthalten.",
        "ja": "この種類の製品は下取りの対象外です。ケーブル、リモコン、電源アダプターなどの"
        "アクセサリーは対象になりません。",
        "ko": "이 유형의 제품은 보상 판매 대상이 아닙니다. 케이블, 리모컨, 전원 어댑터 등 "
        "액세서리는 포함되지 않습니다.",
    },
    "region_not_eligible": {
        "en": "Under the membership terms that apply to you, this benefit is only available for "
        "deliveries to the US, the EU and Japan.",
        "de": "Nach den für Sie geltenden Mitgliedschaftsbedingungen gilt dieser Vorteil nur für "
        "Lieferungen in die USA, die EU und nach Japan.",
        "ja": "お客様に適用される会員規約では、この特典は米国、EU、日本へのお届けに限られます。",
        "ko": "고객님께 적용되는 회원 약관에 따라 이 혜택은 미국, EU, 일본으로 배송된 주문에만 "
        "적용됩니다.",
    },
    "already_traded_in": {
        "en": "This device has already been traded in. Each device can be traded in only once.",
        "de": "Dieses Gerät wurde bereits eingetauscht. Jedes Gerät kann nur einmal eingetauscht "
        "werden.",
        "ja": "この製品はすでに下取り済みです。下取りは1台につき1回までです。",
        "ko": "이 기기는 이미 보상 판매되었습니다. 기기당 한 번만 보상 판매하실 수 있습니다.",
    },
    "warranty_exchange_used": {
        "en": "This device has already had its warranty exchange. Under your membership terms, a "
        "product gets either a warranty exchange or a trade-in, not both.",
        "de": "Für dieses Gerät wurde bereits der Garantieaustausch genutzt. Nach Ihren "
        "Mitgliedschaftsbedingungen erhält ein Produkt entweder einen Garantieaustausch oder "
        "einen Eintausch, nicht beides.",
        "ja": "この製品はすでに保証交換をご利用済みです。お客様の会員規約では、1つの製品につき"
        "保証交換と下取りのどちらか一方のみご利用いただけます。",
        "ko": "이 기기는 이미 보증 교환을 받았습니다. 고객님의 회원 약관에 따라 제품당 보증 "
        "교환과 보상 판매 중 하나만 이용하실 수 있습니다.",
    },
    # Warranty (section 4)
    "replacement_available": {
        "en": "Your extended warranty gives this product one replacement with the same model.",
        "de": "Im Rahmen Ihrer verlängerten Garantie können Sie dieses Produkt einmal gegen "
        "dasselbe Modell austauschen lassen.",
        "ja": "延長保証により、この製品を同じモデルと1回交換できます。",
        "ko": "연장 보증에 따라 이 제품을 동일 모델로 한 번 교환받으실 수 있습니다.",
    },
    "no_activated_id": {
        "en": "This benefit needs an activated TESmart ID. Log in to your account with your email "
        "address to activate it.",
        "de": "Für diesen Vorteil benötigen Sie eine aktivierte TESmart ID. Melden Sie sich mit "
        "Ihrer E-Mail-Adresse in Ihrem Konto an, um sie zu aktivieren.",
        "ja": "この特典のご利用にはTESmart IDの有効化が必要です。メールアドレスでアカウントに"
        "ログインすると有効化されます。",
        "ko": "이 혜택을 받으시려면 TESmart ID를 활성화해야 합니다. 이메일 주소로 계정에 "
        "로그인하시면 활성화됩니다.",
    },
    "category_not_covered": {
        "en": "This product is not covered by the extended warranty. Accessories such as cables, "
        "remote controls and power supplies are never covered.",
        "de": "Dieses Produkt ist von der verlängerten Garantie ausgeschlossen. Zubehör wie Kabel, "
        "Fernbedienungen und Netzteile ist nie abgedeckt.",
        "ja": "この製品は延長保証の対象外です。ケーブル、リモコン、電源アダプターなどの"
        "アクセサリーは対象になりません。",
        "ko": "이 제품은 연장 보증 대상이 아닙니다. 케이블, 리모컨, 전원 어댑터 등 액세서리는 "
        "보증되지 않습니다.",
    },
    "activated_after_standard_warranty": {
        "en": "Your TESmart ID was activated after this product's original warranty had ended, so "
        "the product has no extended warranty.",
        "de": "Ihre TESmart ID wurde erst nach dem Ende der ursprünglichen Garantie dieses "
        "Produkts aktiviert, daher gilt für dieses Produkt keine verlängerte Garantie.",
        "ja": "TESmart IDの有効化がこの製品の通常保証の終了後だったため、"
        "延長保証は適用されません。",
        "ko": "이 제품의 기본 보증이 끝난 후에 TESmart ID가 활성화되어 연장 보증이 적용되지 "
        "않습니다.",
    },
    "within_standard_warranty": {
        "en": "This product is still under its original warranty. Please contact us for a repair "
        "or a replacement.",
        "de": "Für dieses Produkt gilt noch die ursprüngliche Garantie. Bitte kontaktieren Sie "
        "uns für eine Reparatur oder einen Austausch.",
        "ja": "この製品はまだ通常保証の期間内です。修理または交換についてはお問い合わせください。",
        "ko": "이 제품은 아직 기본 보증 기간 중입니다. 수리나 교환은 고객센터로 문의해 주세요.",
    },
    "extended_warranty_ended": {
        "en": "The extended warranty for this product has ended.",
        "de": "Die verlängerte Garantie für dieses Produkt ist abgelaufen.",
        "ja": "この製品の延長保証は終了しました。",
        "ko": "이 제품의 연장 보증이 종료되었습니다.",
    },
    "replacement_already_used": {
        "en": "This product has already had its one replacement under the extended warranty.",
        "de": "Dieses Produkt wurde im Rahmen der verlängerten Garantie bereits einmal "
        "ausgetauscht.",
        "ja": "この製品は延長保証による1回の交換をすでにご利用済みです。",
        "ko": "이 제품은 연장 보증에 따른 교환을 이미 한 번 받았습니다.",
    },
    "device_traded_in": {
        "en": "This device has been traded in. Under your membership terms, a product gets either "
        "a trade-in or a warranty exchange, not both.",
        "de": "Dieses Gerät wurde eingetauscht. Nach Ihren Mitgliedschaftsbedingungen erhält ein "
        "Produkt entweder einen Eintausch oder einen Garantieaustausch, nicht beides.",
        "ja": "この製品は下取り済みです。お客様の会員規約では、1つの製品につき下取りと保証交換の"
        "どちらか一方のみご利用いただけます。",
        "ko": "이 기기는 보상 판매되었습니다. 고객님의 회원 약관에 따라 제품당 보상 판매와 보증 "
        "교환 중 하나만 이용하실 수 있습니다.",
    },
    "device_handed_in": {
        "en": "This device was handed in to TESmart for recovery, so there is no device left to "
        "exchange.",
        "de": "Dieses Gerät wurde im Rahmen der Rücknahme an TESmart übergeben, daher gibt es kein "
        "Gerät mehr zum Austauschen.",
        "ja": "この製品は回収のためTESmartにお送りいただいているため、交換の対象となる製品が"
        "ありません。",
        "ko": "이 기기는 회수를 위해 TESmart로 보내졌으므로 교환할 기기가 없습니다.",
    },
    # Returns and refunds (section 6)
    "refund_within_30_days": {
        "en": "You can return this product for a refund until {refund_window_end}, in its "
        "original packaging, with all accessories and undamaged.",
        "de": "Sie können dieses Produkt bis zum {refund_window_end} gegen Erstattung "
        "zurückgeben – in der Originalverpackung, vollständig und unbeschädigt.",
        "ja": "{refund_window_end}まで、返金のための返品を承ります。元の梱包で、付属品をすべて"
        "そろえ、損傷のない状態でお送りください。",
        "ko": "{refund_window_end}까지 이 제품을 반품하고 환불받으실 수 있습니다. 원래 포장에 "
        "모든 구성품을 갖춘, 손상되지 않은 상태여야 합니다.",
    },
    "repair_under_standard_warranty": {
        "en": "A refund is no longer possible after 30 days, but this product is under warranty "
        "until {standard_warranty_end}: we will inspect it and repair it.",
        "de": "Nach 30 Tagen ist keine Erstattung mehr möglich, aber das Produkt hat Garantie bis "
        "zum {standard_warranty_end}: Wir prüfen es und reparieren es.",
        "ja": "30日を過ぎると返金はできませんが、この製品は{standard_warranty_end}まで保証の"
        "対象です。検査のうえ修理いたします。",
        "ko": "30일이 지나 환불은 어렵지만, 이 제품은 {standard_warranty_end}까지 보증됩니다. "
        "검사 후 수리해 드립니다.",
    },
    "replacement_under_standard_warranty": {
        "en": "A refund is no longer possible after 30 days, but this product is under warranty "
        "until {standard_warranty_end}: we will inspect it and replace it with the same model.",
        "de": "Nach 30 Tagen ist keine Erstattung mehr möglich, aber das Produkt hat Garantie bis "
        "zum {standard_warranty_end}: Wir prüfen es und ersetzen es durch dasselbe Modell.",
        "ja": "30日を過ぎると返金はできませんが、この製品は{standard_warranty_end}まで保証の"
        "対象です。検査のうえ同じモデルと交換いたします。",
        "ko": "30일이 지나 환불은 어렵지만, 이 제품은 {standard_warranty_end}까지 보증됩니다. "
        "검사 후 동일 모델로 교환해 드립니다.",
    },
    "exchange_under_extended_warranty": {
        "en": "Your extended warranty runs until {extended_warranty_end}: you can exchange this "
        "product for the same model, or trade it in.",
        "de": "Ihre verlängerte Garantie läuft bis zum {extended_warranty_end}: Sie können das "
        "Produkt gegen dasselbe Modell austauschen oder es eintauschen.",
        "ja": "延長保証は{extended_warranty_end}まで有効です。同じモデルとの交換、または下取りを"
        "ご利用いただけます。",
        "ko": "연장 보증이 {extended_warranty_end}까지 유효합니다. 동일 모델로 교환하시거나 보상 "
        "판매를 이용하실 수 있습니다.",
    },
    "return_window_closed": {
        "en": "The 30-day return period ended on {refund_window_end}. If the product is faulty, "
        "contact us about a warranty repair; otherwise, have a look at our trade-in program.",
        "de": "Die 30-tägige Rückgabefrist ist am {refund_window_end} abgelaufen. Ist das Produkt "
        "defekt, wenden Sie sich wegen einer Garantiereparatur an uns; andernfalls lohnt sich "
        "ein Blick auf unser Trade-in-Programm.",
        "ja": "30日間の返品期間は{refund_window_end}に終了しました。製品が故障している場合は"
        "保証修理についてお問い合わせください。それ以外の場合は下取りプログラムをご検討ください。",
        "ko": "30일 반품 기간이 {refund_window_end}에 종료되었습니다. 제품에 결함이 있다면 보증 "
        "수리를 문의해 주세요. 그 밖의 경우에는 보상 판매 프로그램을 이용해 보세요.",
    },
    "standard_warranty_ended": {
        "en": "The warranty for this product ended on {standard_warranty_end}.",
        "de": "Die Garantie für dieses Produkt ist am {standard_warranty_end} abgelaufen.",
        "ja": "この製品の保証は{standard_warranty_end}に終了しました。",
        "ko": "이 제품의 보증 기간은 {standard_warranty_end}에 종료되었습니다.",
    },
    "third_party_seller": {
        "en": "Products bought from third-party sellers cannot be returned to TESmart. Please "
        "contact the seller.",
        "de": "Bei Drittanbietern gekaufte Produkte können nicht an TESmart zurückgegeben werden. "
        "Bitte wenden Sie sich an den Verkäufer.",
        "ja": "第三者の販売店でご購入の製品は、TESmartへ返品できません。"
        "販売店にお問い合わせください。",
        "ko": "제3자 판매처에서 구매하신 제품은 TESmart로 반품하실 수 없습니다. 판매처에 문의해 "
        "주세요.",
    },
    "misuse": {
        "en": "Damage caused by improper use or handling is not covered by returns or the "
        "warranty.",
        "de": "Schäden durch unsachgemäße Verwendung oder Handhabung sind von Rückgabe und "
        "Garantie ausgeschlossen.",
        "ja": "不適切な使用や取り扱いによる損傷は、返品および保証の対象外です。",
        "ko": "부적절한 사용이나 취급으로 인한 손상은 반품 및 보증 대상이 아닙니다.",
    },
    "not_delivered": {
        "en": "This order has not been delivered yet. Once shipped, an order can no longer be "
        "cancelled or changed; you can ask for a return after it arrives.",
        "de": "Diese Bestellung wurde noch nicht zugestellt. Versandte Bestellungen können nicht "
        "mehr storniert oder geändert werden; eine Rückgabe ist nach Erhalt möglich.",
        "ja": "このご注文はまだお届けしていません。発送後のご注文はキャンセル・変更できません。"
        "返品は商品の到着後にお申し込みください。",
        "ko": "이 주문은 아직 배송 완료되지 않았습니다. 발송된 주문은 취소하거나 변경할 수 "
        "없으며, 반품은 제품을 받으신 후 신청하실 수 있습니다.",
    },
    # Referrals (section 3)
    "referrer_not_activated": {
        "en": "Referral rewards are for members with an activated TESmart ID.",
        "de": "Empfehlungsprämien gibt es für Mitglieder mit aktivierter TESmart ID.",
        "ja": "紹介特典は、TESmart IDを有効化した会員の方が対象です。",
        "ko": "추천 보상은 TESmart ID를 활성화한 회원에게 제공됩니다.",
    },
    "self_referral_same_customer": {
        "en": "You cannot refer yourself.",
        "de": "Sie können sich nicht selbst empfehlen.",
        "ja": "ご自身を紹介することはできません。",
        "ko": "본인을 추천하실 수 없습니다.",
    },
    "self_referral_same_email": {
        "en": "You cannot refer yourself: this email address is your own.",
        "de": "Sie können sich nicht selbst empfehlen: Diese E-Mail-Adresse ist Ihre eigene.",
        "ja": "ご自身を紹介することはできません。このメールアドレスはお客様ご本人のものです。",
        "ko": "본인을 추천하실 수 없습니다. 이 이메일 주소는 고객님 본인의 주소입니다.",
    },
    "self_referral_same_address": {
        "en": "This referral cannot be rewarded because your friend's delivery address is the "
        "same as yours.",
        "de": "Diese Empfehlung kann nicht belohnt werden, da die Lieferadresse Ihres Kontakts "
        "mit Ihrer übereinstimmt.",
        "ja": "ご友人のお届け先住所がお客様の住所と同じため、この紹介は特典の対象になりません。",
        "ko": "친구분의 배송지 주소가 고객님의 주소와 같아 이 추천은 보상 대상이 아닙니다.",
    },
    "self_referral_same_fingerprint": {
        "en": "This referral cannot be rewarded because it appears to come from the same person.",
        "de": "Diese Empfehlung kann nicht belohnt werden, da sie offenbar von derselben Person "
        "stammt.",
        "ja": "同じ方による紹介と判断されたため、この紹介は特典の対象になりません。",
        "ko": "같은 분의 추천으로 확인되어 이 추천은 보상 대상이 아닙니다.",
    },
    "friend_already_ordered": {
        "en": "Referral rewards are for a friend's first order, and your friend has ordered "
        "before.",
        "de": "Empfehlungsprämien gibt es nur für die erste Bestellung, und Ihr Kontakt hat "
        "bereits bestellt.",
        "ja": "紹介特典はご友人の初回注文が対象ですが、このご友人にはすでにご注文歴があります。",
        "ko": "추천 보상은 친구분의 첫 주문에만 적용되는데, 이 친구분은 이미 주문하신 적이 "
        "있습니다.",
    },
    "monthly_cap_reached": {
        "en": "You have reached this month's limit of referral rewards. New referrals count again "
        "from next month.",
        "de": "Sie haben die Höchstzahl an Empfehlungsprämien für diesen Monat erreicht. Ab "
        "nächstem Monat zählen neue Empfehlungen wieder.",
        "ja": "今月の紹介特典の上限に達しました。新しい紹介は来月から再び対象になります。",
        "ko": "이번 달 추천 보상 한도에 도달했습니다. 새 추천은 다음 달부터 다시 적용됩니다.",
    },
    UNKNOWN_REASON: {
        "en": "We could not answer this request automatically. Please contact TESmart customer "
        "service.",
        "de": "Wir konnten diese Anfrage nicht automatisch beantworten. Bitte wenden Sie sich an "
        "den TESmart-Kundenservice.",
        "ja": "このお問い合わせには自動でお答えできませんでした。TESmartカスタマーサービスまで"
        "ご連絡ください。",
        "ko": "이 요청에는 자동으로 답변드릴 수 없습니다. TESmart 고객센터로 문의해 주세요.",
    },
}


# Discount titles: the catalogue's rewards and the codes the app creates. Shopify shows a code's
# title at checkout, so it is written in the store's language.
TITLES: dict[str, dict[str, str]] = {
    "amount_off": {
        "en": "{amount} off",
        "de": "{amount} Rabatt",
        "ja": "{amount}割引",
        "ko": "{amount} 할인",
    },
    "store_credit": {
        "en": "{amount} store credit",
        "de": "{amount} Guthaben",
        "ja": "{amount}分のストアクレジット",
        "ko": "{amount} 적립금",
    },
    "percent_off": {
        "en": "{percent}% off",
        "de": "{percent} % Rabatt",
        "ja": "{percent}%割引",
        "ko": "{percent}% 할인",
    },
    "friend_coupon": {
        "en": "Friend coupon: {title}",
        "de": "Freundes-Gutschein: {title}",
        "ja": "ご友人クーポン：{title}",
        "ko": "친구 쿠폰: {title}",
    },
    "referral_reward": {
        "en": "Referral reward: {title}",
        "de": "Empfehlungsprämie: {title}",
        "ja": "紹介特典：{title}",
        "ko": "추천 보상: {title}",
    },
    "trade_in_discount": {
        "en": "Trade-in: {percent}% off a new device",
        "de": "Eintausch: {percent} % Rabatt auf ein neues Gerät",
        "ja": "下取り：新しい製品が{percent}%割引",
        "ko": "보상 판매: 새 기기 {percent}% 할인",
    },
    "trade_in_credit": {
        "en": "Trade-in credit #{id}",
        "de": "Eintauschgutschrift Nr. {id}",
        "ja": "下取りクレジット #{id}",
        "ko": "보상 판매 크레딧 #{id}",
    },
}


def title_text(kind: str, locale: str | None, **params: object) -> str:
    texts = TITLES[kind]
    return (texts.get(normalize_locale(locale)) or texts[DEFAULT_LOCALE]).format_map(params)


def normalize_locale(locale: str | None) -> str:
    """'de-DE', 'de_AT' or 'DE' -> 'de'; anything unsupported -> 'en'."""
    language = (locale or "").replace("_", "-").split("-")[0].strip().lower()
    return language if language in SUPPORTED_LOCALES else DEFAULT_LOCALE


def format_date(day: date, locale: str) -> str:
    language = normalize_locale(locale)
    if language == "de":
        return f"{day.day:02d}.{day.month:02d}.{day.year}"
    if language == "ja":
        return f"{day.year}年{day.month}月{day.day}日"
    if language == "ko":
        return f"{day.year}년 {day.month}월 {day.day}일"
    return f"{_EN_MONTHS[day.month - 1]} {day.day}, {day.year}"


def format_money(amount: Decimal | str, currency: str, locale: str) -> str:
    """An amount as shoppers of the locale write it; the amount is already quantized."""
    value = Decimal(str(amount))
    language = normalize_locale(locale)
    grouped = f"{value:,}"
    currency = currency.upper()
    if language == "de":
        # German swaps the separators: 1.234,50
        grouped = grouped.replace(",", "\0").replace(".", ",").replace("\0", ".")
        symbol = {"EUR": "€", "USD": "$"}.get(currency)
        return f"{grouped} {symbol or currency}"
    # Japanese and Korean as the widgets' Intl.NumberFormat writes them (ja: the full-width yen
    # sign), so one answer never mixes ￥, ¥ and 円.
    if currency == "JPY" and language == "ja":
        return f"￥{grouped}"
    if currency == "KRW" and language == "ko":
        return f"₩{grouped}"
    symbol = {"USD": "$", "EUR": "€", "JPY": "¥", "KRW": "₩"}.get(currency)
    return f"{symbol}{grouped}" if symbol else f"{grouped} {currency}"


def _localized_params(params: dict[str, object], locale: str) -> dict[str, object]:
    shown = dict(params)
    for key, raw in params.items():
        if isinstance(raw, date):
            shown[key] = format_date(raw, locale)
        elif isinstance(raw, str) and _ISO_DATE.match(raw):
            shown[key] = format_date(date.fromisoformat(raw), locale)
    currency = params.get("currency")
    if isinstance(currency, str):
        for key in _MONEY_PARAMS:
            if key in params:
                shown[key] = format_money(str(params[key]), currency, locale)
    return shown


def reason_text(code: str, locale: str | None = DEFAULT_LOCALE, **params: object) -> str:
    """The sentence a shopper reads for ``code``, with its parameters filled in."""
    language = normalize_locale(locale)
    if str(code) == "recovery_value" and str(params.get("deduction_percent")) == "0":
        code = "recovery_value_full"  # never "minus 0% for its condition"
    texts = MESSAGES.get(str(code), MESSAGES[UNKNOWN_REASON])
    template = texts.get(language) or texts[DEFAULT_LOCALE]
    return template.format_map(_localized_params(params, language))

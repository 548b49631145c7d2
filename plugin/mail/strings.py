"""The words of every transactional email, in the four store languages (POLICY.md section 1).

Each kind has a subject and an opening line (both of which the merchant may override per store and
language in the admin), a body sentence with named fields, and an admin label. The fields are
filled with ``str.format``: a missing one raises ``KeyError`` (a bug, caught by the tests that
render every kind in every language), never an email with a hole in it.
"""

from __future__ import annotations

LOCALES = ("en", "de", "ja", "ko")

T = dict[str, str]

# kind -> part -> locale -> text. Fields in braces are formatted values (dates and money already
# in the locale's own form).
EMAILS: dict[str, dict[str, T]] = {
    "reward_issued": {
        "label": {
            "en": "Reward code issued",
            "de": "Prämiencode ausgestellt",
            "ja": "特典コードの発行",
            "ko": "리워드 코드 발급",
        },
        "subject": {
            "en": "Your TESmart reward code",
            "de": "Ihr TESmart-Prämiencode",
            "ja": "TESmart特典コードのお知らせ",
            "ko": "TESmart 리워드 코드 안내",
        },
        "opening": {
            "en": "Your reward is ready.",
            "de": "Ihre Prämie ist bereit.",
            "ja": "特典の準備ができました。",
            "ko": "리워드가 준비되었습니다.",
        },
        "body": {
            "en": "You redeemed {points} points for {reward}. Enter the code below at checkout.",
            "de": "Sie haben {points} Punkte gegen {reward} eingelöst. Geben Sie den Code unten an "
            "der Kasse ein.",
            "ja": "{points}ポイントを「{reward}」と交換しました。"
            "ご購入手続きの際に下記のコードを入力してください。",
            "ko": "{points}포인트를 {reward}(으)로 교환하셨습니다. 결제 시 아래 코드를 입력해 "
            "주세요.",
        },
    },
    "tier_perk": {
        "label": {
            "en": "VIP tier free shipping",
            "de": "Kostenloser Versand der VIP-Stufe",
            "ja": "VIPランクの送料無料特典",
            "ko": "VIP 등급 무료 배송 혜택",
        },
        "subject": {
            "en": "Your {tier} free-shipping code",
            "de": "Ihr Code für kostenlosen Versand ({tier})",
            "ja": "{tier}ランク特典：送料無料コードのお知らせ",
            "ko": "{tier} 등급 무료 배송 코드 안내",
        },
        "opening": {
            "en": "Thank you for being a TESmart VIP.",
            "de": "Danke, dass Sie TESmart-VIP sind.",
            "ja": "いつもTESmartをご愛顧いただきありがとうございます。",
            "ko": "TESmart VIP 회원이 되어 주셔서 감사합니다.",
        },
        "body": {
            "en": "As a {tier} member, your orders ship free until the date below. Enter the code "
            "at checkout.",
            "de": "Als Mitglied der Stufe {tier} versenden wir Ihre Bestellungen bis zum unten "
            "genannten Datum kostenlos. Geben Sie den Code an der Kasse ein.",
            "ja": "{tier}ランクの会員様は、下記の日付まで送料無料でご注文いただけます。"
            "ご購入手続きの際にコードを入力してください。",
            "ko": "{tier} 등급 회원님의 주문은 아래 날짜까지 무료로 배송됩니다. 결제 시 코드를 "
            "입력해 주세요.",
        },
    },
    "referral_reward": {
        "label": {
            "en": "Referral reward earned",
            "de": "Empfehlungsprämie erhalten",
            "ja": "紹介特典の獲得",
            "ko": "추천 리워드 적립",
        },
        "subject": {
            "en": "Your friend's order earned you a reward",
            "de": "Die Bestellung Ihres Freundes bringt Ihnen eine Prämie",
            "ja": "ご紹介のお友達のご注文で特典を獲得しました",
            "ko": "친구의 주문으로 리워드를 받으셨습니다",
        },
        "opening": {
            "en": "Thank you for recommending TESmart.",
            "de": "Danke, dass Sie TESmart weiterempfehlen.",
            "ja": "TESmartをご紹介いただきありがとうございます。",
            "ko": "TESmart를 추천해 주셔서 감사합니다.",
        },
        "body": {
            "en": "A friend you referred placed their first order, so you earned {reward}.",
            "de": "Ein von Ihnen geworbener Freund hat zum ersten Mal bestellt. Sie erhalten dafür "
            "{reward}.",
            "ja": "ご紹介いただいたお友達が初めてご注文されたため、{reward}を獲得しました。",
            "ko": "추천하신 친구가 첫 주문을 완료하여 {reward}을(를) 받으셨습니다.",
        },
    },
    "friend_coupon": {
        "label": {
            "en": "A friend's coupon",
            "de": "Gutschein für Geworbene",
            "ja": "お友達クーポン",
            "ko": "친구 쿠폰",
        },
        "subject": {
            "en": "A welcome coupon from your friend",
            "de": "Ein Willkommensgutschein von Ihrem Freund",
            "ja": "お友達からのウェルカムクーポン",
            "ko": "친구가 보낸 웰컴 쿠폰",
        },
        "opening": {
            "en": "Welcome to TESmart.",
            "de": "Willkommen bei TESmart.",
            "ja": "TESmartへようこそ。",
            "ko": "TESmart에 오신 것을 환영합니다.",
        },
        "body": {
            "en": "A friend invited you: here is {reward} for your first order.",
            "de": "Ein Freund hat Sie eingeladen: Hier ist {reward} für Ihre erste Bestellung.",
            "ja": "お友達からの招待です。初回のご注文に使える{reward}をお受け取りください。",
            "ko": "친구의 초대로 첫 주문에 사용할 수 있는 {reward}을(를) 드립니다.",
        },
    },
    "trade_in_quoted": {
        "label": {
            "en": "Trade-in quoted",
            "de": "Inzahlungnahme angeboten",
            "ja": "下取りのお見積り",
            "ko": "보상 판매 견적",
        },
        "subject": {
            "en": "We received your trade-in request",
            "de": "Wir haben Ihre Inzahlungnahme-Anfrage erhalten",
            "ja": "下取りのお申し込みを受け付けました",
            "ko": "보상 판매 신청이 접수되었습니다",
        },
        "opening": {
            "en": "Thank you for your trade-in request.",
            "de": "Danke für Ihre Anfrage zur Inzahlungnahme.",
            "ja": "下取りをお申し込みいただきありがとうございます。",
            "ko": "보상 판매를 신청해 주셔서 감사합니다.",
        },
        "body": {
            "en": "Your {device} was quoted at {value}. We will check your request and write to "
            "you once it is approved.",
            "de": "Für Ihr Gerät {device} wurden {value} angeboten. Wir prüfen Ihre Anfrage und "
            "melden uns, sobald sie genehmigt ist.",
            "ja": "{device}の見積額は{value}です。お申し込み内容を確認し、"
            "承認されましたらご連絡いたします。",
            "ko": "{device}의 견적 금액은 {value}입니다. 신청 내용을 확인한 후 승인되면 "
            "연락드리겠습니다.",
        },
    },
    "trade_in_approved": {
        "label": {
            "en": "Trade-in approved",
            "de": "Inzahlungnahme genehmigt",
            "ja": "下取りの承認",
            "ko": "보상 판매 승인",
        },
        "subject": {
            "en": "Your trade-in is approved: please ship by {ship_by}",
            "de": "Ihre Inzahlungnahme ist genehmigt: bitte bis {ship_by} versenden",
            "ja": "下取りが承認されました（{ship_by}までにご発送ください）",
            "ko": "보상 판매가 승인되었습니다: {ship_by}까지 발송해 주세요",
        },
        "opening": {
            "en": "Good news: your trade-in is approved.",
            "de": "Gute Nachricht: Ihre Inzahlungnahme ist genehmigt.",
            "ja": "下取りが承認されました。",
            "ko": "좋은 소식입니다. 보상 판매가 승인되었습니다.",
        },
        "body": {
            "en": "Pack your {device} and ship it to us by {ship_by}, then enter the tracking "
            "number in your account. Its value of {value} is paid once the parcel is on its "
            "way; a device shipped later loses its value.",
            "de": "Verpacken Sie Ihr Gerät {device} und senden Sie es bis {ship_by} an uns. Tragen "
            "Sie danach die Sendungsnummer in Ihrem Konto ein. Der Wert von {value} wird "
            "ausgezahlt, sobald das Paket unterwegs ist; ein später versandtes Gerät verliert "
            "seinen Wert.",
            "ja": "{device}を梱包し、{ship_by}までにご発送のうえ、"
            "アカウントに追跡番号をご入力ください。発送後に{value}をお支払いします。"
            "期限を過ぎて発送された製品は査定額が無効になります。",
            "ko": "{device}을(를) 포장하여 {ship_by}까지 발송하신 후 계정에 운송장 번호를 입력해 "
            "주세요. 발송이 확인되면 {value}을(를) 지급해 드립니다. 기한 이후에 발송된 기기는 "
            "보상 금액이 사라집니다.",
        },
    },
    "trade_in_paid": {
        "label": {
            "en": "Trade-in paid",
            "de": "Inzahlungnahme ausgezahlt",
            "ja": "下取り代金のお支払い",
            "ko": "보상 판매 금액 지급",
        },
        "subject": {
            "en": "Your trade-in has been paid",
            "de": "Ihre Inzahlungnahme wurde ausgezahlt",
            "ja": "下取り代金をお支払いしました",
            "ko": "보상 판매 금액이 지급되었습니다",
        },
        "opening": {
            "en": "Thank you for trading in with TESmart.",
            "de": "Danke für Ihre Inzahlungnahme bei TESmart.",
            "ja": "TESmartの下取りをご利用いただきありがとうございます。",
            "ko": "TESmart 보상 판매를 이용해 주셔서 감사합니다.",
        },
        "body": {
            "en": "We paid {value} for your {device}.",
            "de": "Wir haben {value} für Ihr Gerät {device} ausgezahlt.",
            "ja": "{device}の下取り代金として{value}をお支払いしました。",
            "ko": "{device}의 보상 금액으로 {value}을(를) 지급해 드렸습니다.",
        },
    },
    "trade_in_adjusted": {
        "label": {
            "en": "Trade-in value adjusted",
            "de": "Inzahlungnahme-Wert angepasst",
            "ja": "下取り額の変更",
            "ko": "보상 금액 조정",
        },
        "subject": {
            "en": "The value of your trade-in was adjusted",
            "de": "Der Wert Ihrer Inzahlungnahme wurde angepasst",
            "ja": "下取り額が変更されました",
            "ko": "보상 판매 금액이 조정되었습니다",
        },
        "opening": {
            "en": "We have inspected your device.",
            "de": "Wir haben Ihr Gerät geprüft.",
            "ja": "お送りいただいた製品を検品しました。",
            "ko": "보내주신 기기의 검수를 마쳤습니다.",
        },
        "body": {
            "en": "After inspection the value of your {device} is {value} (it was {value_before}).",
            "de": "Nach der Prüfung beträgt der Wert Ihres Geräts {device} {value} (zuvor "
            "{value_before}).",
            "ja": "検品の結果、{device}の下取り額は{value}になりました（変更前：{value_before}）。",
            "ko": "검수 결과 {device}의 보상 금액은 {value}입니다(변경 전: {value_before}).",
        },
    },
    "trade_in_revoked": {
        "label": {
            "en": "Trade-in revoked",
            "de": "Inzahlungnahme widerrufen",
            "ja": "下取りの取り消し",
            "ko": "보상 판매 취소",
        },
        "subject": {
            "en": "Your trade-in was cancelled",
            "de": "Ihre Inzahlungnahme wurde storniert",
            "ja": "下取りが取り消されました",
            "ko": "보상 판매가 취소되었습니다",
        },
        "opening": {
            "en": "We are sorry to tell you this.",
            "de": "Es tut uns leid, Ihnen das mitteilen zu müssen.",
            "ja": "誠に恐れ入りますが、ご連絡いたします。",
            "ko": "안타까운 소식을 전해 드립니다.",
        },
        "body": {
            "en": "The trade-in of your {device} was cancelled. Reply to this email if you have "
            "questions.",
            "de": "Die Inzahlungnahme Ihres Geräts {device} wurde storniert. Antworten Sie auf "
            "diese E-Mail, wenn Sie Fragen haben.",
            "ja": "{device}の下取りは取り消されました。ご不明な点はこのメールにご返信ください。",
            "ko": "{device}의 보상 판매가 취소되었습니다. 문의 사항은 이 메일에 회신해 주세요.",
        },
    },
    "warranty_decided": {
        "label": {
            "en": "Warranty claim decided",
            "de": "Garantieanspruch entschieden",
            "ja": "保証請求の結果",
            "ko": "보증 청구 결과",
        },
        "subject": {
            "en": "The decision on your warranty claim",
            "de": "Die Entscheidung zu Ihrem Garantieanspruch",
            "ja": "保証請求の審査結果",
            "ko": "보증 청구 심사 결과",
        },
        "opening": {
            "en": "We have looked at your warranty claim.",
            "de": "Wir haben Ihren Garantieanspruch geprüft.",
            "ja": "保証請求の内容を確認しました。",
            "ko": "보증 청구 내용을 확인했습니다.",
        },
        "body": {
            "en": "Your claim for {device}: {decision}.",
            "de": "Ihr Anspruch für {device}: {decision}.",
            "ja": "{device}の保証請求：{decision}。",
            "ko": "{device}에 대한 청구: {decision}.",
        },
    },
    "return_received": {
        "label": {
            "en": "Return received",
            "de": "Rücksendung erhalten",
            "ja": "返品の受領",
            "ko": "반품 수령",
        },
        "subject": {
            "en": "We received your return",
            "de": "Wir haben Ihre Rücksendung erhalten",
            "ja": "返品商品を受け取りました",
            "ko": "반품 상품을 받았습니다",
        },
        "opening": {
            "en": "Your parcel has arrived.",
            "de": "Ihr Paket ist angekommen.",
            "ja": "お送りいただいた荷物が届きました。",
            "ko": "보내주신 상품이 도착했습니다.",
        },
        "body": {
            "en": "We received the return for order {order}. Your refund is due by {refund_due}.",
            "de": "Wir haben die Rücksendung zur Bestellung {order} erhalten. Ihre Erstattung "
            "erfolgt bis spätestens {refund_due}.",
            "ja": "ご注文{order}の返品を受け取りました。{refund_due}までに返金いたします。",
            "ko": "주문 {order}의 반품을 받았습니다. {refund_due}까지 환불해 드립니다.",
        },
    },
    "ctrlf_selected": {
        "label": {
            "en": "CTRL F selected",
            "de": "Für CTRL F ausgewählt",
            "ja": "CTRL Fの当選",
            "ko": "CTRL F 선정",
        },
        "subject": {
            "en": "You were selected for CTRL F",
            "de": "Sie wurden für CTRL F ausgewählt",
            "ja": "CTRL Fのテスターに選ばれました",
            "ko": "CTRL F 테스터로 선정되셨습니다",
        },
        "opening": {
            "en": "Congratulations!",
            "de": "Herzlichen Glückwunsch!",
            "ja": "おめでとうございます！",
            "ko": "축하합니다!",
        },
        "body": {
            "en": "You were selected to test {program}. Order it with the code below, then send us "
            "your feedback by {feedback_due}.",
            "de": "Sie wurden ausgewählt, {program} zu testen. Bestellen Sie mit dem Code unten "
            "und senden Sie uns Ihr Feedback bis {feedback_due}.",
            "ja": "{program}のテスターに選ばれました。下記のコードでご注文のうえ、"
            "{feedback_due}までにフィードバックをお送りください。",
            "ko": "{program} 테스터로 선정되셨습니다. 아래 코드로 주문하신 후 {feedback_due}까지 "
            "피드백을 보내 주세요.",
        },
    },
    "ctrlf_feedback_overdue": {
        "label": {
            "en": "CTRL F feedback overdue",
            "de": "CTRL F-Feedback überfällig",
            "ja": "CTRL Fフィードバックの期限超過",
            "ko": "CTRL F 피드백 기한 초과",
        },
        "subject": {
            "en": "Your CTRL F feedback is overdue",
            "de": "Ihr CTRL F-Feedback ist überfällig",
            "ja": "CTRL Fのフィードバック期限が過ぎています",
            "ko": "CTRL F 피드백 기한이 지났습니다",
        },
        "opening": {
            "en": "A friendly reminder.",
            "de": "Eine freundliche Erinnerung.",
            "ja": "リマインダーのご連絡です。",
            "ko": "안내 말씀드립니다.",
        },
        "body": {
            "en": "Your feedback on {program} was due on {feedback_due}. Please send it as soon as "
            "you can.",
            "de": "Ihr Feedback zu {program} war am {feedback_due} fällig. Bitte senden Sie es so "
            "bald wie möglich.",
            "ja": "{program}のフィードバック期限は{feedback_due}でした。"
            "できるだけ早くお送りください。",
            "ko": "{program}에 대한 피드백 기한은 {feedback_due}였습니다. 가능한 한 빨리 보내 "
            "주세요.",
        },
    },
    "points_expiring": {
        "label": {
            "en": "Points expiring",
            "de": "Punkte verfallen bald",
            "ja": "ポイントの失効予定",
            "ko": "포인트 소멸 예정",
        },
        "subject": {
            "en": "{points} TESmart points expire on {expires_on}",
            "de": "{points} TESmart-Punkte verfallen am {expires_on}",
            "ja": "TESmartポイント{points}ポイントが{expires_on}に失効します",
            "ko": "TESmart 포인트 {points}점이 {expires_on}에 소멸됩니다",
        },
        "opening": {
            "en": "Don't lose your points.",
            "de": "Lassen Sie Ihre Punkte nicht verfallen.",
            "ja": "ポイントの失効にご注意ください。",
            "ko": "포인트가 소멸되지 않도록 확인하세요.",
        },
        "body": {
            "en": "{points} of your {balance} points expire on {expires_on}. Any order, review or "
            "redemption before then keeps them.",
            "de": "{points} Ihrer {balance} Punkte verfallen am {expires_on}. Jede Bestellung, "
            "Bewertung oder Einlösung bis dahin erhält sie.",
            "ja": "保有ポイント{balance}ポイントのうち{points}ポイントが{expires_on}に失効します。"
            "それまでにご注文、レビュー、ポイント交換のいずれかを行うと失効しません。",
            "ko": "보유 포인트 {balance}점 중 {points}점이 {expires_on}에 소멸됩니다. 그 전에 "
            "주문, 리뷰 작성 또는 포인트 교환을 하시면 유지됩니다.",
        },
    },
}

# Words shared by the layout and the facts of several kinds.
COMMON: dict[str, T] = {
    "greeting": {
        "en": "Hello {name},",
        "de": "Hallo {name},",
        "ja": "{name} 様",
        "ko": "{name} 님, 안녕하세요.",
    },
    "greeting_anonymous": {"en": "Hello,", "de": "Hallo,", "ja": "お客様", "ko": "안녕하세요."},
    "signature": {
        "en": "The TESmart team",
        "de": "Ihr TESmart-Team",
        "ja": "TESmartチーム",
        "ko": "TESmart 팀 드림",
    },
    "footer": {
        "en": "You receive this email because you are a TESmart member at {shop}.",
        "de": "Sie erhalten diese E-Mail, weil Sie TESmart-Mitglied bei {shop} sind.",
        "ja": "このメールは{shop}のTESmart会員の皆様にお送りしています。",
        "ko": "이 메일은 {shop}의 TESmart 회원님께 발송됩니다.",
    },
    "code": {"en": "Your code", "de": "Ihr Code", "ja": "コード", "ko": "코드"},
    "ship_by": {"en": "Ship by", "de": "Versand bis", "ja": "発送期限", "ko": "발송 기한"},
    "value": {"en": "Value", "de": "Wert", "ja": "金額", "ko": "금액"},
    "refund_due": {
        "en": "Refund due by",
        "de": "Erstattung bis",
        "ja": "返金期限",
        "ko": "환불 기한",
    },
    "feedback_due": {
        "en": "Feedback due",
        "de": "Feedback bis",
        "ja": "フィードバック期限",
        "ko": "피드백 기한",
    },
    "expires_on": {"en": "Expires on", "de": "Verfällt am", "ja": "失効日", "ko": "소멸일"},
    "decision_approved": {
        "en": "approved",
        "de": "genehmigt",
        "ja": "承認されました",
        "ko": "승인되었습니다",
    },
    "decision_declined": {
        "en": "declined",
        "de": "abgelehnt",
        "ja": "承認されませんでした",
        "ko": "승인되지 않았습니다",
    },
}

KINDS: tuple[str, ...] = tuple(EMAILS)

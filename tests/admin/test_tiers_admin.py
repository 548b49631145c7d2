"""The VIP tiers page: preview who would move before saving; saving is validated and audited."""

from __future__ import annotations

import json
from typing import Any

from plugin import ledger
from plugin.accounts import activate, get_or_create_member, link_customer
from plugin.extensions import db
from plugin.models import AuditLog, MemberTier
from plugin.models.types import utcnow

TIERS = {
    "enabled": True,
    "tiers": [
        {"key": "member", "name": "Member", "threshold": 0},
        {"key": "vip", "name": "VIP", "threshold": 3000, "multiplier": "1.5"},
    ],
}


def member_with_points(shop: Any, email: str, points: int) -> Any:
    member = get_or_create_member(email)
    activate(member, utcnow(), "test")
    link_customer(shop, "81" + str(points), member=member, email=email)
    ledger.post_entry(
        shop_id=shop.id, member_id=member.id, delta=points, kind="order", cause_key=f"o:{email}"
    )
    db.session.commit()
    return member


def test_preview_first_then_save(shops: Any, admin_get: Any, admin_post: Any) -> None:
    shop = shops["us"]
    member_with_points(shop, "big@example.com", 4000)
    member_with_points(shop, "small@example.com", 100)
    page = admin_get("/admin/tiers").get_data(as_text=True)
    assert 'id="tiers-form"' in page
    preview = admin_post("/admin/tiers", {"tiers": json.dumps(TIERS), "action": "preview"})
    text = preview.get_data(as_text=True)
    assert (
        preview.status_code == 200 and "2 would move up now" in text and "big@example.com" in text
    )
    assert db.session.query(MemberTier).count() == 0 and not (shop.settings or {}).get("tiers")
    saved = admin_post("/admin/tiers", {"tiers": json.dumps(TIERS), "action": "save"}, user="7")
    assert saved.status_code == 303
    db.session.expire_all()
    assert sorted(r.tier_key for r in db.session.query(MemberTier)) == ["member", "vip"]
    assert db.session.query(AuditLog).filter_by(action="settings.tiers").one().actor == "staff:7"


def test_bad_tiers_are_refused_with_the_field(shops: Any, admin_post: Any) -> None:
    bad = {**TIERS, "tiers": [{"key": "vip", "name": "VIP", "threshold": 10}]}
    refused = admin_post("/admin/tiers", {"tiers": json.dumps(bad), "action": "save"})
    assert refused.status_code == 422 and "tiers.0.threshold" in refused.get_data(as_text=True)
    assert admin_post("/admin/tiers", {"tiers": "{nope", "action": "save"}).status_code == 422
    db.session.expire_all()
    assert not (shops["us"].settings or {}).get("tiers")

"""Long admin lists come in pages: the members and the audit log at any size, newest first."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import insert

from plugin.extensions import db
from plugin.models import AuditLog, Member, ShopCustomer
from plugin.models.types import utcnow


def _members(shop: Any, count: int) -> None:
    now = utcnow()
    db.session.execute(
        insert(Member),
        [
            {"email": f"m{n:04d}@example.com", "registered_at": now, "activated_at": now}
            for n in range(count)
        ],
    )
    ids = [m.id for m in db.session.query(Member).order_by(Member.id)]
    db.session.execute(
        insert(ShopCustomer),
        [
            {
                "shop_id": shop.id,
                "member_id": member_id,
                "customer_id": str(9000 + i),
                "email": f"m{i:04d}@example.com",
            }
            for i, member_id in enumerate(ids)
        ],
    )
    db.session.commit()


def _emails(html: str) -> list[str]:
    return re.findall(r"m(\d{4})@example\.com</a>", html)


def test_the_members_list_pages_through_every_member_newest_first(
    shops: Any, admin_get: Any
) -> None:
    _members(shops["us"], 205)
    first = admin_get("/admin/members").get_data(as_text=True)
    assert _emails(first)[:2] == ["0204", "0203"] and len(_emails(first)) == 100
    assert 'rel="next"' in first and 'rel="prev"' not in first
    last = admin_get("/admin/members", page="3").get_data(as_text=True)
    assert _emails(last) == ["0004", "0003", "0002", "0001", "0000"]
    assert 'rel="prev"' in last and 'rel="next"' not in last
    seen = set()
    for page in ("1", "2", "3"):
        seen.update(_emails(admin_get("/admin/members", page=page).get_data(as_text=True)))
    assert len(seen) == 205


def test_a_search_keeps_its_words_across_pages(shops: Any, admin_get: Any) -> None:
    _members(shops["us"], 150)
    html = admin_get("/admin/members", q="example").get_data(as_text=True)
    link = re.search(r'rel="next" href="([^"]+)"', html)
    assert link is not None and "q=example" in link.group(1) and "page=2" in link.group(1)


def test_odd_page_numbers_are_answered_not_failed(shops: Any, admin_get: Any) -> None:
    _members(shops["us"], 3)
    for page in ("0", "-4", "abc", "99999999999999999999", "10001"):
        response = admin_get("/admin/members", page=page)
        assert response.status_code == 200, page
    assert len(_emails(admin_get("/admin/members", page="0").get_data(as_text=True))) == 3


def test_the_audit_log_pages_through_every_action(shops: Any, admin_get: Any) -> None:
    us = shops["us"]
    now = utcnow()
    db.session.execute(
        insert(AuditLog),
        [
            {
                "shop_id": us.id,
                "actor": "staff:42",
                "action": "settings.update",
                "subject_type": "shop",
                "subject_id": str(us.id),
                "before": {},
                "after": {},
                "created_at": now,
            }
            for _ in range(130)
        ],
    )
    db.session.commit()
    first = admin_get("/admin/audit").get_data(as_text=True)
    second = admin_get("/admin/audit", page="2").get_data(as_text=True)
    ids = re.findall(r'data-audit="(\d+)"', first) + re.findall(r'data-audit="(\d+)"', second)
    assert len(ids) == len(set(ids)) == 130
    assert 'rel="next"' in first and 'rel="next"' not in second

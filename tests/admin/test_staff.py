"""Regional operators: a staff member sees and changes only the shops they are given."""

from __future__ import annotations

from typing import Any

from plugin.extensions import db
from plugin.models import StaffGrant


def test_a_shop_without_grants_is_open_to_its_staff(shops: Any, admin_get: Any) -> None:
    assert admin_get("/admin/", shop="us", user="1").status_code == 200
    assert admin_get("/admin/", shop="us", user="2").status_code == 200


def test_the_first_grant_makes_its_author_owner_and_closes_the_shop_to_others(shops: Any, admin_get: Any, admin_post: Any) -> None:
    assert admin_post("/admin/staff", {"user_id": "2", "role": "operator"}, user="1").status_code == 303
    grants = {g.user_id: g.role for g in db.session.query(StaffGrant).filter_by(shop_id=shops["us"].id)}
    assert grants == {"1": "owner", "2": "operator"}
    assert admin_get("/admin/", user="1").status_code == 200
    assert admin_get("/admin/", user="2").status_code == 200
    assert admin_get("/admin/", user="3").status_code == 403


def test_only_owners_manage_grants(shops: Any, admin_post: Any) -> None:
    admin_post("/admin/staff", {"user_id": "2", "role": "operator"}, user="1")
    assert admin_post("/admin/staff", {"user_id": "3", "role": "owner"}, user="2").status_code == 403
    assert db.session.query(StaffGrant).count() == 2


def test_the_last_owner_stays(shops: Any, admin_post: Any) -> None:
    admin_post("/admin/staff", {"user_id": "2", "role": "operator"}, user="1")
    owner = db.session.query(StaffGrant).filter_by(user_id="1").one()
    assert admin_post(f"/admin/staff/{owner.id}/delete", user="1").status_code == 422


def test_there_is_no_store_switcher_only_the_tokens_store(shops: Any, admin_get: Any) -> None:
    db.session.add_all([StaffGrant(shop_id=shops["jp"].id, user_id="8", role="operator"),
                        StaffGrant(shop_id=shops["kr"].id, user_id="8", role="operator")])
    db.session.commit()
    body = admin_get("/admin/", shop="jp", user="8").get_data(as_text=True)
    assert "store-switcher" not in body and "tesmart-kr" not in body
    other = admin_get("/admin/", shop="jp", user="8", store="tesmart-kr.myshopify.com")
    assert other.status_code == 200 and 'data-shop="tesmart-jp.myshopify.com"' in other.get_data(as_text=True)

"""Regional operators: a staff member sees and changes only the shops they are given."""

from __future__ import annotations

from typing import Any

from plugin.extensions import db
from plugin.models import AuditLog, StaffGrant, StaffMember, StaffRestriction


def test_a_shop_without_grants_is_open_to_its_staff(shops: Any, admin_get: Any) -> None:
    assert admin_get("/admin/", shop="us", user="1").status_code == 200
    assert admin_get("/admin/", shop="us", user="2").status_code == 200


def _open(admin_get: Any, *users: str, shop: str = "us") -> None:
    for user in users:
        assert admin_get("/admin/", shop=shop, user=user).status_code == 200


def test_opening_the_app_records_the_staff_member_from_the_online_token(
    shops: Any, admin_get: Any
) -> None:
    _open(admin_get, "1", "7")
    members = {
        m.user_id: m for m in db.session.query(StaffMember).filter_by(shop_id=shops["us"].id)
    }
    assert members["1"].account_owner and members["1"].name == "Dev Merchant"
    assert not members["7"].account_owner
    assert members["7"].name == "Staff 7" and members["7"].email == "staff7@example.com"


def test_access_stays_open_until_an_owner_limits_it_and_ticked_staff_keep_it(
    shops: Any, admin_get: Any, admin_post: Any
) -> None:
    _open(admin_get, "1", "2", "3", "4")
    page = admin_get("/admin/staff", user="2").get_data(as_text=True)
    assert "Staff 3" in page and "Dev Merchant" in page and 'name="user_id"' not in page
    # Asks first, naming who loses access, and changes nothing until confirmed.
    asked = admin_post("/admin/staff/restrict", {"keep": ["3"]}, user="2")
    assert asked.status_code == 200 and "Staff 4" in asked.get_data(as_text=True)
    assert db.session.query(StaffRestriction).count() == 0
    assert (
        admin_post("/admin/staff/restrict", {"keep": ["3"], "confirmed": "1"}, user="2").status_code
        == 303
    )
    grants = {
        g.user_id: g.role for g in db.session.query(StaffGrant).filter_by(shop_id=shops["us"].id)
    }
    assert grants == {"2": "owner", "3": "operator"}
    assert admin_get("/admin/", user="2").status_code == 200
    assert admin_get("/admin/", user="3").status_code == 200
    assert admin_get("/admin/", user="4").status_code == 403
    assert admin_get("/admin/", user="9").status_code == 403
    entry = db.session.query(AuditLog).filter_by(action="staff.restrict").one()
    assert entry.after["without_access"] == ["4"]


def test_the_store_owner_can_never_be_locked_out(
    shops: Any, admin_get: Any, admin_post: Any
) -> None:
    _open(admin_get, "1", "2")
    admin_post("/admin/staff/restrict", {"keep": [], "confirmed": "1"}, user="2")
    assert db.session.query(StaffGrant).filter_by(user_id="1").count() == 0
    owner = admin_get("/admin/staff", user="1")
    assert owner.status_code == 200 and "Store owner" in owner.get_data(as_text=True)
    assert admin_post("/admin/staff/open", {}, user="1").status_code == 303
    assert db.session.query(StaffRestriction).count() == 0
    assert admin_get("/admin/", user="9").status_code == 200


def test_the_refusal_says_who_grants_access(shops: Any, admin_get: Any, admin_post: Any) -> None:
    _open(admin_get, "1", "2")
    admin_post("/admin/staff/restrict", {"keep": [], "confirmed": "1"}, user="2")
    refused = admin_get("/admin/", user="5")
    assert refused.status_code == 403 and "Ask Dev Merchant" in refused.get_data(as_text=True)


def test_access_is_given_by_choosing_someone_who_opened_the_app(
    shops: Any, admin_get: Any, admin_post: Any
) -> None:
    _open(admin_get, "1", "2")
    admin_post("/admin/staff/restrict", {"keep": [], "confirmed": "1"}, user="1")
    assert admin_get("/admin/", user="2").status_code == 403
    page = admin_get("/admin/staff", user="1").get_data(as_text=True)
    assert '<option value="2">Staff 2 (staff2@example.com)</option>' in page
    assert (
        admin_post("/admin/staff", {"user_id": "99", "role": "operator"}, user="1").status_code
        == 422
    )
    assert (
        admin_post("/admin/staff", {"user_id": "2", "role": "operator"}, user="1").status_code
        == 303
    )
    assert admin_get("/admin/", user="2").status_code == 200
    assert db.session.query(AuditLog).filter_by(action="staff.grant", subject_id="2").count() == 1


def test_only_owners_manage_grants(shops: Any, admin_get: Any, admin_post: Any) -> None:
    _open(admin_get, "1", "2", "3")
    admin_post("/admin/staff/restrict", {"keep": ["2", "3"], "confirmed": "1"}, user="1")
    assert (
        admin_post("/admin/staff", {"user_id": "3", "role": "owner"}, user="2").status_code == 403
    )
    assert admin_post("/admin/staff/open", {}, user="2").status_code == 403
    assert db.session.query(StaffRestriction).count() == 1


def test_the_last_owner_grant_stays_while_others_have_grants(
    shops: Any, admin_get: Any, admin_post: Any
) -> None:
    _open(admin_get, "1", "2", "3")
    admin_post("/admin/staff/restrict", {"keep": ["3"], "confirmed": "1"}, user="2")
    owner = db.session.query(StaffGrant).filter_by(user_id="2").one()
    assert (
        admin_post(f"/admin/staff/{owner.id}/delete", {"confirmed": "1"}, user="2").status_code
        == 422
    )


def test_there_is_no_store_switcher_only_the_tokens_store(shops: Any, admin_get: Any) -> None:
    db.session.add_all(
        [
            StaffGrant(shop_id=shops["jp"].id, user_id="8", role="operator"),
            StaffGrant(shop_id=shops["kr"].id, user_id="8", role="operator"),
        ]
    )
    db.session.commit()
    body = admin_get("/admin/", shop="jp", user="8").get_data(as_text=True)
    assert "store-switcher" not in body and "tesmart-kr" not in body
    other = admin_get("/admin/", shop="jp", user="8", store="tesmart-kr.myshopify.com")
    assert other.status_code == 200 and 'data-shop="tesmart-jp.myshopify.com"' in other.get_data(
        as_text=True
    )


def test_the_refusal_is_in_the_operators_language(
    shops: Any, admin_get: Any, admin_post: Any
) -> None:
    _open(admin_get, "1", "2")
    admin_post("/admin/staff/restrict", {"keep": [], "confirmed": "1"}, user="1")
    body = admin_get("/admin/", user="5", locale="de").get_data(as_text=True)
    assert "Kein Zugang zu diesem Shop" in body and "Bitten Sie Dev Merchant um Zugang" in body

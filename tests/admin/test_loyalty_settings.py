"""Issue 19's optional features are turned on per store in the admin: validated and audited."""

from __future__ import annotations

from typing import Any

from plugin.extensions import db
from plugin.models import AuditLog, Reward
from plugin.shops.settings import program_settings


def test_all_off_by_default(shops: Any) -> None:
    settings = program_settings(shops["us"])
    assert (
        settings.birthday_enabled,
        settings.birthday_points,
        settings.store_credit_expiry_months,
    ) == (False, 200, None)


def test_a_store_turns_on_its_birthday_reward_and_sets_a_credit_expiry(
    shops: Any, admin_post: Any, admin_get: Any
) -> None:
    form = {
        "section": "loyalty",
        "birthday_enabled": "1",
        "birthday_points": "500",
        "store_credit_expiry_months": "12",
    }
    assert admin_post("/admin/settings", form, user="5").status_code == 303
    db.session.expire_all()
    settings = program_settings(shops["us"])
    assert (
        settings.birthday_enabled,
        settings.birthday_points,
        settings.store_credit_expiry_months,
    ) == (True, 500, 12)
    assert program_settings(shops["eu"]).birthday_enabled is False  # per store
    row = db.session.query(AuditLog).filter_by(action="settings.loyalty").one()
    assert row.actor == "staff:5" and row.after["birthday_points"] == 500
    page = admin_get("/admin/settings").get_data(as_text=True)
    assert 'id="settings-loyalty"' in page and 'name="birthday_enabled" value="1" checked' in page


def test_bad_values_are_refused_and_nothing_is_stored(shops: Any, admin_post: Any) -> None:
    response = admin_post(
        "/admin/settings",
        {"section": "loyalty", "birthday_points": "-5", "store_credit_expiry_months": "500"},
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert shops["us"].settings == {}


def test_a_store_credit_reward_is_made_in_the_catalogue(shops: Any, admin_post: Any) -> None:
    response = admin_post(
        "/admin/rewards", {"title": "", "points": "1000", "kind": "store_credit", "amount": "10.00"}
    )
    assert response.status_code in (302, 303)
    db.session.expire_all()
    reward = db.session.query(Reward).filter_by(shop_id=shops["us"].id, kind="store_credit").one()
    assert (reward.points, str(reward.amount), reward.title) == (1000, "10.00", "$10 store credit")

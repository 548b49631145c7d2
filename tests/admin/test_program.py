"""Program settings, rewards and campaigns: validated, audited, for new events only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from plugin.extensions import db
from plugin.models import AuditLog, Campaign, Reward
from plugin.models.types import utcnow
from plugin.shops.settings import program_settings

EARNING = {
    "signup": "100",
    "newsletter": "100",
    "survey": "800",
    "order": "2000",
    "review": "100",
    "review_with_photos": "200",
    "per_currency_unit": "",
}


@pytest.mark.parametrize(
    "section, form, check",
    [
        ("earning", {**EARNING, "order": "3,000"}, lambda s: s.earning.order == 3000),
        (
            "earning",
            {**EARNING, "per_currency_unit": "1.5"},
            lambda s: str(s.earning.per_currency_unit) == "1.5",
        ),
        (
            "program",
            {"referral_monthly_cap": "5", "points_expiry_months": "18", "return_window_days": "30"},
            lambda s: (s.referral_monthly_cap, s.points_expiry_months) == (5, 18),
        ),
        (
            "program",
            {"referral_monthly_cap": "20", "points_expiry_months": "", "return_window_days": "30"},
            lambda s: s.points_expiry_months is None,
        ),
        (
            "cohorts",
            {"legacy_until": "2024-03-31", "april_until": "2025-10-31", "confirm": "1"},
            lambda s: str(s.cutoffs.legacy_until) == "2024-03-31",
        ),
        (
            "trade_in",
            {
                "cosmetic_wear": "25",
                "missing_accessories": "15",
                "packaging": "10",
                "trade_in_ship_within_days": "21",
            },
            lambda s: (str(s.deductions.cosmetic_wear), s.trade_in_ship_within_days) == ("25", 21),
        ),
        (
            "categories",
            {"category_mapping": "KVM Switch = kvm_switch\nHDMI cable = accessory"},
            lambda s: s.category_mapping == {"kvm switch": "kvm_switch", "hdmi cable": "accessory"},
        ),
    ],
)
def test_a_valid_change_is_stored_and_audited(
    shops: Any, admin_post: Any, section: str, form: dict[str, str], check: Any
) -> None:
    response = admin_post("/admin/settings", {"section": section, **form}, user="5")
    assert response.status_code == 303
    db.session.expire_all()
    assert check(program_settings(shops["us"]))
    row = db.session.query(AuditLog).filter_by(action=f"settings.{section}").one()
    assert row.actor == "staff:5" and row.after and row.shop_id == shops["us"].id


@pytest.mark.parametrize(
    "section, form, field",
    [
        ("earning", {**EARNING, "order": "-1"}, "order"),
        ("earning", {**EARNING, "signup": "lots"}, "signup"),
        ("earning", {**EARNING, "per_currency_unit": "0"}, "per_currency_unit"),
        (
            "program",
            {"referral_monthly_cap": "", "return_window_days": "30"},
            "referral_monthly_cap",
        ),
        (
            "program",
            {
                "referral_monthly_cap": "5",
                "points_expiry_months": "500",
                "return_window_days": "30",
            },
            "points_expiry_months",
        ),
        ("cohorts", {"legacy_until": "2025-11-01", "april_until": "2025-10-31"}, "april_until"),
        ("cohorts", {"legacy_until": "yesterday", "april_until": "2025-10-31"}, "legacy_until"),
        (
            "trade_in",
            {
                "cosmetic_wear": "120",
                "missing_accessories": "15",
                "packaging": "10",
                "trade_in_ship_within_days": "30",
            },
            "cosmetic_wear",
        ),
        ("categories", {"category_mapping": "KVM = spaceship"}, "category_mapping"),
    ],
)
def test_an_invalid_change_is_refused_and_nothing_is_stored(
    shops: Any, admin_post: Any, section: str, form: dict[str, str], field: str
) -> None:
    response = admin_post("/admin/settings", {"section": section, **form})
    assert response.status_code == 422
    assert 'class="field-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert shops["us"].settings == {} and db.session.query(AuditLog).count() == 0


def test_rewards_are_created_updated_and_archived(
    shops: Any, admin_post: Any, admin_get: Any
) -> None:
    assert (
        admin_post(
            "/admin/rewards", {"points": "3000", "kind": "fixed_amount", "amount": "50"}
        ).status_code
        == 303
    )
    reward = db.session.query(Reward).filter_by(shop_id=shops["us"].id, points=3000).one()
    assert (
        admin_post(f"/admin/rewards/{reward.id}", {"action": "archive"}).status_code == 200
    )  # asks first
    assert (
        admin_post(
            f"/admin/rewards/{reward.id}", {"action": "archive", "confirmed": "1"}
        ).status_code
        == 303
    )
    db.session.expire_all()
    assert db.session.get(Reward, reward.id).active is False
    assert (
        admin_post(
            "/admin/rewards", {"points": "0", "kind": "fixed_amount", "amount": "5"}
        ).status_code
        == 422
    )
    actions = [a for (a,) in db.session.query(AuditLog.action).order_by(AuditLog.id)]
    assert actions == ["reward.create", "reward.archive"]


def test_campaigns(shops: Any, admin_post: Any) -> None:
    start = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    end = (utcnow() + timedelta(days=8)).strftime("%Y-%m-%dT%H:%M")
    form = {
        "kind": "points_multiplier",
        "title": "Member Week",
        "starts_at": start,
        "ends_at": end,
        "multiplier": "2",
    }
    assert admin_post("/admin/campaigns", form).status_code == 303
    assert admin_post("/admin/campaigns", {**form, "multiplier": "0.5"}).status_code == 422
    assert admin_post("/admin/campaigns", {**form, "ends_at": start}).status_code == 422
    campaign = db.session.query(Campaign).one()
    assert (campaign.shop_id, str(campaign.multiplier)) == (shops["us"].id, "2.00")
    # Not started yet: "end" deletes it.
    assert (
        admin_post(f"/admin/campaigns/{campaign.id}", {"action": "end"}).status_code == 200
    )  # asks first
    assert db.session.query(Campaign).count() == 1
    assert (
        admin_post(
            f"/admin/campaigns/{campaign.id}", {"action": "end", "confirmed": "1"}
        ).status_code
        == 303
    )
    assert db.session.query(Campaign).count() == 0
    assert [a for (a,) in db.session.query(AuditLog.action).order_by(AuditLog.id)] == [
        "campaign.create",
        "campaign.deleted",
    ]

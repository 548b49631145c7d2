"""TESmart IDs from customers webhooks: created pending, activated once, sign-up and newsletter
points."""

from __future__ import annotations

from sqlalchemy import func, select

from plugin.extensions import db
from plugin.models import Member, ShopCustomer
from tests import payloads
from tests.webhooks.conftest import balance, entries, member


def test_customer_created_gets_a_pending_id_and_signup_points(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    deliver("customers/create", payloads.customer(email="  Ann@Example.COM "))
    ann = member("ann@example.com")
    assert ann.activated_at is None
    assert balance(shops["us"].id, ann.id) == 100


def test_one_id_per_email_across_the_four_shops(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    for region in ("us", "eu", "jp", "kr"):
        deliver("customers/create", payloads.customer(email="ann@example.com"), shop=region)
    db.session.expire_all()
    assert db.session.execute(select(func.count()).select_from(Member)).scalar_one() == 1
    assert db.session.execute(select(func.count()).select_from(ShopCustomer)).scalar_one() == 4
    ann = member("ann@example.com")
    assert [balance(shops[r].id, ann.id) for r in ("us", "eu", "jp", "kr")] == [100, 100, 100, 100]


def test_invalid_email_creates_no_id(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    assert deliver("customers/create", payloads.customer(email="not-an-email")).status_code == 200
    assert deliver("customers/create", payloads.customer(email=None)).status_code == 200
    db.session.expire_all()
    assert db.session.execute(select(func.count()).select_from(Member)).scalar_one() == 0


def test_shopifys_verified_email_is_no_proof_and_activates_nothing(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    # verified_email defaults to true for customers made by staff or through the API (POLICY.md 2).
    created = payloads.customer(email="ann@example.com", verified_email=True)
    deliver("customers/create", created)
    deliver("customers/update", {**created, "updated_at": "2026-11-21T10:00:00+00:00"})
    ann = member("ann@example.com")
    assert ann.activated_at is None and ann.activation_source is None
    assert db.session.execute(select(ShopCustomer)).scalar_one().verified_email is True


def test_a_storefront_login_activates_once_and_never_moves(shops, deliver, proxy) -> None:  # type: ignore[no-untyped-def]
    created = payloads.customer(email="ann@example.com")
    deliver("customers/create", created)
    assert proxy("GET", "/member", customer=created["id"]).status_code == 200
    first = member("ann@example.com")
    assert first.activation_source == "storefront_login" and first.activated_at is not None
    assert first.registered_at == first.activated_at and first.referral_code
    proxy("GET", "/member", customer=created["id"])
    assert member("ann@example.com").activated_at == first.activated_at


def test_stale_customer_update_does_not_overwrite_a_newer_one(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    created = payloads.customer(email="ann@example.com")
    deliver(
        "customers/update",
        {**created, "first_name": "New", "updated_at": "2026-11-22T10:00:00+00:00"},
    )
    deliver(
        "customers/update",
        {**created, "first_name": "Old", "updated_at": "2026-11-21T10:00:00+00:00"},
    )
    db.session.expire_all()
    row = db.session.execute(select(ShopCustomer)).scalar_one()
    assert row.first_name == "New"


def test_newsletter_points_on_first_subscription_only(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    created = payloads.customer(email="ann@example.com")
    deliver("customers/create", created)
    deliver(
        "customers_email_marketing_consent/update",
        payloads.consent(created["id"], "ann@example.com", "subscribed"),
    )
    deliver(
        "customers_email_marketing_consent/update",
        payloads.consent(created["id"], "ann@example.com", "unsubscribed"),
    )
    deliver(
        "customers_email_marketing_consent/update",
        payloads.consent(created["id"], "ann@example.com", "subscribed", at="2026-12-01T00:00:00Z"),
    )
    ann = member("ann@example.com")
    assert [e.kind for e in entries(shops["us"].id, ann.id)] == ["signup", "newsletter"]
    assert balance(shops["us"].id, ann.id) == 200


def test_signup_with_newsletter_ticked_earns_both(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    created = payloads.customer(
        email="ann@example.com",
        email_marketing_consent={
            "state": "subscribed",
            "opt_in_level": "single_opt_in",
            "consent_updated_at": "2026-11-20T12:00:00-05:00",
        },
    )
    deliver("customers/create", created)
    assert balance(shops["us"].id, member("ann@example.com").id) == 200


def test_signup_points_follow_the_shop_setting(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    from plugin.models import Shop

    shop = db.session.get(Shop, shops["jp"].id)
    shop.settings = {"earning": {"signup": 250}}
    db.session.commit()
    deliver("customers/create", payloads.customer(email="taro@example.jp"), shop="jp")
    assert balance(shops["jp"].id, member("taro@example.jp").id) == 250

"""Offline tokens: from token exchange, encrypted at rest, refreshed before expiry (rotating)."""

from __future__ import annotations

from datetime import timedelta

from shopify_app import IdTokenDetails

from plugin.extensions import db
from plugin.models import Shop
from plugin.models.types import utcnow
from plugin.shopify.admin_api import admin_client, app_config, http_client
from plugin.shopify.token_store import offline_token, store_token
from plugin.shopify.tokens import exchange_offline_token
from tests import signing


def exchanged(shop: Shop) -> None:
    token = signing.session_token(shop.domain)
    details = IdTokenDetails(
        exchangeable=True, token=token, claims={"dest": f"https://{shop.domain}"}
    )
    store_token(shop, exchange_offline_token(app_config(), details, http_client()))
    db.session.commit()


def test_token_exchange_stores_an_encrypted_expiring_pair(shops) -> None:  # type: ignore[no-untyped-def]
    shop = shops["us"]
    exchanged(shop)
    db.session.expire_all()
    shop = db.session.get(Shop, shop.id)
    token = offline_token(shop)
    assert token is not None and token.access_token.startswith("shpat_")
    assert token.access_token not in (shop.access_token_enc or "")  # encrypted at rest
    assert token.refresh_token not in (shop.refresh_token_enc or "")
    assert shop.access_token_expires_at > utcnow()


def test_token_about_to_expire_is_refreshed_and_the_new_pair_kept(shops, fake_admin) -> None:  # type: ignore[no-untyped-def]
    shop = shops["us"]
    exchanged(shop)
    before = offline_token(shop)
    shop.access_token_expires_at = utcnow() + timedelta(minutes=2)  # inside the refresh margin
    db.session.commit()
    client = admin_client(shop)
    db.session.commit()
    after = offline_token(db.session.get(Shop, shop.id))
    assert after.access_token != before.access_token
    assert after.refresh_token != before.refresh_token  # refresh tokens rotate on each use
    assert fake_admin.access_token_valid(shop.domain, after.access_token)
    assert client.execute("ShopGet", {})["shop"] is not None


def test_fresh_token_is_not_refreshed(shops) -> None:  # type: ignore[no-untyped-def]
    shop = shops["us"]
    exchanged(shop)
    before = offline_token(shop)
    admin_client(shop)
    assert offline_token(db.session.get(Shop, shop.id)).access_token == before.access_token

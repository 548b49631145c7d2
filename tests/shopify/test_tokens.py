"""Offline tokens: exchange, refresh (the refresh token rotates), the refresh policy, encryption."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from cryptography.fernet import Fernet
from shopify_app.types import IdTokenDetails

from plugin.shopify.client import AdminClient, AdminUnauthorized, CostBuckets
from plugin.shopify.fake import FakeAdminApi
from plugin.shopify.tokens import (
    OfflineToken,
    TokenCipher,
    TokenDecryptionFailed,
    TokenExchangeFailed,
    exchange_offline_token,
    needs_refresh,
    refresh_offline_token,
)

from .conftest import SHOP

CLIENT_ID = "tesmart-client-id"
CLIENT_SECRET = "tesmart-client-secret-0123456789abcdef"
APP = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "old_client_secret": None}


def session_token(secret: str = CLIENT_SECRET, dest: str = f"https://{SHOP}") -> IdTokenDetails:
    now = int(time.time())
    claims = {
        "iss": f"{dest}/admin",
        "dest": dest,
        "aud": CLIENT_ID,
        "sub": "42",
        "exp": now + 60,
        "nbf": now - 5,
        "iat": now,
        "jti": "00000000-0000-0000-0000-000000000001",
        "sid": "session",
    }
    return IdTokenDetails(
        exchangeable=True, token=jwt.encode(claims, secret, algorithm="HS256"), claims=claims
    )


@pytest.fixture
def oauth_fake() -> FakeAdminApi:
    return FakeAdminApi(apps={CLIENT_ID: CLIENT_SECRET}, require_valid_tokens=True)


@pytest.fixture
def oauth_http(oauth_fake: FakeAdminApi):
    with oauth_fake.http_client() as http:
        yield http


def test_exchange_gives_an_expiring_offline_token_that_the_admin_api_accepts(
    oauth_fake, oauth_http
):
    token = exchange_offline_token(APP, session_token(), oauth_http)
    assert token.shop == SHOP
    assert token.access_token and token.refresh_token
    assert timedelta(minutes=55) < token.expires_at - datetime.now(UTC) <= timedelta(hours=1)
    assert token.refresh_token_expires_at is not None
    assert token.refresh_token_expires_at - datetime.now(UTC) > timedelta(days=80)
    assert "write_discounts" in token.scope
    assert oauth_fake.access_token_valid(SHOP, token.access_token)


def test_refresh_rotates_the_refresh_token_and_the_old_one_stops_working(oauth_fake, oauth_http):
    first = exchange_offline_token(APP, session_token(), oauth_http)
    second = refresh_offline_token(APP, first, oauth_http)
    assert second.access_token != first.access_token
    assert second.refresh_token != first.refresh_token
    assert oauth_fake.access_token_valid(SHOP, second.access_token)

    third = refresh_offline_token(APP, second, oauth_http)  # the new one works, again and again
    assert third.refresh_token not in (first.refresh_token, second.refresh_token)

    with pytest.raises(TokenExchangeFailed) as raised:
        refresh_offline_token(APP, first, oauth_http)  # spent
    assert raised.value.code == "invalid_grant"
    assert raised.value.needs_reauthorization and not raised.value.transient


def test_refresh_of_an_expired_refresh_token_fails_without_a_request(oauth_http):
    expired = OfflineToken(
        shop=SHOP,
        access_token="a",
        expires_at=datetime.now(UTC) - timedelta(days=1),
        refresh_token="r",
        refresh_token_expires_at=datetime.now(UTC) - timedelta(seconds=1),
        scope="",
    )
    with pytest.raises(TokenExchangeFailed) as raised:
        refresh_offline_token(APP, expired, oauth_http)
    assert raised.value.code == "refresh_token_expired"


def test_session_token_signed_with_another_secret_is_refused(oauth_http):
    with pytest.raises(TokenExchangeFailed) as raised:
        exchange_offline_token(
            APP, session_token(secret="not-the-secret-but-just-as-long-0123"), oauth_http
        )
    assert raised.value.code == "invalid_subject_token"
    assert raised.value.needs_reauthorization


def test_wrong_client_secret_is_refused(oauth_http):
    with pytest.raises(TokenExchangeFailed) as raised:
        exchange_offline_token({**APP, "client_secret": "wrong"}, session_token(), oauth_http)
    assert raised.value.code == "invalid_client"


def test_network_failure_is_transient():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("down", request=request)

    with (
        httpx.Client(transport=httpx.MockTransport(refuse)) as http,
        pytest.raises(TokenExchangeFailed) as raised,
    ):
        exchange_offline_token(APP, session_token(), http)
    assert raised.value.transient


NOW = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expires_in", "refresh"),
    [
        (timedelta(hours=1), False),
        (timedelta(minutes=6), False),
        (timedelta(minutes=5), True),
        (timedelta(minutes=1), True),
        (-timedelta(minutes=1), True),
    ],
    ids=["fresh", "just-outside-margin", "at-margin", "about-to-expire", "expired"],
)
def test_needs_refresh(expires_in, refresh):
    token = OfflineToken(SHOP, "a", NOW + expires_in, "r", None, "")
    assert needs_refresh(token, NOW) is refresh


def test_needs_refresh_wants_an_aware_time():
    token = OfflineToken(SHOP, "a", NOW, "r", None, "")
    with pytest.raises(ValueError):
        needs_refresh(token, NOW.replace(tzinfo=None))


def test_token_repr_hides_the_secrets():
    token = OfflineToken(SHOP, "shpat_secret", NOW, "shprt_secret", None, "read_products")
    assert "secret" not in repr(token)


@pytest.mark.parametrize(
    "key",
    [Fernet.generate_key().decode(), "dev-token-encryption-key-not-for-production"],
    ids=["fernet", "derived"],
)
def test_cipher_round_trip(key):
    cipher = TokenCipher(key)
    sealed = cipher.encrypt("shpat_0123456789abcdef")
    assert "shpat" not in sealed
    assert cipher.decrypt(sealed) == "shpat_0123456789abcdef"
    assert TokenCipher(key).decrypt(sealed) == "shpat_0123456789abcdef"  # same key, new process


def test_cipher_with_the_wrong_key_fails():
    sealed = TokenCipher(TokenCipher.generate_key()).encrypt("shpat_x")
    with pytest.raises(TokenDecryptionFailed):
        TokenCipher(TokenCipher.generate_key()).decrypt(sealed)
    with pytest.raises(TokenDecryptionFailed):
        TokenCipher("another secret entirely").decrypt(sealed)


def test_tampered_ciphertext_fails():
    cipher = TokenCipher(TokenCipher.generate_key())
    sealed = cipher.encrypt("shpat_x")
    with pytest.raises(TokenDecryptionFailed):
        cipher.decrypt(sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB"))


def test_cipher_key_rotation():
    old, new = TokenCipher.generate_key(), TokenCipher.generate_key()
    sealed_with_old = TokenCipher(old).encrypt("shprt_x")
    rotating = TokenCipher(new, old)
    assert rotating.decrypt(sealed_with_old) == "shprt_x"
    resealed = rotating.rotate(sealed_with_old)
    assert TokenCipher(new).decrypt(resealed) == "shprt_x"


def test_empty_key_is_refused():
    with pytest.raises(ValueError):
        TokenCipher("")


def test_expired_access_token_is_refused_until_refreshed(clock):
    fake = FakeAdminApi(clock=clock.monotonic, now=clock.utcnow, require_valid_tokens=True)
    with fake.http_client() as http:
        token = exchange_offline_token(APP, session_token(), http)

        def client(access_token: str) -> AdminClient:
            return AdminClient(SHOP, access_token, http_client=http, buckets=CostBuckets())

        assert client(token.access_token).execute("ShopGet")
        clock.advance(3601)
        with pytest.raises(AdminUnauthorized):
            client(token.access_token).execute("ShopGet")
        fresh = refresh_offline_token(APP, token, http)
        assert client(fresh.access_token).execute("ShopGet")


def test_a_spent_refresh_token_works_again_until_its_replacement_is_used(oauth_fake, oauth_http):
    # Shopify (August 2026): a refresh whose answer was lost or not stored is recovered with the
    # pair the app still has; using the replacement retires the one it replaced.
    first = exchange_offline_token(APP, session_token(), oauth_http)
    lost = refresh_offline_token(APP, first, oauth_http)  # the answer never reached the database
    recovered = refresh_offline_token(APP, first, oauth_http)
    assert oauth_fake.access_token_valid(SHOP, recovered.access_token)
    assert recovered.refresh_token != lost.refresh_token

    refresh_offline_token(APP, recovered, oauth_http)  # the replacement is used
    with pytest.raises(TokenExchangeFailed) as raised:
        refresh_offline_token(APP, first, oauth_http)
    assert raised.value.code == "invalid_grant"


def test_the_recovery_of_a_spent_refresh_token_ends_30_days_after_its_first_use(clock):
    fake = FakeAdminApi(clock=clock.monotonic, now=clock.utcnow, apps={CLIENT_ID: CLIENT_SECRET})
    with fake.http_client() as http:
        first = exchange_offline_token(APP, session_token(), http)
        refresh_offline_token(APP, first, http)
        clock.advance(timedelta(days=29).total_seconds())
        refresh_offline_token(APP, first, http)  # still inside the recovery period
        clock.advance(timedelta(days=1).total_seconds())
        with pytest.raises(TokenExchangeFailed) as raised:
            refresh_offline_token(APP, first, http)
        assert raised.value.needs_reauthorization


def test_a_refresh_token_past_its_end_needs_a_new_token_exchange(oauth_fake, oauth_http):
    token = exchange_offline_token(APP, session_token(), oauth_http)
    oauth_fake.expire_refresh_tokens(SHOP)
    stale = OfflineToken(**{**token.__dict__, "refresh_token_expires_at": None})
    with pytest.raises(TokenExchangeFailed) as raised:
        refresh_offline_token(APP, stale, oauth_http)
    assert raised.value.code == "invalid_grant" and raised.value.needs_reauthorization

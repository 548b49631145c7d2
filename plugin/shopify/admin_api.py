"""The Admin API for one shop: its token (refreshed before expiry) and the right transport.

``SHOPIFY_ADMIN_API=fake`` routes every call to the fake Admin API — in-process through an httpx
WSGI transport, or over loopback when ``FAKE_ADMIN_URL`` names a shared fake (multi-process runs).
With Redis (``REDIS_URL``) every process's clients share one throttle estimate per shop there
(:func:`cost_buckets`), so N workers together stay within the shop's bucket.
Nothing here is called from a web request's hot path; jobs call it.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import httpx
from flask import Flask, current_app

from plugin import clock
from plugin.extensions import db
from plugin.models import Shop
from plugin.shopify.client import (
    PROCESS_BUCKETS,
    AdminApiError,
    AdminClient,
    BucketEstimates,
)
from plugin.shopify.fake import FakeAdminApi
from plugin.shopify.redis_buckets import RedisCostBuckets
from plugin.shopify.token_store import offline_token, store_token
from plugin.shopify.tokens import TokenExchangeFailed, needs_refresh, refresh_offline_token
from plugin.shopify.transport import LoopbackTransport

log = logging.getLogger(__name__)
_lock = threading.Lock()


def fake_admin(app: Flask | None = None) -> Any:
    """The process's in-process fake Admin API (created on first use)."""
    app = app or current_app
    with _lock:
        fake = app.extensions.get("fake_admin")
        if fake is not None:
            return fake

        fake = FakeAdminApi(clock=clock.monotonic_clock(app))
        app.extensions["fake_admin"] = fake
    if app.config.get("DEV_MODE") and not app.config.get("TESTING"):
        _seed_dev_fake(app, fake)
    return fake


def _seed_dev_fake(app: Flask, fake: Any) -> None:
    """A dev server's fake starts empty: give it the database's customers, so the local
    storefront's reward codes can be made for them (``flask demo`` ran in another process)."""
    seed = app.extensions.get("seed_fake_admin")  # installed by the dev server (plugin/__init__)
    if seed is None:
        return
    try:
        with app.app_context():  # its own session, apart from the caller's unit of work
            seed(app, fake)
    except Exception:  # dev convenience only: a code for an unknown customer then fails visibly
        log.exception("could not seed the dev fake Admin API from the database")


def http_client(app: Flask | None = None) -> httpx.Client:
    """One shared client per process (connection pooling), built for the configured Admin API."""
    app = app or current_app
    with _lock:
        client: httpx.Client | None = app.extensions.get("admin_http_client")
        if client is not None:
            return client
    if app.config["SHOPIFY_ADMIN_API"] == "fake":
        if app.config.get("FAKE_ADMIN_URL"):
            transport: httpx.BaseTransport = LoopbackTransport(app.config["FAKE_ADMIN_URL"])
        else:
            transport = fake_admin(app).transport()
        client = httpx.Client(transport=transport, timeout=10.0)
    else:
        client = httpx.Client(timeout=httpx.Timeout(10.0, connect=3.0))
    with _lock:
        shared: httpx.Client = app.extensions.setdefault("admin_http_client", client)
        return shared


def app_config() -> dict[str, Any]:
    return {
        "client_id": current_app.config["SHOPIFY_API_KEY"],
        "client_secret": current_app.config["SHOPIFY_API_SECRET"],
        "old_client_secret": current_app.config.get("SHOPIFY_OLD_API_SECRET"),
    }


class ReauthorizationNeeded(AdminApiError):
    """The shop's refresh token is dead (expired, revoked, retired): no job can get a token now.

    Only a new session token can, so Admin API work for the shop waits (it is not failed) until the
    merchant next opens the app, which repeats the token exchange (plugin.admin.install).
    """

    transient = True


class TokenRefreshFailed(AdminApiError):
    """The refresh did not produce a token for another reason (network, Shopify, configuration):
    retried with the outbox's back-off like any other unavailable Admin API."""

    transient = True


def access_token(shop: Shop) -> str:
    """The shop's offline token, refreshed (and the new pair stored) when it is about to expire.

    A dead refresh token marks the shop (``reauthorization_needed_at``, committed with the caller's
    unit of work) and raises :class:`ReauthorizationNeeded`; from then on no refresh is tried until
    a token exchange has replaced the pair.
    """
    if shop.reauthorization_needed_at is not None:
        raise ReauthorizationNeeded("the shop must open the app again to renew its access token")
    token = offline_token(shop)
    if token is None:
        if current_app.config["SHOPIFY_ADMIN_API"] == "fake":
            return "fake-offline-token"
        raise ReauthorizationNeeded("the shop has no access token; open the app in Shopify admin")
    if token.refresh_token and needs_refresh(token, clock.now()):
        try:
            fresh = refresh_offline_token(app_config(), token, http_client())
        except TokenExchangeFailed as exc:
            if exc.needs_reauthorization:
                log.warning(
                    "refresh token of %s is dead (%s): waiting for the merchant",
                    shop.domain,
                    exc.code,
                )
                shop.reauthorization_needed_at = clock.now()
                db.session.flush()
                raise ReauthorizationNeeded(
                    f"the refresh token was refused ({exc.code}); the shop must open the app again"
                ) from exc
            raise TokenRefreshFailed(
                f"token refresh failed: {exc.code}", status=exc.status
            ) from exc
        store_token(shop, fresh)
        db.session.flush()
        return fresh.access_token
    return token.access_token


def distrust_access_token(shop: Shop) -> None:
    """Shopify answered 401 to the stored access token: refresh it before the next call."""
    if shop.access_token_expires_at is not None:
        shop.access_token_expires_at = clock.now()


def cost_buckets(app: Flask | None = None) -> BucketEstimates:
    """The throttle estimate the app's clients budget against.

    With a Redis queue: one shared by every process (``RedisCostBuckets``), over the queue's own
    connection (a second pool per process would buy nothing), falling back to this process's
    estimate while Redis is unreachable. Without one (tests, the embedded default, one process):
    the process's estimate.
    """
    app = app or current_app
    # A Redis queue has a connection; the in-process one has none (the queue is the jobs layer's).
    connection = getattr(app.extensions.get("tesmart_queue"), "connection", None)
    if connection is None:
        return PROCESS_BUCKETS

    # A test's injected clock (it moves with the test's recorded sleeps, and the fake Admin API's
    # bucket restores on it): the shared estimate must restore on it too, not on the Redis
    # server's. None in production: every process reads the server's clock.
    injected = app.extensions.get(clock.MONOTONIC_EXTENSION)
    with _lock:
        buckets = app.extensions.get("admin_cost_buckets")
        # Built once per app; again only if the queue (and so its connection) or the injected
        # clock was replaced.
        if (
            not isinstance(buckets, RedisCostBuckets)
            or buckets.redis is not connection
            or buckets.clock is not injected
        ):
            buckets = RedisCostBuckets(connection, fallback=PROCESS_BUCKETS, clock=injected)
            app.extensions["admin_cost_buckets"] = buckets
        return buckets


def admin_client(shop: Shop) -> AdminClient:
    return AdminClient(
        shop.domain,
        access_token(shop),
        http_client=http_client(),
        api_version=current_app.config["API_VERSION"],
        max_wait_seconds=5.0,
        buckets=cost_buckets(),
        sleep=clock.sleeper(),
        clock=clock.monotonic_clock(),
    )


def product_fetcher(shop: Shop) -> Any:
    """A function that reads one product from the Admin API as a products/* payload."""

    def fetch(product_id: str) -> dict[str, Any] | None:
        data = admin_client(shop).execute(
            "ProductGet", {"id": f"gid://shopify/Product/{product_id}"}
        )
        node = data.get("product")
        if not node:
            return None
        return {
            "id": product_id,
            "title": node.get("title"),
            "product_type": node.get("productType"),
            "tags": node.get("tags") or [],
            "updated_at": node.get("updatedAt"),
        }

    return fetch

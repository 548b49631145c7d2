"""Photos and videos for return requests (POLICY.md 6): bounded by size and by the type their
first bytes show, kept through the storage interface under the customer's own key, attachable only
by that customer, and visible to the merchant with the request."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from plugin.benefits import uploads
from plugin.extensions import db
from plugin.models import ReturnRequest
from plugin.storage import LocalDiskStorage, storage_from_setting
from tests import signing
from tests.admin.conftest import admin_get  # noqa: F401  (the merchant's document loads)
from tests.benefits.test_returns import RETURN_BODY, fulfilled
from tests.conftest import SHOP_DOMAINS
from tests.contract.openapi_check import assert_response_matches_openapi

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload(client, person, data, content_type="image/jpeg", region="us"):  # type: ignore[no-untyped-def]
    query = signing.proxy_query(SHOP_DOMAINS[region], str(person.customer_id) if person else None)
    response = client.post(f"/proxy/uploads?{query}", data=data, content_type=content_type)
    assert_response_matches_openapi(response)
    return response


@pytest.mark.parametrize(
    ("data", "claimed", "stored_as"),
    [
        pytest.param(JPEG, "image/jpeg", "image/jpeg", id="a JPEG photo"),
        pytest.param(
            PNG, "application/octet-stream", "image/png", id="a PNG, whatever the browser says"
        ),
        pytest.param(MP4, "video/mp4", "video/mp4", id="a short MP4 video"),
    ],
)
def test_photos_and_videos_are_stored_by_what_they_are(client, shopper, data, claimed, stored_as):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    response = upload(client, ann, data, claimed)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()["upload"]
    assert (body["content_type"], body["size"]) == (stored_as, len(data))
    from plugin.storage import storage

    key = uploads.key_for(ann.shop.id, str(ann.customer_id), body["id"])
    assert storage().get(key) == (data, stored_as)


def test_other_files_are_refused(client, shopper):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    response = upload(client, ann, b"%PDF-1.7 not a photo", "image/jpeg")
    assert (
        response.status_code == 415 and response.get_json()["error"]["code"] == "unsupported_file"
    )
    assert upload(client, ann, b"", "image/jpeg").status_code == 400


def test_a_file_over_the_limit_is_413(app, client, shopper):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    app.config["UPLOAD_MAX_BYTES"] = 1024
    response = upload(client, ann, JPEG + b"\x00" * 2048)
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "file_too_large"
    assert upload(client, ann, JPEG).status_code == 201


def test_the_default_limit_is_10_mb(app):  # type: ignore[no-untyped-def]
    assert app.config["UPLOAD_MAX_BYTES"] == 10 * 1024 * 1024


def test_a_visitor_cannot_upload(client, shops):  # type: ignore[no-untyped-def]
    assert upload(client, None, JPEG).status_code == 401


def test_a_return_request_carries_the_uploaded_photo_and_the_merchant_sees_it(
    client,
    shopper,
    deliver,
    api,
    admin_get,
):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=10)
    order = ann.orders[-1]
    deliver("orders/fulfilled", fulfilled(order, delivered_days_ago=5))
    photo = upload(client, ann, JPEG).get_json()["upload"]["id"]
    body = {**RETURN_BODY, "photos": [], "uploads": [photo], "order_id": str(order["id"])}
    response = api("POST", "/returns", ann, json=body)
    assert response.status_code == 201, response.get_json()
    row = db.session.execute(select(ReturnRequest)).scalar_one()
    assert row.photos == [f"upload:{ann.customer_id}/{photo}"]
    # The queue links to the request's page, which shows the shopper's files.
    assert f"/admin/returns/{row.id}" in admin_get("/admin/returns", shop="us").get_data(
        as_text=True
    )
    page = admin_get(f"/admin/returns/{row.id}", shop="us")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    link = f"/admin/returns/{row.id}/files/0"
    assert link in html
    served = admin_get(link, shop="us")
    assert served.status_code == 200 and served.data == JPEG and served.mimetype == "image/jpeg"
    assert admin_get(link, shop="eu").status_code == 404  # another shop's merchant


def test_a_request_cannot_attach_another_customers_upload(client, shopper, deliver, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=10)
    bob = shopper("bob@example.com", cohort="2025-11", bought_days_ago=10)
    deliver("orders/fulfilled", fulfilled(bob.orders[-1], delivered_days_ago=5))
    photo = upload(client, ann, JPEG).get_json()["upload"]["id"]
    body = {**RETURN_BODY, "photos": [], "uploads": [photo], "order_id": str(bob.orders[-1]["id"])}
    response = api("POST", "/returns", bob, json=body)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "unknown_upload"
    assert db.session.execute(select(ReturnRequest)).first() is None


def test_storage_is_local_disk_by_default_and_an_object_store_when_named(tmp_path):  # type: ignore[no-untyped-def]
    local = storage_from_setting(None, str(tmp_path))
    assert isinstance(local, LocalDiskStorage) and local.root == tmp_path / "uploads"
    bucket = storage_from_setting("s3://tesmart-uploads/returns", str(tmp_path))
    assert (type(bucket).__name__, bucket.bucket, bucket.prefix) == (
        "ObjectStorage",
        "tesmart-uploads",
        "returns/",
    )
    with pytest.raises(ValueError):
        local.put("../../etc/passwd", b"x", "image/jpeg")

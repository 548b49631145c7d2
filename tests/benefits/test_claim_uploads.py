"""Photos and video with a warranty claim: the same bounds and storage as a return's (POST
/proxy/uploads), attachable only by the member who uploaded them, shown on the claim's admin
page."""

from __future__ import annotations

from sqlalchemy import select

from plugin.extensions import db
from plugin.models import WarrantyClaim
from tests.admin.conftest import admin_get  # noqa: F401  (the merchant's document loads)
from tests.benefits.test_uploads import JPEG, MP4, upload

EXTENDED = 500  # days after purchase: past the standard year, inside the 3 years


def claim_body(person, uploads):  # type: ignore[no-untyped-def]
    return {
        "device_id": person.device.id,
        "description": "Port 3 no longer switches.",
        "serial": "TES-UP-1",
        "uploads": uploads,
    }


def test_a_claim_carries_the_members_photo_and_video_and_the_merchant_sees_them(  # type: ignore[no-untyped-def]
    client,
    shopper,
    api,
    admin_get,
):
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=EXTENDED)
    photo = upload(client, ann, JPEG).get_json()["upload"]["id"]
    video = upload(client, ann, MP4, "video/mp4").get_json()["upload"]["id"]
    response = api("POST", "/warranty-claims", ann, json=claim_body(ann, [photo, video]))
    assert response.status_code == 201, response.get_json()
    row = db.session.execute(select(WarrantyClaim)).scalar_one()
    assert row.photos == [f"upload:{ann.customer_id}/{photo}", f"upload:{ann.customer_id}/{video}"]
    html = admin_get(f"/admin/warranty-claims/{row.id}", shop="us").get_data(as_text=True)
    for index, (data, mimetype) in enumerate([(JPEG, "image/jpeg"), (MP4, "video/mp4")]):
        link = f"/admin/warranty-claims/{row.id}/files/{index}"
        assert link in html
        served = admin_get(link, shop="us")
        assert served.status_code == 200 and served.data == data and served.mimetype == mimetype
        assert admin_get(link, shop="eu").status_code == 404  # another shop's merchant
    assert admin_get(f"/admin/warranty-claims/{row.id}/files/2", shop="us").status_code == 404


def test_a_claim_without_files_still_goes_through(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=EXTENDED)
    body = claim_body(ann, None)
    del body["uploads"]
    assert api("POST", "/warranty-claims", ann, json=body).status_code == 201
    assert db.session.execute(select(WarrantyClaim)).scalar_one().photos == []


def test_a_claim_cannot_attach_another_members_upload_and_writes_nothing(client, shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=EXTENDED)
    bob = shopper("bob@example.com", cohort="2025-11", bought_days_ago=EXTENDED)
    photo = upload(client, ann, JPEG).get_json()["upload"]["id"]
    response = api("POST", "/warranty-claims", bob, json=claim_body(bob, [photo]))
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "unknown_upload"
    assert db.session.execute(select(WarrantyClaim)).first() is None
    assert bob.device.serial is None  # not even the serial was taken


def test_more_than_ten_files_or_a_made_up_id_is_a_400(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=EXTENDED)
    for uploads in (["x"], [f"{'a' * 32}.jpg"] * 11, "not-a-list"):
        response = api("POST", "/warranty-claims", ann, json=claim_body(ann, uploads))
        assert response.status_code == 400, uploads
    assert db.session.execute(select(WarrantyClaim)).first() is None

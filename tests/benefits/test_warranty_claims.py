"""Warranty claims: the extended warranty's one replacement, the replacement unit's own cover,
repairs and replacements during the standard warranty, shipping by country (POLICY.md 1, 4, 6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from plugin.benefits import warranty_claims
from plugin.extensions import db
from plugin.models import Device
from plugin.models.types import utcnow
from tests.benefits.conftest import WORN_NO_BOX, shop

STAFF = "staff:42"
EXTENDED = 400  # days since purchase: the 1-year standard warranty is over, the extension runs


SERIALS = iter(f"TES-CLAIM-{n}" for n in range(1, 10_000))


def claim(api, person, device_id=None):  # type: ignore[no-untyped-def]
    """A request as the card sends it: the serial number with it, for a device that has none."""
    device_id = device_id or person.device.id
    has_serial = (
        db.session.get(Device, device_id) is not None and db.session.get(Device, device_id).serial
    )
    body = {"device_id": device_id, "description": "Port 3 no longer switches."}
    if not has_serial:
        body["serial"] = next(SERIALS)
    return api("POST", "/warranty-claims", person, json=body)


@pytest.mark.parametrize(
    ("cohort", "days", "country", "product", "outcome", "payer"),
    [
        pytest.param(
            "2025-11",
            EXTENDED,
            None,
            "switch",
            "replacement",
            "tesmart",
            id="extended period, US: the one replacement, TESmart ships",
        ),
        pytest.param(
            "2025-11",
            EXTENDED,
            "BR",
            "switch",
            "replacement",
            "customer",
            id="extended period, Brazil: customer pays international shipping",
        ),
        pytest.param(
            "2025-11",
            EXTENDED,
            "CA",
            "extender",
            "replacement",
            "tesmart",
            id="2025-11 covers extenders; Canada ships free",
        ),
        pytest.param(
            "legacy", EXTENDED, None, "switch", "replacement", "tesmart", id="legacy, US switch"
        ),
        pytest.param(
            "2025-04",
            100,
            None,
            "switch",
            "replacement",
            "tesmart",
            id="standard warranty, member: same-model replacement",
        ),
    ],
)
def test_claims_that_are_accepted(shopper, api, cohort, days, country, product, outcome, payer):  # type: ignore[no-untyped-def]
    ann = shopper(
        "ann@example.com", cohort=cohort, bought_days_ago=days, country=country, product=product
    )
    response = claim(api, ann)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()["claim"]
    assert (body["state"], body["outcome"], body["return_shipping_paid_by"]) == (
        "open",
        outcome,
        payer,
    )


@pytest.mark.parametrize(
    ("cohort", "days", "country", "product", "words"),
    [
        pytest.param(
            "2025-04",
            EXTENDED,
            None,
            "extender",
            "not covered",
            id="2025-04 does not cover extenders",
        ),
        pytest.param(
            "legacy",
            EXTENDED,
            "BR",
            "switch",
            "US, the EU and Japan",
            id="legacy outside its regions",
        ),
        pytest.param("legacy", 1200, None, "switch", "has ended", id="past 3 years"),
    ],
)
def test_claims_that_are_refused_say_why(shopper, api, cohort, days, country, product, words):  # type: ignore[no-untyped-def]
    ann = shopper(
        "ann@example.com", cohort=cohort, bought_days_ago=days, country=country, product=product
    )
    response = claim(api, ann)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "replacement_unavailable"
    assert words in response.get_json()["error"]["message"]


def test_activated_after_the_standard_warranty_there_is_no_extension(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", bought_days_ago=EXTENDED)  # activated now, by logging in
    response = claim(api, ann)
    assert response.status_code == 422
    assert "activated after" in response.get_json()["error"]["message"]


def test_without_an_active_id_a_standard_warranty_claim_is_a_repair(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=100)
    ann.member.state = "cancelled"
    db.session.commit()
    assert claim(api, ann).get_json()["claim"]["outcome"] == "repair"


def test_one_replacement_per_product_and_the_unit_is_covered_90_days(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=EXTENDED)
    original = ann.device
    first = claim(api, ann).get_json()["claim"]
    second = claim(api, ann)
    assert second.status_code == 409 and second.get_json()["error"]["code"] == "claim_open"

    warranty_claims.approve_claim(shop("us"), first["id"], STAFF)
    exchanged_on = utcnow().date()
    warranty_claims.ship_replacement(
        shop("us"), first["id"], STAFF, serial="TES-NEW-1", exchanged_on=exchanged_on
    )
    db.session.expire_all()
    assert db.session.get(Device, original.id).state == "void"
    [unit] = api("GET", "/devices", ann).get_json()["devices"]
    assert unit["id"] != original.id and unit["serial"] == "TES-NEW-1"
    assert unit["purchased_at"] == original.purchased_on.isoformat()
    assert unit["standard_warranty_end"] == (exchanged_on + timedelta(days=90)).isoformat()
    assert (unit["extended_warranty_end"], unit["replacement_used"]) == (None, True)
    assert unit["warranty"]["claim_available"] is False
    # The old unit is gone; the new one's problems are warranty work within its own cover.
    assert claim(api, ann, device_id=original.id).status_code == 404


def test_the_replacement_unit_is_covered_no_less_than_the_statutory_time_left(shopper):  # type: ignore[no-untyped-def]
    from plugin.program.benefits.warranty import replacement_cover_end

    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=EXTENDED)
    device = ann.device
    created = warranty_claims.create_claim(
        shop("us"), ann.member, device.id, "dead", actor="customer:1", serial="SN-1"
    )
    warranty_claims.approve_claim(shop("us"), created.id, STAFF)
    exchanged = utcnow().date()
    warranty_claims.ship_replacement(shop("us"), created.id, STAFF, exchanged_on=exchanged)
    unit = db.session.execute(
        select(Device).where(Device.replacement_of_id == device.id)
    ).scalar_one()
    statutory_end = device.purchased_on.replace(year=device.purchased_on.year + 1)
    assert unit.cover_until == replacement_cover_end(exchanged, statutory_end)


def test_a_refused_claim_gives_the_replacement_back(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=EXTENDED)
    first = claim(api, ann).get_json()["claim"]
    warranty_claims.approve_claim(shop("us"), first["id"], STAFF)
    assert ann.device.replacement_used is True
    warranty_claims.refuse_claim(shop("us"), first["id"], STAFF, "damage from misuse")
    assert ann.device.replacement_used is False
    assert claim(api, ann).status_code == 201


def test_asking_does_not_use_the_replacement_granting_does(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=EXTENDED)
    first = claim(api, ann).get_json()["claim"]
    assert first["withdrawable"] is True
    assert ann.device.replacement_used is False
    [device] = api("GET", "/devices", ann).get_json()["devices"]
    assert device["replacement_used"] is False
    assert (
        device["warranty"]["claim"]["state"] == "open"
        and device["warranty"]["claim_available"] is False
    )
    warranty_claims.approve_claim(shop("us"), first["id"], STAFF)
    assert ann.device.replacement_used is True


def test_a_request_can_be_withdrawn_until_it_is_granted(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=EXTENDED)
    first = claim(api, ann).get_json()["claim"]
    response = api("POST", f"/warranty-claims/{first['id']}/withdraw", ann)
    assert response.status_code == 200
    assert response.get_json()["claim"]["state"] == "withdrawn"
    [device] = api("GET", "/devices", ann).get_json()["devices"]
    assert device["warranty"]["claim"] is None and device["warranty"]["claim_available"] is True
    again = claim(api, ann).get_json()["claim"]
    warranty_claims.approve_claim(shop("us"), again["id"], STAFF)
    late = api("POST", f"/warranty-claims/{again['id']}/withdraw", ann)
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "invalid_transition"


def test_only_the_member_who_asked_can_withdraw(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=EXTENDED)
    bob = shopper("bob@example.com", cohort="2025-11", bought_days_ago=EXTENDED)
    first = claim(api, ann).get_json()["claim"]
    assert api("POST", f"/warranty-claims/{first['id']}/withdraw", bob).status_code == 404
    assert api("POST", "/warranty-claims/999999/withdraw", ann).status_code == 404


def test_a_request_needs_the_serial_number(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=EXTENDED)
    bare = api(
        "POST", "/warranty-claims", ann, json={"device_id": ann.device.id, "description": "dead"}
    )
    assert bare.status_code == 422 and bare.get_json()["error"]["code"] == "serial_required"
    assert ann.device.serial is None
    sent = api(
        "POST",
        "/warranty-claims",
        ann,
        json={"device_id": ann.device.id, "description": "dead", "serial": "tes-77"},
    )
    assert sent.status_code == 201
    assert ann.device.serial == "TES-77"


def test_a_refused_claim_shows_the_reason(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=EXTENDED)
    first = claim(api, ann).get_json()["claim"]
    warranty_claims.refuse_claim(
        shop("us"), first["id"], STAFF, "The damage comes from a power surge."
    )
    [device] = api("GET", "/devices", ann).get_json()["devices"]
    assert device["warranty"]["claim"]["state"] == "refused"
    assert device["warranty"]["claim"]["refusal_reason"] == "The damage comes from a power surge."


# --- legacy: a warranty exchange or a trade-in, not both ------------------------------------------


def test_legacy_a_request_alone_does_not_end_the_trade_in(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="legacy", bought_days_ago=EXTENDED)
    assert claim(api, ann).status_code == 201
    answer = api(
        "POST", "/trade-in/quote", ann, json={"device_id": ann.device.id, "condition": WORN_NO_BOX}
    ).get_json()
    assert answer["eligible"] is True and answer["quote_id"] is not None


def test_legacy_a_trade_in_applied_while_a_request_waits_blocks_granting_it(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="legacy", bought_days_ago=EXTENDED)
    first = claim(api, ann).get_json()["claim"]
    answer = api(
        "POST", "/trade-in/quote", ann, json={"device_id": ann.device.id, "condition": WORN_NO_BOX}
    ).get_json()
    assert api("POST", "/trade-ins", ann, json={"quote_id": answer["quote_id"]}).status_code == 201
    with pytest.raises(warranty_claims.TradeInTaken):
        warranty_claims.approve_claim(shop("us"), first["id"], STAFF)
    assert ann.device.replacement_used is False


def test_legacy_after_a_warranty_exchange_there_is_no_trade_in(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="legacy", bought_days_ago=EXTENDED)
    first = claim(api, ann).get_json()["claim"]
    warranty_claims.approve_claim(shop("us"), first["id"], STAFF)
    answer = api(
        "POST", "/trade-in/quote", ann, json={"device_id": ann.device.id, "condition": WORN_NO_BOX}
    ).get_json()
    assert (answer["eligible"], answer["quote_id"]) == (False, None)
    assert "either a warranty exchange or a trade-in" in answer["reason"]


def test_legacy_after_a_trade_in_there_is_no_warranty_exchange(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="legacy", bought_days_ago=EXTENDED)
    answer = api(
        "POST", "/trade-in/quote", ann, json={"device_id": ann.device.id, "condition": WORN_NO_BOX}
    ).get_json()
    assert api("POST", "/trade-ins", ann, json={"quote_id": answer["quote_id"]}).status_code == 201
    response = claim(api, ann)
    assert response.status_code == 422
    assert "either a trade-in or a warranty exchange" in response.get_json()["error"]["message"]


def test_legacy_a_quote_made_before_the_exchange_cannot_be_used_after_it(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="legacy", bought_days_ago=EXTENDED)
    answer = api(
        "POST", "/trade-in/quote", ann, json={"device_id": ann.device.id, "condition": WORN_NO_BOX}
    ).get_json()
    granted = claim(api, ann).get_json()["claim"]
    warranty_claims.approve_claim(shop("us"), granted["id"], STAFF)
    response = api("POST", "/trade-ins", ann, json={"quote_id": answer["quote_id"]})
    assert (
        response.status_code == 422
        and response.get_json()["error"]["code"] == "trade_in_unavailable"
    )


def test_2025_11_a_device_sent_in_for_recovery_has_nothing_left_to_exchange(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=EXTENDED)
    answer = api(
        "POST", "/trade-in/quote", ann, json={"device_id": ann.device.id, "condition": WORN_NO_BOX}
    ).get_json()
    api("POST", "/trade-ins", ann, json={"quote_id": answer["quote_id"], "serial": "SN-9"})
    response = claim(api, ann)
    assert response.status_code == 422 and "handed in" in response.get_json()["error"]["message"]

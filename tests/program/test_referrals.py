"""Referral rewards and the refusals (POLICY.md section 3, Referrals)."""

import pytest

from plugin.program.referrals import ReferralRefusal, check_referral

HOME = {"address1": "12 Main St", "zip": "10001", "country_code": "US"}
FRIENDS_HOME = {"address1": "99 Elm Rd", "zip": "10002", "country_code": "US"}


def refusal(**overrides):
    facts = {
        "referrer_customer_id": 1,
        "referrer_email": "ann@example.com",
        "referrer_addresses": [HOME],
        "friend_customer_id": 2,
        "friend_email": "bob@example.com",
        "friend_address": FRIENDS_HOME,
        "friend_prior_orders": 0,
        "referrer_rewards_this_month": 0,
    }
    facts.update(overrides)
    return check_referral(**facts)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        pytest.param({}, None, id="a new friend at another address → rewarded"),
        pytest.param(
            {"friend_customer_id": "1"},
            ReferralRefusal.SAME_CUSTOMER,
            id="same customer → self-referral",
        ),
        pytest.param(
            {"friend_email": "  ANN@Example.com "},
            ReferralRefusal.SAME_EMAIL,
            id="same email, other case and spaces → self-referral",
        ),
        pytest.param(
            {
                "friend_address": {
                    "address1": " 12  main   ST ",
                    "zip": "10001",
                    "country_code": "us",
                }
            },
            ReferralRefusal.SAME_ADDRESS,
            id="same address, other case and spacing → self-referral",
        ),
        pytest.param(
            {"friend_address": {"address1": "12 Main St", "zip": "10 001", "country_code": "US"}},
            ReferralRefusal.SAME_ADDRESS,
            id="same address, zip written with a space → self-referral",
        ),
        pytest.param(
            {"friend_address": {"address1": "12 Main St", "zip": "10003", "country_code": "US"}},
            None,
            id="same street line, other zip → rewarded",
        ),
        pytest.param(
            {"friend_address": {"address1": "12 Main St", "zip": "10001", "country_code": "CA"}},
            None,
            id="same street and zip, other country → rewarded",
        ),
        pytest.param({"friend_address": None}, None, id="friend without an address → rewarded"),
        pytest.param(
            {
                "referrer_addresses": [{"address1": "", "zip": ""}],
                "friend_address": {"address1": "", "zip": ""},
            },
            None,
            id="two empty addresses are not the same place",
        ),
        pytest.param(
            {"referrer_fingerprints": ["fp-1"], "friend_fingerprint": "fp-1"},
            ReferralRefusal.SAME_FINGERPRINT,
            id="same payment or browser fingerprint → self-referral",
        ),
        pytest.param(
            {"referrer_fingerprints": ["fp-1"], "friend_fingerprint": None},
            None,
            id="fingerprint unknown → rewarded",
        ),
        pytest.param({"friend_email": None}, None, id="friend email unknown → rewarded"),
        pytest.param(
            {"friend_prior_orders": 1},
            ReferralRefusal.FRIEND_ALREADY_ORDERED,
            id="friend already had an order → not rewarded",
        ),
        pytest.param(
            {"referrer_rewards_this_month": 19}, None, id="19th reward this month → rewarded"
        ),
        pytest.param(
            {"referrer_rewards_this_month": 20},
            ReferralRefusal.MONTHLY_CAP_REACHED,
            id="20 rewards this month → cap reached",
        ),
        pytest.param(
            {"referrer_rewards_this_month": 5, "monthly_cap": 5},
            ReferralRefusal.MONTHLY_CAP_REACHED,
            id="a store cap of 5 → cap reached at 5",
        ),
        pytest.param(
            {"referrer_rewards_this_month": 500, "monthly_cap": None}, None, id="no cap → rewarded"
        ),
        pytest.param(
            {"referrer_activated": False},
            ReferralRefusal.REFERRER_NOT_ACTIVATED,
            id="referrer without an activated ID → not rewarded",
        ),
    ],
)
def test_check_referral(facts, expected):
    assert refusal(**facts) == expected

"""The webhook topics are written once (webhooks/topics.py); the app's subscriptions in
shopify.app.toml, the API description and the shape checks agree with that list."""

import tomllib
from pathlib import Path

from tests.contract.openapi_check import load_spec
from webhooks.shapes import SHAPES
from webhooks.topics import COMPLIANCE_TOPICS, HANDLERS, TOPICS

REPO = Path(__file__).resolve().parents[2]


def _subscriptions() -> list[dict]:
    config = tomllib.loads((REPO / "shopify.app.toml").read_text(encoding="utf-8"))
    return config["webhooks"]["subscriptions"]


def test_the_app_subscribes_to_exactly_the_handled_topics():
    subscribed = [t for s in _subscriptions() for t in s.get("topics", [])]
    compliance = [t for s in _subscriptions() for t in s.get("compliance_topics", [])]
    assert sorted(subscribed) == sorted(TOPICS - COMPLIANCE_TOPICS)
    assert sorted(compliance) == sorted(COMPLIANCE_TOPICS)


def test_each_subscription_is_delivered_to_its_topics_route():
    for subscription in _subscriptions():
        (topic,) = subscription.get("topics", []) + subscription.get("compliance_topics", [])
        assert subscription["uri"] == f"/webhooks/{topic}"


def test_the_api_description_names_the_same_topics():
    spec = load_spec()
    assert sorted(spec["components"]["schemas"]["WebhookTopic"]["enum"]) == sorted(TOPICS)


def test_every_topic_has_a_handler_and_every_shape_check_a_topic():
    assert set(HANDLERS) == TOPICS
    assert COMPLIANCE_TOPICS <= TOPICS
    assert set(SHAPES) <= TOPICS

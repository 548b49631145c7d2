"""Product categories from a product's type and tags, by a per-store mapping (POLICY.md 4).

The mapping is data the merchant edits: product type (case-insensitive) -> category. A tag
``tesmart:<category>`` on the product overrides the type, for products whose type is used for
something else in the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

CATEGORIES = ("kvm_switch", "kvm_extender", "matrix", "accessory", "other")
WARRANTY_CATEGORIES = frozenset(
    {"kvm_switch", "kvm_extender", "matrix"}
)  # the union of all cohorts

DEFAULT_CATEGORY_MAPPING: dict[str, str] = {
    "kvm switch": "kvm_switch",
    "kvm extender": "kvm_extender",
    "matrix": "matrix",
    "accessory": "accessory",
    "cable": "accessory",
}
TAG_PREFIX = "tesmart:"


def parse_tags(tags: str | Iterable[str] | None) -> list[str]:
    """Shopify sends tags as "a, b, c" in webhooks and as a list in GraphQL."""
    if tags is None:
        return []
    items = tags.split(",") if isinstance(tags, str) else list(tags)
    return [t.strip() for t in items if t and t.strip()]


def category_for(
    product_type: str | None,
    tags: str | Iterable[str] | None,
    mapping: Mapping[str, str] = DEFAULT_CATEGORY_MAPPING,
) -> str:
    for tag in parse_tags(tags):
        if tag.lower().startswith(TAG_PREFIX):
            candidate = tag[len(TAG_PREFIX) :].strip().lower()
            if candidate in CATEGORIES:
                return candidate
    normalized = {k.strip().lower(): v for k, v in mapping.items()}
    return normalized.get((product_type or "").strip().lower(), "other")

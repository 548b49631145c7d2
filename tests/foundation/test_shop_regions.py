"""A shop installed for a region takes its currency, locale and zone from the one table of the
stores (``plugin.program.regions.STORES``, POLICY.md section 1)."""

import pytest

from plugin.program.regions import STORES, Region
from plugin.shops.registry import ShopError, add_shop


@pytest.mark.parametrize("region", list(Region), ids=str)
def test_a_new_shop_takes_its_store_from_the_table(app, region):  # type: ignore[no-untyped-def]
    shop = add_shop(f"new-{region.value}-store", region.value)
    store = STORES[region]
    assert (shop.region, shop.currency, shop.locale, shop.timezone) == (
        region.value,
        store.currency,
        store.locale,
        store.default_zone,
    )


@pytest.mark.parametrize("region", ["uk", "US", "", "tesmart.de"])
def test_any_other_region_is_refused(app, region):  # type: ignore[no-untyped-def]
    with pytest.raises(ShopError, match="region must be one of us, eu, jp, kr"):
        add_shop("another-store", region)

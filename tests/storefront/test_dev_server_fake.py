"""A dev server's fake Admin API (plugin.shopify.admin_api): `flask demo` and `flask run` are two
processes, so the server's fake is seeded from the database when it is created."""

from __future__ import annotations

from tests.conftest import SHOP_DOMAINS


def test_a_dev_server_s_fake_admin_api_knows_the_customers_of_the_database(
    app, shops, deliver
) -> None:  # type: ignore[no-untyped-def]
    """`flask demo` and `flask run` are two processes: the server's fake starts empty and is seeded
    from the database, so a reward code can be made for a customer it has not been told about."""
    from plugin.shopify.admin_api import fake_admin
    from tests import payloads

    customer = payloads.customer(email="mika@example.com", verified_email=True)
    assert deliver("customers/create", customer, shop="jp").status_code == 200
    app.config["TESTING"] = False  # a dev server, not a test
    app.extensions.pop("fake_admin", None)
    try:
        fresh = fake_admin(app)
    finally:
        app.config["TESTING"] = True
    assert (
        fresh.customer(SHOP_DOMAINS["jp"], f"gid://shopify/Customer/{customer['id']}")["email"]
        == "mika@example.com"
    )

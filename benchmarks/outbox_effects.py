"""What each ledger entry costs in outbox rows (issue 18's effects: Flow triggers, emails, the
customer metafields), counted, not timed, so the figures hold on a busy machine.

    .venv/bin/python -m benchmarks.outbox_effects [--orders 50] [--entries 100]

In-process, on a throwaway SQLite database with the fake Admin API (as under `make run`):
(1) paid orders of one activated member: outbox rows written per order, by kind, SQL statements
per order (the order's unit of work and its in-process effects) and Admin API calls per order;
(2) coalescing: ``--entries`` ledger entries for one customer within one minute, then the sweep of
the next minute: the metafield writes the fake received (1 is the design). `make bench` prints the
same rows (part ``outbox``).
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.scenarios import Row


def _app(directory: str) -> Any:
    from flask_migrate import upgrade

    from plugin import create_app

    app = create_app(
        {
            "TESTING": True,
            "DEV_MODE": "1",
            "SHOPIFY_API_KEY": "bench-key",
            "SHOPIFY_API_SECRET": "bench-secret",
            "SHOPIFY_OLD_API_SECRET": "",
            "APP_URL": "https://members.bench.invalid",
            "DATABASE_URL": f"sqlite:///{Path(directory) / 'bench.sqlite3'}",
            "REDIS_URL": "",
            "SHOPIFY_ADMIN_API": "fake",
            "FAKE_ADMIN_URL": "",
            "TOKEN_ENCRYPTION_KEY": "bench-token-encryption-key-0123456789",
            "DEV_MAILBOX": str(Path(directory) / "mail"),
        }
    )
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parents[1] / "migrations"))
    return app


def _member(shop: Any, email: str, customer_id: int, fake: Any) -> Any:
    from plugin import clock
    from plugin.accounts import activate, get_or_create_member, link_customer
    from plugin.extensions import db

    member = get_or_create_member(email)
    activate(member, clock.now() - timedelta(days=30), "bench")
    link_customer(shop, str(customer_id), member=member, email=email)
    db.session.commit()
    fake.add_customer(shop.domain, email=email, customer_id=customer_id)
    return member


class _Statements:
    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1


def _kinds() -> Counter[str]:
    from sqlalchemy import func, select

    from plugin.extensions import db
    from plugin.models import OutboxItem

    rows = db.session.execute(select(OutboxItem.kind, func.count()).group_by(OutboxItem.kind)).all()
    return Counter({kind: count for kind, count in rows})


def measure(orders: int = 50, entries: int = 100) -> list[Row]:
    import time_machine

    from plugin import ledger
    from plugin.extensions import db
    from plugin.jobs import sweep
    from plugin.points.orders import apply_paid
    from plugin.shopify.admin_api import fake_admin
    from plugin.shopify.payloads import OrderSnapshot
    from plugin.shops.registry import add_shop
    from tests import payloads

    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as directory:
        app = _app(directory)
        # A fixed minute's start, so the coalescing window is the one this run chooses.
        start = datetime.now(UTC).replace(second=1, microsecond=0) + timedelta(minutes=5)
        with app.app_context(), time_machine.travel(start, tick=False):
            fake = fake_admin(app)
            shop = add_shop("tesmart-us.myshopify.com", "us")
            db.session.commit()
            member = _member(shop, "bench@example.com", 9_000_001, fake)
            shop_id, domain, member_id = shop.id, shop.domain, member.id
            sweep()
            statements = _Statements(db.engine)
            before, calls_before = _kinds(), len(fake.calls)
            counted = statements.count
            for n in range(orders):
                payload = payloads.order(
                    order_id=8_000_000 + n,
                    lines=[payloads.line_item(None, "120.00")],
                    customer_block=payloads.customer(9_000_001, "bench@example.com"),
                    email="bench@example.com",
                )
                apply_paid(shop, OrderSnapshot.from_webhook(payload))
                db.session.commit()
            per_order_statements = (statements.count - counted) / orders
            added = _kinds() - before
            calls = (len(fake.calls) - calls_before) / orders
            per_kind = ", ".join(
                f"{kind} {count / orders:g}" for kind, count in sorted(added.items())
            )
            rows.append(
                Row(
                    "outbox",
                    f"{sum(added.values()) / orders:g} outbox rows / paid order",
                    notes=per_kind,
                )
            )
            rows.append(
                Row(
                    "outbox",
                    f"{per_order_statements:.1f} SQL statements / paid order",
                    notes="the order's unit of work and its in-process effects, SQLite",
                )
            )
            rows.append(
                Row(
                    "outbox",
                    f"{calls:g} Admin API calls / paid order",
                    notes="before the minute's metafield write",
                )
            )
            sweep()
        later = start + timedelta(minutes=2)
        with app.app_context(), time_machine.travel(later, tick=False):
            sweep()  # the orders' coalesced write goes out; the coalescing window starts clean
            fake = fake_admin(app)
            writes_before = fake.operations_called(domain).count("MetafieldsSet")
            rows_before = _kinds()
            for n in range(entries):
                ledger.post_entry(
                    shop_id=shop_id,
                    member_id=member_id,
                    delta=5,
                    kind="adjustment",
                    cause_key=f"bench:{n}",
                )
                db.session.commit()
            sweep()
        with (
            app.app_context(),
            time_machine.travel(later + timedelta(minutes=1, seconds=5), tick=False),
        ):
            sweep()
            fake = fake_admin(app)
            writes = fake.operations_called(domain).count("MetafieldsSet") - writes_before
            metafield_rows = sum(
                n for kind, n in (_kinds() - rows_before).items() if "metafield" in kind
            )
            rows.append(
                Row(
                    "outbox",
                    f"{entries} ledger entries in a minute → {writes} metafield write(s)",
                    target="1",
                    met=writes == 1,
                    notes=f"{metafield_rows} metafield outbox row(s)",
                )
            )
            db.session.remove()
            db.engine.dispose()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.outbox_effects", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--orders", type=int, default=50)
    parser.add_argument("--entries", type=int, default=100)
    args = parser.parse_args(argv)
    for row in measure(args.orders, args.entries):
        print(
            f"{row.figure:<60} {row.target:>4} "
            f"{'' if row.met is None else ('met' if row.met else 'NOT met'):>8}  {row.notes}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

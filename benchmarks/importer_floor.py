"""`members import` against its floor: the same rows inserted with PostgreSQL COPY.

The app imports ``rows`` old-program members in this process; the rows that import left in every
table (members, wallets, point entries, activities, outbox items...) are then copied out, deleted,
and written back with COPY in one transaction. That is the least any importer must do to leave the
same rows, so the ratio says what the import's checks, savepoints and idempotent keys cost.

    python -m benchmarks.importer_floor --database-url postgresql://... --rows 20000
"""

from __future__ import annotations

import argparse
import io
import time
from typing import Any

import psycopg

from benchmarks.scenarios import Row


def old_rows(count: int, shop: str) -> list[dict[str, str]]:
    return [
        {
            "email": f"imported{n}@example.com",
            "registered_at": f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}",
            "shop": shop,
            "points": str(n % 5000),
        }
        for n in range(count)
    ]


def _counts(conn: psycopg.Connection[Any], tables: list[str]) -> dict[str, int]:
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # type: ignore[index]


def _config(database_url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "SHOPIFY_API_KEY": "bench",
        "SHOPIFY_API_SECRET": "bench-api-secret-0123456789abcdefghijkl",
        "APP_URL": "https://members.bench",
        "TOKEN_ENCRYPTION_KEY": "bench-token-encryption-key-0123456789",
        "REDIS_URL": "",
        "SHOPIFY_ADMIN_API": "fake",
    }


def measure(
    database_url: str, count: int, shop_domain: str = "tesmart-us.myshopify.com"
) -> dict[str, float]:
    """Import ``count`` rows through the app, then COPY the same rows; rates in rows per second."""
    from plugin import create_app
    from plugin.extensions import db
    from plugin.members.importer import import_members

    app = create_app(_config(database_url))
    rows = old_rows(count, shop_domain)
    with app.app_context():
        tables = [t.name for t in db.metadata.sorted_tables]
        with psycopg.connect(database_url, autocommit=True) as conn:
            before = _counts(conn, tables)
        cpu, wall = time.process_time(), time.perf_counter()
        run = import_members(rows, filename="bench.csv", actor="bench")
        app_seconds, app_cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert run.imported_rows == count, run.errors[:3]
        db.session.remove()
        db.engine.dispose()
    with psycopg.connect(database_url) as conn:
        after = _counts(conn, tables)
        grown = [t for t in tables if after[t] > before[t]]
        dumps: dict[str, bytes] = {}
        for table in grown:  # only the rows this import added (ids above the ones before)
            buffer = io.BytesIO()
            query = f'COPY (SELECT * FROM "{table}" ORDER BY id OFFSET {before[table]}) TO STDOUT'
            with conn.cursor().copy(query) as copy:
                for chunk in copy:
                    buffer.write(chunk)
            dumps[table] = buffer.getvalue()
        for table in reversed(grown):
            conn.execute(
                f'DELETE FROM "{table}" WHERE id IN (SELECT id FROM "{table}" ORDER BY id OFFSET '
                f"{before[table]})"
            )
        conn.commit()
        wall = time.perf_counter()
        for table in grown:
            with conn.cursor().copy(f'COPY "{table}" FROM STDIN') as copy:
                copy.write(dumps[table])
        conn.commit()
        copy_seconds = time.perf_counter() - wall
    return {
        "rows": count,
        "app_rate": count / app_seconds,
        "copy_rate": count / copy_seconds,
        "app_cpu_ms_per_row": 1000 * app_cpu / count,
        "tables": len(grown),
    }


def rows(database_url: str, count: int) -> list[Row]:
    figures = measure(database_url, count)
    ratio = figures["app_rate"] / figures["copy_rate"]
    return [
        Row(
            f"members import, {count:,} rows",
            f"{figures['app_rate']:.0f} rows/s",
            "≥ 0.50 of COPY",
            ratio >= 0.5,
            f"{figures['app_cpu_ms_per_row']:.2f} ms CPU per row in-process; COPY of the same rows "
            f"into {figures['tables']:.0f} tables",
            floor=f"{figures['copy_rate']:.0f} rows/s",
            ratio=ratio,
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument(
        "--prepare", action="store_true", help="migrate the database and add the US shop first"
    )
    args = parser.parse_args()
    if args.prepare:
        from flask_migrate import upgrade

        from plugin import create_app
        from plugin.extensions import db
        from plugin.shops.registry import add_shop

        app = create_app(_config(args.database_url))
        with app.app_context():
            upgrade(revision="heads")
            add_shop("tesmart-us.myshopify.com", "us")
            db.session.commit()
            db.engine.dispose()
    for row in rows(args.database_url, args.rows):
        print(row)


if __name__ == "__main__":
    main()

"""`members import` of a large file against a floor that writes the same rows with PostgreSQL COPY.

The app row runs the real command (`flask --app plugin members import FILE`) in its own process, as
an operator would, and is timed from start to exit. The floor reads the same CSV, parses each row's
date and points, and writes what an import leaves behind (one member, one wallet with the opening
balance, one ledger entry per row) with three COPY statements in one transaction: the least a
correct import can cost, with no checks, no TESmart ID and no per-row savepoint.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from datetime import time as day_time
from pathlib import Path

import psycopg

from benchmarks.scenarios import Row
from benchmarks.stack import ROOT, SHOP_DOMAINS, Stack

TARGET = 0.5
FULL_ROWS = 200_000
QUICK_ROWS = 2_000

FLOOR_DDL = (
    "DROP TABLE IF EXISTS floor_import_members, floor_import_wallets, floor_import_ledger;"
    " CREATE TABLE floor_import_members (id BIGSERIAL PRIMARY KEY, email VARCHAR(320) UNIQUE NOT NULL,"
    " shop VARCHAR(255) NOT NULL, registered_at TIMESTAMPTZ NOT NULL);"
    " CREATE TABLE floor_import_wallets (email VARCHAR(320) PRIMARY KEY, balance INTEGER NOT NULL);"
    " CREATE TABLE floor_import_ledger (id BIGSERIAL PRIMARY KEY, cause_key VARCHAR(128) UNIQUE NOT NULL,"
    " email VARCHAR(320) NOT NULL, delta INTEGER NOT NULL, created_at TIMESTAMPTZ NOT NULL)"
)


def write_file(path: Path, count: int, run: int = 0) -> None:
    """``count`` members of the four shops, registered on past days, most with an opening balance."""
    domains = list(SHOP_DOMAINS.values())
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "registered_at", "shop", "points"])
        for index in range(count):
            day = date(2023, 1, 1).toordinal() + index % 600
            writer.writerow(
                [
                    f"import{run}-{index}@example.com",
                    date.fromordinal(day).isoformat(),
                    domains[index % len(domains)],
                    str((index * 37) % 1_500),
                ]
            )


def app_rate(stack: Stack, path: Path, count: int) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "plugin", "members", "import", str(path)],
        cwd=ROOT,
        env=stack.env(),
        capture_output=True,
        text=True,
        timeout=6 * 3600,
    )
    took = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(f"members import exited {done.returncode}: {done.stderr.strip()[-300:]}")
    match = re.search(r"imported (\d+) of (\d+) rows", done.stdout)
    imported = int(match.group(1)) if match else -1
    if imported != count:
        raise RuntimeError(
            f"members import reported {imported} of {count} rows: {done.stdout.strip()[-200:]}"
        )
    return count / took, f"{count:,} rows in {took:.1f} s"


def floor_rate(stack: Stack, path: Path, count: int) -> tuple[float, str]:
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        conn.execute(FLOOR_DDL)
    started = time.monotonic()
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    parsed = [
        (
            row["email"].strip().lower(),
            row["shop"].strip(),
            datetime.combine(date.fromisoformat(row["registered_at"]), day_time(12), tzinfo=UTC),
            int(row["points"] or 0),
        )
        for row in rows
    ]
    with psycopg.connect(stack.database_url) as conn, conn.cursor() as cur:
        with cur.copy("COPY floor_import_members (email, shop, registered_at) FROM STDIN") as copy:
            for email, shop, at, _ in parsed:
                copy.write_row((email, shop, at))
        with cur.copy("COPY floor_import_wallets (email, balance) FROM STDIN") as copy:
            for email, _, _, points in parsed:
                copy.write_row((email, points))
        with cur.copy(
            "COPY floor_import_ledger (cause_key, email, delta, created_at) FROM STDIN"
        ) as copy:
            for email, _, at, points in parsed:
                if points:
                    copy.write_row((f"import:{email}", email, points, at))
        conn.commit()
    took = time.monotonic() - started
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        written = conn.execute("SELECT count(*) FROM floor_import_members").fetchone()[0]  # type: ignore[index]
        conn.execute("DROP TABLE floor_import_members, floor_import_wallets, floor_import_ledger")
    if written != count:
        raise RuntimeError(f"the floor wrote {written} of {count} rows")
    return count / took, f"{count:,} rows in {took:.2f} s"


def import_rows(
    stack: Stack, quick: bool, count: int | None = None, log: Callable[[str], object] = print
) -> list[Row]:
    count = count or (QUICK_ROWS if quick else FULL_ROWS)
    path = stack.log_dir / f"import-{count}.csv"
    write_file(path, count)
    try:
        floor, floor_notes = floor_rate(stack, path, count)
        log(f"  floor (COPY): {floor:,.0f} rows/s ({floor_notes})")
        app, app_notes = app_rate(stack, path, count)
        log(f"  app (members import): {app:,.0f} rows/s ({app_notes})")
    finally:
        path.unlink(missing_ok=True)
    ratio = app / floor
    return [
        Row(
            f"Members import, {count:,} rows (flask members import)",
            f"{app:,.0f} rows/s",
            f"≥ {TARGET:.2f} of the floor",
            ratio >= TARGET,
            f"app: {app_notes}; floor: {floor_notes}, three COPY statements in one transaction"
            " (benchmarks/import_rows.py)",
            floor=f"{floor:,.0f} rows/s (COPY)",
            ratio=ratio,
        )
    ]

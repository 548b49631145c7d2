"""The end to end floor's worker: the least a worker can do and still award an order's points once.

It takes the ids the floor's receiver pushed (up to 100 per Redis round trip) and gives each its
own transaction: mark the event processed (once), write one ledger entry (unique per order), move
the member's balance. No ORM, no rq, no rules beyond "2,000 points per paid order": what is left
when everything the app does on top is taken away. ``python -m benchmarks.floor_worker``.
"""

from __future__ import annotations

import json
import os
import signal
import sys

import psycopg
from redis import Redis

QUEUE = "floor:queue"
POINTS_PER_ORDER = 2000


def award(conn: psycopg.Connection, event_id: int) -> bool:
    with conn.transaction():
        row = conn.execute(
            "UPDATE floor_events SET processed_at = now() WHERE id = %s AND processed_at IS NULL "
            "RETURNING body",
            (event_id,),
        ).fetchone()
        if row is None:
            return False
        order = json.loads(row[0])
        member = str(
            (order.get("customer") or {}).get("email") or order.get("email") or ""
        ).casefold()
        inserted = conn.execute(
            "INSERT INTO floor_ledger (cause_key, member_key, delta) VALUES (%s, %s, %s)"
            " ON CONFLICT (cause_key) DO NOTHING RETURNING id",
            (f"order:{order['id']}:paid", member, POINTS_PER_ORDER),
        ).fetchone()
        if inserted is not None:
            conn.execute(
                "INSERT INTO floor_wallets (member_key, balance) VALUES (%s, %s) ON CONFLICT "
                "(member_key) DO UPDATE SET balance = floor_wallets.balance + EXCLUDED.balance",
                (member, POINTS_PER_ORDER),
            )
    return True


def main() -> int:
    redis = Redis.from_url(os.environ["REDIS_URL"])
    conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        first = redis.brpop([QUEUE], timeout=1)
        if first is None:
            continue
        more = redis.rpop(QUEUE, 99) or []
        for raw in [first[1], *more]:
            award(conn, int(raw))


if __name__ == "__main__":
    sys.exit(main())

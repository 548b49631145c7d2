"""Logs, CSV, the app proxy's repeated id, limits and Retry-After (issue 15, "Smaller items")."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import logging
import threading
import time
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import select

from plugin.extensions import db
from plugin.models import ImportRun, Member
from tests import payloads, signing
from tests.admin import factories
from tests.admin.conftest import admin_get, admin_post  # noqa: F401  (fixtures)
from tests.conftest import SHOP_DOMAINS

SPARE_PORT = 8102


# --- logs ----------------------------------------------------------------------------------------


def test_access_logs_carry_no_proxy_signature_customer_or_session_token(app, shops, caplog) -> None:  # type: ignore[no-untyped-def]
    """A real werkzeug server writes the request line; the credentials in it are masked."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", SPARE_PORT, app, threaded=False)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    query = signing.proxy_query(
        SHOP_DOMAINS["us"], "8812345", extra={"id_token": "eyJhbGciOiJIUzI1NiJ9.secret"}
    )
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        thread.start()
        try:
            httpx.get(f"http://127.0.0.1:{SPARE_PORT}/proxy/member?{query}", timeout=10)
        finally:
            thread.join(10)
            server.server_close()
    lines = [
        r.getMessage()
        for r in caplog.records
        if r.name == "werkzeug" and "/proxy/member" in r.getMessage()
    ]
    assert lines, "the request was logged"
    signature = dict(p.split("=", 1) for p in query.split("&"))["signature"]
    for line in lines:
        assert signature not in line and "8812345" not in line and "secret" not in line, line
        assert "/proxy/member" in line


def test_gunicorn_logs_the_path_without_its_query_string() -> None:
    from pathlib import Path

    namespace: dict[str, Any] = {}
    exec(
        compile(
            (Path(__file__).resolve().parents[2] / "gunicorn.conf.py").read_text(),
            "gunicorn.conf.py",
            "exec",
        ),
        namespace,
    )
    fmt = namespace.get("access_log_format", "")
    assert "%(U)s" in fmt
    for atom in ("%(r)s", "%(q)s", "%(f)s", "%({"):
        assert atom not in fmt


def test_sql_errors_name_no_bound_values(app, shops) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy.exc import IntegrityError

    db.session.add(
        Member(email="leak@example.com", email_normalized="leak@example.com", state="open")
    )
    db.session.commit()
    db.session.add(
        Member(email="leak@example.com", email_normalized="leak@example.com", state="open")
    )
    with pytest.raises(IntegrityError) as failed:
        db.session.commit()
    db.session.rollback()
    # What a failed job records on its row (webhook_events.error, outbox last_error) names no
    # value: SQLAlchemy's bound parameters are hidden, PostgreSQL's DETAIL line is left out.
    from plugin.jobs import failure_text

    assert "leak@example.com" not in failure_text(failed.value)


# --- CSV -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ['x;=HYPERLINK("http://evil")', "a,+cmd|' /C calc'!A0", "ok\n@SUM(1)", " =1+1"]
)
def test_a_formula_anywhere_in_a_cell_is_defused(shops, admin_get, name) -> None:  # type: ignore[no-untyped-def]
    factories.member(shops["us"], "x@example.com", first=name)
    rows = list(
        csv.DictReader(io.StringIO(admin_get("/admin/exports/members.csv").get_data(as_text=True)))
    )
    assert rows[0]["first_name"].startswith("'"), rows[0]["first_name"]


# --- app proxy -----------------------------------------------------------------------------------


def test_a_repeated_logged_in_customer_id_is_refused(shops, client, deliver) -> None:  # type: ignore[no-untyped-def]
    """Shopify signs repeated keys joined with ",": the signature covers both ids. Today the
    first one was taken, and that customer activated."""
    victim = payloads.customer(email="victim@example.com")
    deliver("customers/create", victim)
    ts = str(int(time.time()))
    joined = {
        "shop": SHOP_DOMAINS["us"],
        "logged_in_customer_id": f"{victim['id']},999",
        "path_prefix": "/apps/tesmart",
        "timestamp": ts,
    }
    signature = hmac.new(
        signing.API_SECRET.encode(),
        "".join(f"{k}={v}" for k, v in sorted(joined.items())).encode(),
        hashlib.sha256,
    ).hexdigest()
    pairs = [
        ("shop", SHOP_DOMAINS["us"]),
        ("logged_in_customer_id", str(victim["id"])),
        ("logged_in_customer_id", "999"),
        ("path_prefix", "/apps/tesmart"),
        ("timestamp", ts),
        ("signature", signature),
    ]
    response = client.get("/proxy/member?" + urlencode(pairs))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "repeated_parameter"
    db.session.expire_all()
    assert db.session.execute(select(Member.activated_at)).scalar_one() is None


# --- limits and rate limits ----------------------------------------------------------------------


def test_the_import_takes_files_over_the_global_1_mb_limit(shops, admin_post) -> None:  # type: ignore[no-untyped-def]
    from plugin.members.importer import COLUMNS

    lines = [",".join([*COLUMNS, "note"])]
    for index in range(15):  # a note of 100 KB on each line: 1.5 MB in all
        values = {
            "email": f"big{index}@example.com",
            "registered_at": "2024-05-01",
            "shop": "",
            "points": "100",
        }
        lines.append(",".join([values.get(column, "") for column in COLUMNS] + ["x" * 100_000]))
    body = ("\n".join(lines) + "\n").encode()
    assert len(body) > 1_000_000
    response = admin_post(
        "/admin/import", {"file": (io.BytesIO(body), "old.csv")}, content_type="multipart/form-data"
    )
    assert response.status_code in (302, 303), response.status_code
    assert db.session.execute(select(ImportRun)).scalar_one().total_rows == 15


def test_an_import_with_an_unreadable_field_is_a_clear_422(shops, admin_post) -> None:  # type: ignore[no-untyped-def]
    from plugin.members.importer import COLUMNS

    body = (",".join(COLUMNS) + "\n" + "a@example.com," + "x" * 200_000 + "\n").encode()
    response = admin_post(
        "/admin/import", {"file": (io.BytesIO(body), "old.csv")}, content_type="multipart/form-data"
    )
    assert response.status_code == 422


def test_an_import_over_20_mb_is_a_clear_413(shops, admin_post) -> None:  # type: ignore[no-untyped-def]
    body = b"email\n" + b"x" * (21 * 1024 * 1024)
    response = admin_post(
        "/admin/import", {"file": (io.BytesIO(body), "old.csv")}, content_type="multipart/form-data"
    )
    assert response.status_code == 413


def test_every_429_carries_retry_after(app, shops, proxy) -> None:  # type: ignore[no-untyped-def]
    from plugin.accounts import activate
    from plugin.models import Campaign
    from plugin.models.types import utcnow

    app.config["STOREFRONT_WRITE_LIMIT"] = 1
    customer = payloads.customer(email="many@example.com")
    proxy("GET", "/member", customer=customer["id"])  # unknown customer: fetched and linked
    member = db.session.execute(select(Member)).scalars().first()
    if member is None:
        from plugin.accounts import get_or_create_member, link_customer

        member = get_or_create_member("many@example.com")
        link_customer(shops["us"], str(customer["id"]), member=member, email="many@example.com")
    activate(member, utcnow(), "test")
    from datetime import timedelta

    campaign = Campaign(
        shop_id=shops["us"].id,
        kind="member_discount",
        title="Members",
        discount_percent=10,
        starts_at=utcnow() - timedelta(days=1),
        ends_at=utcnow() + timedelta(days=1),
    )
    db.session.add(campaign)
    db.session.commit()
    answers = [
        proxy("POST", f"/campaigns/{campaign.id}/code", customer=customer["id"]) for _ in range(3)
    ]
    limited = [a for a in answers if a.status_code == 429]
    assert limited, [a.status_code for a in answers]
    for answer in limited:
        assert int(answer.headers["Retry-After"]) >= 1


def test_a_ledger_export_for_an_impossible_member_id_is_a_404(shops, admin_get) -> None:  # type: ignore[no-untyped-def]
    for member in (str(2**70), str(2**63), "-1", "0"):
        response = admin_get("/admin/exports/ledger.csv", member=member)
        assert response.status_code == 404, (member, response.status_code)

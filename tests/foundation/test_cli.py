"""Operator commands under `flask --app plugin`."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from plugin import ledger
from plugin.extensions import db
from plugin.models import ImportRun, Member, Reward, Shop


def test_shops_add_creates_a_regional_shop_with_its_catalogue(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        args=["shops", "add", "tesmart-jp", "--region", "jp", "--token", "shpat_x"]
    )
    assert result.exit_code == 0, result.output
    assert "tesmart-jp.myshopify.com: region jp, JPY, ja" in result.output
    shop = db.session.execute(select(Shop)).scalar_one()
    assert shop.access_token_enc and "shpat_x" not in shop.access_token_enc
    rewards = (
        db.session.execute(select(Reward).where(Reward.shop_id == shop.id).order_by(Reward.points))
        .scalars()
        .all()
    )
    assert [(r.points, r.title) for r in rewards] == [
        (500, "￥800割引"),
        (1000, "￥2,400割引"),
        (2000, "30%割引"),
    ]  # the store language
    listed = runner.invoke(args=["shops", "list"])
    assert "tesmart-jp.myshopify.com\tjp\tJPY\tja\tinstalled\ttoken" in listed.output


def test_shops_add_refuses_a_bad_region_or_domain(runner) -> None:  # type: ignore[no-untyped-def]
    assert runner.invoke(args=["shops", "add", "tesmart-jp", "--region", "cn"]).exit_code != 0
    bad = runner.invoke(args=["shops", "add", "not a domain!", "--region", "us"])
    assert bad.exit_code != 0 and "not a shop domain" in bad.output


def test_members_import_reports_bad_rows_and_imports_the_rest(
    runner, shops, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    csv = tmp_path / "old-members.csv"
    csv.write_text(
        "email,registered_at,shop,points\n"
        "ada@example.com,2024-06-01,tesmart-us.myshopify.com,1200\n"
        "not-an-email,2024-06-01,tesmart-us.myshopify.com,10\n"
        "ben@example.com,2025-06-10,tesmart-eu.myshopify.com,600\n"
        "cy@example.com,yesterday,tesmart-us.myshopify.com,5\n"
        "dee@example.com,2025-12-01,nowhere.myshopify.com,5\n"
        "ada@example.com,2024-06-01,tesmart-us.myshopify.com,1200\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["members", "import", str(csv)])
    assert result.exit_code == 0, result.output
    assert "imported 3 of 6 rows" in result.output
    assert "line 3:" in result.output and "line 5:" in result.output and "line 6:" in result.output
    ada = db.session.execute(
        select(Member).where(Member.email_normalized == "ada@example.com")
    ).scalar_one()
    assert ada.imported and ada.activated_at.date().isoformat() == "2024-06-01"
    assert ledger.balance(shops["us"].id, ada.id) == 1200  # the repeated row changed nothing
    run = db.session.execute(select(ImportRun)).scalar_one()
    assert run.state == "done" and [e["line"] for e in run.errors] == [3, 5, 6]


def test_members_show_json(runner, shops, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    csv = tmp_path / "m.csv"
    csv.write_text(
        "email,registered_at,shop,points\nada@example.com,2024-06-01,tesmart-us.myshopify.com,1200\n",
        encoding="utf-8",
    )
    runner.invoke(args=["members", "import", str(csv)])
    shown = json.loads(runner.invoke(args=["members", "show", "ADA@example.com", "--json"]).output)
    assert shown["cohort"] == "legacy" and shown["status"] == "active"
    assert shown["wallets"] == [{"shop": "tesmart-us.myshopify.com", "balance": 1200}]
    missing = runner.invoke(args=["members", "show", "nobody@example.com"])
    assert missing.exit_code != 0


def test_demo_loads_four_shops_and_refuses_a_second_time(runner) -> None:  # type: ignore[no-untyped-def]
    first = json.loads(runner.invoke(args=["demo"]).output)
    assert first["loaded"] is True and len(first["shops"]) == 4
    second = json.loads(runner.invoke(args=["demo"]).output)
    assert second["loaded"] is False


def test_worker_needs_redis(runner, app) -> None:  # type: ignore[no-untyped-def]
    if app.config.get("REDIS_URL"):
        return  # with Redis configured the worker would start and block
    result = runner.invoke(args=["worker"])
    assert result.exit_code != 0 and "REDIS_URL" in result.output

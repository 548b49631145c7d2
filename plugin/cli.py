"""Operator commands: ``flask --app plugin <command>``."""

from __future__ import annotations

import csv
import gc
import json
import sys
import time
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from plugin import clock as the_clock
from plugin.database.transaction import unit_of_work
from plugin.extensions import db

# The imports inside the commands are local on purpose: a command loads its work when it runs, not
# with every `flask` call (the web process registers the CLI too).

shops_cli = AppGroup("shops", help="The regional shops.")
members_cli = AppGroup("members", help="TESmart IDs.")


@shops_cli.command("add")
@click.argument("domain")
@click.option("--region", type=click.Choice(["us", "eu", "jp", "kr"]), required=True)
@click.option("--token", default=None, help="An Admin API access token (custom app or demo).")
@click.option("--name", default=None)
@click.option("--storefront-host", default=None, help="The public host, e.g. tesmart.com")
def shops_add(
    domain: str, region: str, token: str | None, name: str | None, storefront_host: str | None
) -> None:
    """Add (or reinstall) a regional shop with its default reward catalogue."""
    from plugin.shops.registry import ShopError, add_shop

    try:
        with unit_of_work():
            shop = add_shop(domain, region, token=token, name=name, storefront_host=storefront_host)
    except ShopError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{shop.domain}: region {shop.region}, {shop.currency}, {shop.locale}")


@shops_cli.command("list")
def shops_list() -> None:
    from sqlalchemy import select

    from plugin.models import Shop

    for shop in db.session.execute(select(Shop).order_by(Shop.id)).scalars():
        state = "installed" if shop.installed else "uninstalled"
        token = "token" if shop.access_token_enc else "no token"
        click.echo(
            f"{shop.domain}\t{shop.region}\t{shop.currency}\t{shop.locale}\t{state}\t{token}"
        )


@members_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def members_import(path: Path) -> None:
    """Import old-program members: CSV columns email,registered_at,shop,points.

    An interrupted import of the same file continues from the last position it recorded."""
    from plugin.members.importer import fingerprint, import_members, unfinished_run

    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    unfinished = unfinished_run(fingerprint(rows), None)
    if unfinished is not None:
        click.echo(
            f"resuming the interrupted import at row {unfinished.position:,} of {len(rows):,}",
            err=True,
        )
    started, first = time.perf_counter(), unfinished.position if unfinished else 0
    # The bar shows the position and the time left; the rate is the rows this run went through.
    with click.progressbar(
        length=len(rows), label="Importing members", file=sys.stderr, show_pos=True
    ) as bar:
        run = import_members(rows, filename=path.name, actor="cli", progress=bar.update)
    seconds = time.perf_counter() - started
    rate = (len(rows) - first) / seconds if seconds > 0 else 0.0
    click.echo(
        f"imported {run.imported_rows} of {run.total_rows} rows "
        f"({len(rows) - first:,} rows in {seconds:.1f} s, {rate:,.0f} rows a second)"
    )
    for error in run.errors:
        click.echo(f"line {error['line']}: {error['error']}", err=True)


@members_cli.command("show")
@click.argument("email")
@click.option("--json", "as_json", is_flag=True)
def members_show(email: str, as_json: bool) -> None:
    from plugin.members.view import member_summary

    summary = member_summary(email)
    if summary is None:
        raise click.ClickException(f"no TESmart ID for {email}")
    if as_json:
        click.echo(json.dumps(summary, indent=2, default=str))
        return
    click.echo(f"{summary['email']}  {summary['status']}  cohort {summary['cohort']}")
    for wallet in summary["wallets"]:
        click.echo(f"  {wallet['shop']}: {wallet['balance']} points")


@click.command("worker")
@click.option("--queues", default="webhooks,outbox,default")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker(queues: str, burst: bool) -> None:
    """An rq worker bound to the app (REDIS_URL required)."""
    from plugin.jobs.queue import RedisQueue, job_queue
    from plugin.jobs.worker import DrainingWorker

    queue = job_queue()
    if not isinstance(queue, RedisQueue):
        raise click.ClickException("REDIS_URL is not set: jobs run in-process, no worker needed")
    rq_worker = DrainingWorker(
        [queue.queue(name) for name in queues.split(",")], connection=queue.connection
    )
    rq_worker.push_exc_handler(_release_session)
    # The app's own objects live as long as the worker: left out of garbage collection, as in the
    # web workers (gunicorn.conf.py), a full collection no longer walks them between jobs.
    gc.freeze()
    rq_worker.work(burst=burst, with_scheduler=True)


def _release_session(job: Any, *exc_info: Any) -> bool:
    db.session.remove()
    return True


@click.command("sweep")
def sweep_command() -> None:
    """Re-enqueue stuck webhook events and due outbox items; run periodic program tasks."""
    from plugin.jobs import sweep

    click.echo(json.dumps(sweep()))


@click.command("clock")
@click.option("--every", default=30, show_default=True, help="Seconds between sweeps.")
def clock(every: int) -> None:
    """Run the sweep periodically (the Procfile's clock process)."""
    from plugin.jobs import sweep

    while True:
        try:
            click.echo(json.dumps({"at": the_clock.now().isoformat(), **sweep()}))
        except Exception as exc:  # keep the clock alive through a database restart
            db.session.remove()
            click.echo(f"sweep failed: {exc}", err=True)
        time.sleep(every)


@click.command("reconcile")
@click.option("--shop", "domain", default=None, help="One shop; default all installed shops.")
def reconcile_command(domain: str | None) -> None:
    """Read orders and customers updated since the last run and apply them like webhooks."""
    from plugin.sync.reconcile import reconcile_all

    click.echo(json.dumps(reconcile_all(domain)))


@click.command("demo")
@click.option("--force", is_flag=True, help="Load even if the database has shops.")
def demo(force: bool) -> None:
    """Load the demo: four regional shops, members of all three cohorts, orders and devices."""
    from plugin.devtools.demo import load_demo

    summary = load_demo(force=force)
    click.echo(json.dumps(summary))


seed_cli = AppGroup("seed", help="Load measuring data.")


@seed_cli.command("large-store")
@click.option("--shop", "domain", default="tesmart-us.myshopify.com", show_default=True)
@click.option("--members", default=200_000, show_default=True)
@click.option("--entries-per-member", default=10, show_default=True)
@click.option("--trade-ins", default=20_000, show_default=True)
def seed_large_store(domain: str, members: int, entries_per_member: int, trade_ins: int) -> None:
    """Fill one shop to the size of tesmart.com's in a few years (200,000 members, 2,000,000 ledger
    entries, 20,000 trade-ins, redemptions, orders, returns and claims in proportion)."""
    from plugin.devtools.large_store import Size, load
    from plugin.shops.registry import add_shop, find_shop

    started = time.perf_counter()
    with unit_of_work():
        shop = find_shop(domain) or add_shop(domain, "us")
    counts = load(
        shop,
        Size(members, entries_per_member, trade_ins),
        progress=lambda line: click.echo(line, err=True),
    )
    report: dict[str, float] = {**counts, "seconds": round(time.perf_counter() - started, 1)}
    click.echo(json.dumps(report))


def register_cli(app: Flask) -> None:
    for command in (
        shops_cli,
        members_cli,
        worker,
        sweep_command,
        clock,
        reconcile_command,
        demo,
        seed_cli,
    ):
        app.cli.add_command(command)


def app_url() -> str:
    return current_app.config["APP_URL"]

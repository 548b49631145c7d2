"""One unit of work: services commit through ``unit_of_work()``, and the outbox's items are
enqueued when their transaction commits, whoever commits it, and never after a rollback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select

from plugin import outbox
from plugin.database.transaction import UnitOfWorkFailed, savepoint, unit_of_work
from plugin.extensions import db
from plugin.jobs.queue import InProcessQueue
from plugin.models import OutboxItem, Shop


class RecordingQueue(InProcessQueue):
    """Records what is enqueued and runs nothing."""

    def __init__(self) -> None:
        self.enqueued: list[tuple[str, tuple[Any, ...]]] = []

    def enqueue(self, func, *args, queue="default", job_id=None):  # type: ignore[no-untyped-def]
        self.enqueued.append((func.__name__, args))
        return True


@pytest.fixture()
def recorded(app: Flask) -> Iterator[RecordingQueue]:
    queue = RecordingQueue()
    app.extensions["tesmart_queue"] = queue
    yield queue


@pytest.fixture()
def commits(app: Flask) -> Iterator[list[bool]]:
    """Every commit of the app's sessions: True for the outermost transaction, False for a
    savepoint released."""
    seen: list[bool] = []

    def count(session: Any) -> None:
        seen.append(not session.in_nested_transaction())

    event.listen(db.session, "after_commit", count)
    yield seen
    event.remove(db.session, "after_commit", count)


def _item(shop: Shop, key: str) -> int:
    item_id = outbox.add(shop.id, "order.tag", key, {"id": 1, "tags": ["x"]})
    assert item_id is not None
    return item_id


def _runs(queue: RecordingQueue) -> list[int]:
    return [args[0] for name, args in queue.enqueued if name == "run_outbox_item"]


def test_an_item_written_before_a_plain_commit_is_enqueued_at_once(
    shops: dict[str, Shop], recorded: RecordingQueue
) -> None:
    item_id = _item(shops["us"], "uow:plain")
    assert _runs(recorded) == []  # not before the commit
    db.session.commit()
    assert _runs(recorded) == [item_id]
    db.session.commit()  # an empty later commit enqueues nothing again
    assert _runs(recorded) == [item_id]


def test_a_rollback_enqueues_nothing_now_or_at_the_next_commit(
    shops: dict[str, Shop], recorded: RecordingQueue
) -> None:
    shop_id = shops["us"].id
    item_id = _item(shops["us"], "uow:rolled-back")
    db.session.rollback()
    db.session.commit()
    assert _runs(recorded) == []
    assert db.session.get(OutboxItem, item_id) is None
    kept = _item(db.session.get(Shop, shop_id), "uow:kept")
    db.session.commit()
    assert _runs(recorded) == [kept]


def test_a_savepoint_rolled_back_drops_its_items_and_a_released_one_waits_for_the_commit(
    shops: dict[str, Shop], recorded: RecordingQueue
) -> None:
    shop = shops["us"]
    first = _item(shop, "uow:outer")
    with pytest.raises(RuntimeError), savepoint():
        _item(shop, "uow:inner-failed")
        raise RuntimeError("one part fails alone")
    with savepoint():
        released = _item(shop, "uow:inner-released")
    assert _runs(recorded) == []  # a released savepoint is not a commit
    db.session.commit()
    assert _runs(recorded) == [first, released]
    keys = db.session.execute(select(OutboxItem.idempotency_key)).scalars()
    assert sorted(keys) == ["uow:inner-released", "uow:outer"]


@pytest.mark.in_process_jobs
def test_in_process_jobs_run_the_item_as_soon_as_a_plain_commit_returns(
    shops: dict[str, Shop], fake_admin: Any
) -> None:
    shop = shops["us"]
    order = fake_admin.add_order(shop.domain, line_items=[{"title": "KVM", "price": "100.00"}])
    item_id = outbox.add(shop.id, "order.tag", "uow:run", {"id": order, "tags": ["tesmart-gift"]})
    db.session.commit()
    db.session.remove()
    assert db.session.get(OutboxItem, item_id).state == "done"


def test_unit_of_work_commits_on_success_and_rolls_back_on_error(
    shops: dict[str, Shop], recorded: RecordingQueue, commits: list[bool]
) -> None:
    shop_id = shops["us"].id
    with unit_of_work():
        saved = _item(db.session.get(Shop, shop_id), "uow:saved")
    assert commits == [True]
    assert _runs(recorded) == [saved]
    with pytest.raises(ValueError), unit_of_work():
        _item(db.session.get(Shop, shop_id), "uow:failed")
        raise ValueError("refused")
    assert commits == [True]
    assert _runs(recorded) == [saved]
    keys = db.session.execute(select(OutboxItem.idempotency_key)).scalars()
    assert list(keys) == ["uow:saved"]


def test_a_nested_unit_of_work_joins_the_outer_one(
    shops: dict[str, Shop], recorded: RecordingQueue, commits: list[bool]
) -> None:
    shop_id = shops["us"].id
    with unit_of_work():
        with unit_of_work():
            inner = _item(db.session.get(Shop, shop_id), "uow:inner")
        assert commits == []  # only the outermost block commits
        assert _runs(recorded) == []
    assert commits == [True]
    assert _runs(recorded) == [inner]
    with pytest.raises(ValueError), unit_of_work():
        _item(db.session.get(Shop, shop_id), "uow:outer-part")
        with unit_of_work():
            raise ValueError("the inner part fails: the whole unit goes")
    keys = db.session.execute(select(OutboxItem.idempotency_key)).scalars()
    assert list(keys) == ["uow:inner"]


def test_an_inner_failure_caught_by_the_outer_block_commits_nothing(
    shops: dict[str, Shop], recorded: RecordingQueue, commits: list[bool]
) -> None:
    shop_id = shops["us"].id
    with pytest.raises(UnitOfWorkFailed), unit_of_work():
        _item(db.session.get(Shop, shop_id), "uow:before")
        try:
            with unit_of_work():
                _item(db.session.get(Shop, shop_id), "uow:half")
                raise ValueError("refused")
        except ValueError:
            pass  # a caller that goes on: the half-done inner part must not be committed
    assert commits == []
    assert _runs(recorded) == []
    assert db.session.execute(select(OutboxItem.id)).first() is None


def test_an_inner_failure_inside_a_savepoint_fails_alone(
    shops: dict[str, Shop], recorded: RecordingQueue
) -> None:
    shop_id = shops["us"].id
    with unit_of_work():
        kept = _item(db.session.get(Shop, shop_id), "uow:kept")
        with pytest.raises(ValueError), savepoint(), unit_of_work():
            _item(db.session.get(Shop, shop_id), "uow:part")
            raise ValueError("this part only")
    assert _runs(recorded) == [kept]
    keys = db.session.execute(select(OutboxItem.idempotency_key)).scalars()
    assert list(keys) == ["uow:kept"]

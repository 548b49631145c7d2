"""Fixtures for what the app tells members: the dev mailbox of one test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # These tests call the services and read the mail, Flow triggers and metafields at once:
    # their jobs run in-process even when the suite runs on Redis (the queue path of the outbox
    # is covered by tests/rewards and tests/resilience).
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.in_process_jobs)


@pytest.fixture()
def mailbox(app: Flask, tmp_path: Path) -> Any:
    """The local mailbox (dev mode's mail backend) of this test alone."""
    from plugin.mail import mailbox as store

    app.config["DEV_MAILBOX"] = str(tmp_path / "mail")
    return store


from tests.admin.conftest import admin_get, admin_post  # noqa: E402,F401  (the admin's requests)
from tests.rewards.conftest import make_member  # noqa: E402,F401  (an activated member with points)

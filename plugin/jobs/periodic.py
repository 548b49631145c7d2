"""Periodic program work run by the sweep: each registered task is idempotent and cheap when
idle."""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

PERIODIC_TASKS: dict[str, Callable[[], int]] = {}


def periodic(name: str) -> Callable[[Callable[[], int]], Callable[[], int]]:
    def register(task: Callable[[], int]) -> Callable[[], int]:
        PERIODIC_TASKS[name] = task
        return task

    return register


def run_periodic() -> dict[str, int]:
    from plugin.effects import load_effects

    load_effects()  # effect modules register their periodic tasks too
    results: dict[str, int] = {}
    for name, task in PERIODIC_TASKS.items():
        try:
            results[name] = task()
        except Exception:
            log.exception("periodic task %s failed", name)
            results[name] = -1
    return results

"""Periodic program work run by the sweep: each task is idempotent and cheap when idle.

The one list of them: the jobs layer imports the domain, never the reverse. A new periodic task
is a line here (in the order the sweep runs them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from plugin.benefits import ctrlf, returns, tradeins
from plugin.members import compliance
from plugin.points import birthdays, expiry
from plugin.reach import notifications
from plugin.reports import program_results
from plugin.rewards import store_credit_rewards, tiers
from plugin.sync import reconcile

log = logging.getLogger(__name__)

PERIODIC_TASKS: dict[str, Callable[[], int]] = {
    "birthday_rewards": birthdays.pay_all_due_birthdays,
    "points_expiry": expiry.expire_points,
    "store_credit_configuration": store_credit_rewards.refresh_configurations,
    "ctrl_f.flag_missing_feedback": ctrlf.flag_missing_feedback,
    "returns.flag_late_refunds": returns.flag_late_refunds,
    "tier_period_ends": tiers.apply_period_ends,
    "points.expiring_soon": notifications.warn_expiring_points,
    "trade_ins.expire_unshipped": tradeins.expire_unshipped,
    "program_results.store_past_months": program_results.store_past_months,
    "webhooks.purge_bodies": compliance.purge_webhook_bodies,
    "reconcile": reconcile.reconcile_due,
}


def run_periodic() -> dict[str, int]:
    results: dict[str, int] = {}
    for name, task in PERIODIC_TASKS.items():
        try:
            results[name] = task()
        except Exception:
            log.exception("periodic task %s failed", name)
            results[name] = -1
    return results

"""The rq worker ``flask --app plugin worker`` runs."""

from __future__ import annotations

from typing import Any

from rq import SimpleWorker

from plugin.jobs import stop_draining


class DrainingWorker(SimpleWorker):
    """An rq SimpleWorker (no fork per job, so the app context and the database pool are reused)
    whose warm shutdown also tells a webhook drainer in hand to stop (``drain_webhooks``)."""

    def request_stop(self, signum: Any, frame: Any) -> None:
        stop_draining.set()
        super().request_stop(signum, frame)

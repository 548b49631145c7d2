"""Webhooks in: verify, record, enqueue, 200. The work happens in the job, never here."""

from webhooks.receiver import bp

__all__ = ["bp"]

"""Request lines in logs without the credentials in their query strings (issue 15).

An app-proxy URL carries `signature` and `logged_in_customer_id`; a logged one impersonates that
customer on any route for 90 s. An admin document load carries the session token as `id_token`.
Access logs (werkzeug's, gunicorn's) keep the path and mask these values.
"""

from __future__ import annotations

import logging
import re

MASKED_PARAMETERS = (
    "signature",
    "logged_in_customer_id",
    "id_token",
    "hmac",
    "session",
    "code",
    "state",
)
_QUERY_VALUE = re.compile(
    r"((?:[?&;]|&amp;)(?:" + "|".join(MASKED_PARAMETERS) + r")=)[^&;\s\"']*", re.IGNORECASE
)


def mask_query(text: str) -> str:
    return _QUERY_VALUE.sub(r"\1[masked]", text)


class QueryStringMask(logging.Filter):
    """Rewrites each record's message with the sensitive query values masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a record that cannot be formatted is left to the handler
            return True
        # The formatted line is kept either way: the handler would otherwise format the record a
        # second time (gunicorn's access line, its atoms looked up one by one, on every request).
        record.msg, record.args = mask_query(message), ()
        return True


def install() -> None:
    """On the loggers that write request lines (idempotent)."""
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, QueryStringMask) for f in logger.filters):
            logger.addFilter(QueryStringMask())

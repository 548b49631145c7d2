"""JSON errors for every API surface: a clear 4xx, never an HTML page or a bare 500."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from plugin.program.errors import (
    Conflict,
    DomainError,
    Invalid,
    NotAllowed,
    NotFound,
    Refused,
    TooLarge,
    UnsupportedMedia,
)

log = logging.getLogger(__name__)

DEFAULT_RETRY_AFTER_SECONDS = 60
JSON_PREFIXES = ("/proxy", "/webhooks", "/extension-api", "/integrations", "/healthz", "/apps/")


# The one place a domain error becomes an HTTP status, for every face (the app proxy, the
# extension API, the integrations, the admin's JSON answers).
STATUS_OF: dict[type[DomainError], int] = {
    Invalid: 400,
    NotAllowed: 403,
    NotFound: 404,
    Conflict: 409,
    Refused: 422,
    TooLarge: 413,
    UnsupportedMedia: 415,
}


def status_of(exc: DomainError) -> int:
    """The HTTP status of a domain error: its kind's, the nearest in its class hierarchy."""
    for kind in type(exc).__mro__:
        status = STATUS_OF.get(kind)
        if status is not None:
            return status
    return 422


class ApiError(Exception):
    """An error of the HTTP surface itself (a malformed body, a missing login, 429): status, a
    stable code and a sentence. Domain code raises ``plugin.program.errors`` kinds instead."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


def error_response(status: int, code: str, message: str, **extra: Any) -> Response:
    response = jsonify({"error": {"code": code, "message": message, **extra}})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _wants_json() -> bool:
    return (
        request.path.startswith(JSON_PREFIXES)
        or request.accept_mimetypes.best == "application/json"
    )


def _admin_page(exc: HTTPException | int) -> Response | None:
    """The admin's own page for an error under /admin: the admin installs it (``plugin.admin``)."""
    page = current_app.extensions.get("admin_error_page")
    return page(exc) if page is not None else None


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        response = error_response(exc.status, exc.code, exc.message, **exc.extra)
        retry_after = getattr(exc, "retry_after", None)
        if exc.status == 429 and retry_after:
            response.headers["Retry-After"] = str(retry_after)
        return response

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError) -> Response:
        return error_response(status_of(exc), exc.code, exc.message, **exc.extra)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response | HTTPException:
        if not _wants_json():
            page = _admin_page(exc)
            return page if page is not None else exc
        code = (exc.name or "error").lower().replace(" ", "_").replace("'", "")
        return error_response(exc.code or 500, code, exc.description or exc.name or "Error")

    @app.after_request
    def _retry_after(response: Response) -> Response:
        # Every 429 says when to come back (RFC 6585), whoever raised it.
        if response.status_code == 429 and "Retry-After" not in response.headers:
            response.headers["Retry-After"] = str(DEFAULT_RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        page = None if _wants_json() else _admin_page(500)
        if page is not None:
            return page
        return error_response(500, "internal_error", "Something went wrong on our side.")

"""Domain errors carry no HTTP: a kind, a stable code and a sentence. ``plugin/errors.py`` is the
one place a kind becomes a status, and the body is the envelope every API error has."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask import Flask

from plugin.benefits.tradeins import QuoteExpired, TradeInNotFound, TradeInTransitionError
from plugin.benefits.uploads import FileTooLarge, UnsupportedFile, UploadRefused
from plugin.errors import STATUS_OF, register_error_handlers, status_of
from plugin.points.adjustments import AdjustmentError
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
from plugin.rewards.redemptions import RedemptionError, RedemptionNotAllowed

PLUGIN = Path(__file__).resolve().parents[2] / "plugin"
DOMAIN = (
    "points",
    "rewards",
    "members",
    "benefits",
    "shops",
    "reach",
    "reports",
    "sync",
    "program",
)


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (Invalid("bad"), 400, "invalid_request"),
        (NotAllowed("no"), 403, "forbidden"),
        (NotFound(), 404, "not_found"),
        (Conflict("taken", code="already_applied"), 409, "already_applied"),
        (Refused("rules"), 422, "refused"),
        (TooLarge("big"), 413, "too_large"),
        (UnsupportedMedia("what"), 415, "unsupported_media"),
        # A domain's own classes take the status of the kind they are.
        (RedemptionNotAllowed("Activate first.", code="id_not_active"), 403, "id_not_active"),
        (TradeInNotFound(), 404, "not_found"),
        (QuoteExpired(), 422, "quote_expired"),
        (TradeInTransitionError("recovery_value", "applied", "receive"), 409, "invalid_transition"),
        (FileTooLarge("A file may be up to 1 MB.", code="file_too_large"), 413, "file_too_large"),
        (UnsupportedFile("Send a photo.", code="unsupported_file"), 415, "unsupported_file"),
        (UploadRefused("The file is empty.", code="empty_file"), 400, "empty_file"),
        (AdjustmentError("A reason is required."), 422, "adjustment_refused"),
    ],
)
def test_each_kind_has_one_status_and_a_stable_code(
    error: DomainError, status: int, code: str
) -> None:
    assert (status_of(error), error.code) == (status, code)
    assert not hasattr(error, "status")  # no HTTP on the domain's side


def test_a_redemption_error_is_still_caught_as_one() -> None:
    with pytest.raises(RedemptionError) as refused:
        raise RedemptionNotAllowed("Activate first.", code="id_not_active")
    assert refused.value.message == "Activate first."


def test_the_handler_answers_the_envelope_every_api_error_has() -> None:
    app = Flask(__name__)
    register_error_handlers(app)

    @app.get("/proxy/refused")
    def refused() -> None:
        raise Conflict("This quote has already been used.", code="already_applied", quote_id=7)

    answer = app.test_client().get("/proxy/refused")
    assert answer.status_code == 409
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.get_json() == {
        "error": {
            "code": "already_applied",
            "message": "This quote has already been used.",
            "quote_id": 7,
        }
    }


def test_every_kind_is_mapped() -> None:
    kinds = {Invalid, NotAllowed, NotFound, Conflict, Refused, TooLarge, UnsupportedMedia}
    assert set(STATUS_OF) == kinds


def _http_in(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module == "plugin.errors":
            found.append(f"{path.relative_to(PLUGIN)}:{node.lineno} imports plugin.errors")
    return found


def test_domain_packages_raise_no_api_errors() -> None:
    modules = [path for package in DOMAIN for path in sorted((PLUGIN / package).rglob("*.py"))]
    assert len(modules) > 40
    assert [hit for path in modules for hit in _http_in(path)] == []

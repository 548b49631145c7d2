"""JSON request bodies parsed without surprises (issue 15: no 5xx, signed or not).

Flask's ``request.get_json`` catches ``ValueError`` only: a 10,000-deep body raised RecursionError
(a 500), ``NaN``/``Infinity``/``1e999999`` became non-finite floats that later arithmetic choked
on or spent minutes with, and a lone surrogate (``"\\ud800"``) reached the database's encoder.
Here each of these is a ``ValueError``, so a JSON body is either usable or a 400.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask.json.provider import DefaultJSONProvider

MAX_DEPTH = 32


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("a number out of range")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _check(value: Any) -> None:
    """Depth bounded and every string encodable (no lone surrogates), walked without recursion."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError("nested too deeply")
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise ValueError("text that is not Unicode") from exc
        elif isinstance(item, dict):
            stack.extend((key, depth + 1) for key in item)
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def loads(text: str | bytes, **kwargs: Any) -> Any:
    try:
        value = json.loads(text, parse_float=_finite_float, parse_constant=_no_constant, **kwargs)
    except RecursionError as exc:
        raise ValueError("nested too deeply") from exc
    _check(value)
    return value


class SafeJSONProvider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s, **kwargs)

"""The integrations' blueprint (/integrations/...): ``__init__`` and ``flow`` add routes to it."""

from flask import Blueprint

bp = Blueprint("integrations", __name__, url_prefix="/integrations")

"""The admin's blueprint (/admin/...): the page modules under views/ import it, and
``plugin/admin/__init__.py`` (its request hooks, its template globals) lists them."""

from flask import Blueprint

bp = Blueprint(
    "admin",
    __name__,
    url_prefix="/admin",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

"""Dev mode's local mailbox: ``GET /dev/mail`` lists what the app sent (newest first),
``GET /dev/mail/<id>`` shows one message with its HTML and plain-text parts.

Registered by ``create_app`` only in dev mode, and every route answers 404 otherwise. The
messages are the ``.eml`` files plugin/mail/mailbox.py keeps under ``instance/mail``.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template

from plugin.devtools.guard import dev_mode_only
from plugin.mail import mailbox

bp = Blueprint("dev_mail", __name__, url_prefix="/dev/mail", template_folder="templates")


bp.before_request(dev_mode_only)


@bp.get("")
def inbox() -> Response:
    body = render_template("dev_mail.html", messages=mailbox.messages(), message=None)
    return Response(body, mimetype="text/html")


@bp.get("/<message_id>")
def show(message_id: str) -> Response:
    found = mailbox.message(message_id)
    if found is None:
        abort(404)
    body = render_template("dev_mail.html", messages=mailbox.messages(), message=found)
    return Response(body, mimetype="text/html")

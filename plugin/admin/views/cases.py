"""What the merchant judges: one page per return request, warranty claim (and the trade-in page
in benefits.py shares the parts): what the shopper sent, the policy's verdict and why, the
device's history, and every step with who took it and when."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response
from sqlalchemy import or_, select

from plugin.admin.blueprint import bp
from plugin.admin.context import admin, app_home, page_url
from plugin.admin.i18n import _
from plugin.admin.pages import render, require
from plugin.benefits import returns, warranty_claims
from plugin.extensions import db
from plugin.models import AuditLog, Device, Member, ReturnRequest, TradeIn, WarrantyClaim
from plugin.program.benefits.returns import RETURN_TRANSITIONS
from plugin.program.benefits.warranty import CLAIM_TRANSITIONS
from plugin.reports.queries.audit import audit_rows
from plugin.reports.queries.members import member_of_shop
from plugin.reports.queries.shared import rows_of

VIDEO_SUFFIXES = (".mp4", ".mov", ".webm", ".m4v")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".avif")

# The return and warranty-claim steps an operator takes: form action -> the service's function.
RETURN_ACTIONS: dict[str, Callable[..., Any]] = {
    "receive": returns.mark_received,
    "refund": returns.mark_refunded,
    "close": returns.close_return,
}
CLAIM_ACTIONS: dict[str, Callable[..., Any]] = {
    "approve": warranty_claims.approve_claim,
    "refuse": warranty_claims.refuse_claim,
    "ship": warranty_claims.ship_replacement,
    "close": warranty_claims.close_claim,
}


def attachment(item: Any) -> dict[str, str]:
    """One thing the shopper sent, as the page shows it: an image, a video or a link."""
    if isinstance(item, dict):
        url = str(item.get("url") or item.get("href") or item.get("path") or "")
        name = str(item.get("name") or item.get("filename") or url.rsplit("/", 1)[-1] or "")
        content_type = str(item.get("content_type") or item.get("mime") or "")
    else:
        url, name, content_type = str(item or ""), str(item or "").rsplit("/", 1)[-1], ""
    lowered = (url.split("?", 1)[0]).lower()
    kind = "link"
    if content_type.startswith("image/") or lowered.endswith(IMAGE_SUFFIXES):
        kind = "image"
    elif content_type.startswith("video/") or lowered.endswith(VIDEO_SUFFIXES):
        kind = "video"
    if not url.startswith(("https://", "http://", "/")):
        kind = "text"  # a note or a file name without a stored copy
    return {"url": url, "name": name or url, "kind": kind}


def _return_files(
    found: Any, endpoint: str = "admin.return_file", key: str = "request_id"
) -> list[dict[str, str]]:
    """The request's (or claim's) photos: files the shopper uploaded ("upload:<id>") are served by
    the admin's shop-scoped file route; anything else is shown as it was sent."""
    files = []
    for index, item in enumerate(found.photos or []):
        if str(item).startswith("upload:"):
            url = page_url(endpoint, **{key: found.id, "index": index})
            files.append({"url": url, "name": f"#{index + 1}", "kind": "image"})
        elif item:
            files.append(attachment(item))
    return files


def attachments_of(row: Any, *names: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for name in names:
        value = getattr(row, name, None)
        if not value:
            continue
        for item in value if isinstance(value, list | tuple) else [value]:
            if item:
                found.append(attachment(item))
    return found


def steps_of(subject_type: str, subject_id: int) -> list[AuditLog]:
    """Every step on the case, oldest first, from the audit log."""
    rows = audit_rows(
        admin().shop.id, subject_type=subject_type, subject_id=str(subject_id), limit=500
    )
    return list(reversed(rows))


def device_history(device: Device | None) -> dict[str, Any]:
    """The device's life in this store: bought, claims, trade-ins, replacement, returns of its
    order."""
    if device is None:
        return {"device": None}
    shop_id = admin().shop.id
    claims = (
        db.session.execute(
            select(WarrantyClaim)
            .where(WarrantyClaim.shop_id == shop_id, WarrantyClaim.device_id == device.id)
            .order_by(WarrantyClaim.id)
        )
        .scalars()
        .all()
    )
    trade_ins = (
        db.session.execute(
            select(TradeIn)
            .where(
                TradeIn.shop_id == shop_id,
                TradeIn.device_id == device.id,
                TradeIn.state != "quoted",
            )
            .order_by(TradeIn.id)
        )
        .scalars()
        .all()
    )
    returns = (
        db.session.execute(
            select(ReturnRequest)
            .where(ReturnRequest.shop_id == shop_id, ReturnRequest.order_id == device.order_id)
            .order_by(ReturnRequest.id)
        )
        .scalars()
        .all()
    )
    related = (
        db.session.execute(
            select(Device).where(
                Device.shop_id == shop_id,
                or_(Device.id == device.replacement_of_id, Device.replacement_of_id == device.id),
            )
        )
        .scalars()
        .all()
    )
    return {
        "device": device,
        "claims": claims,
        "trade_ins": trade_ins,
        "returns": returns,
        "related": related,
    }


def _member(member_id: int | None) -> Member | None:
    return member_of_shop(admin().shop.id, member_id) if member_id else None


def _verdict_of(steps: list[AuditLog], action: str) -> dict[str, Any]:
    for step in steps:
        if step.action == action and isinstance(step.after, dict):
            return step.after
    return {}


@bp.get("/returns/<int:request_id>")
@app_home
def return_detail(request_id: int) -> Response:
    shop = admin().shop
    rows = rows_of(ReturnRequest, shop.id, ReturnRequest.id == request_id, limit=1)
    found: ReturnRequest = require(rows[0] if rows else None)
    devices = rows_of(Device, shop.id, Device.order_id == found.order_id, order=Device.id)
    steps = steps_of("return", found.id)
    actions = [a for a in RETURN_ACTIONS if (found.state, a) in RETURN_TRANSITIONS]
    return render(
        "admin/return_detail.html",
        title=_("Return request #{id}", id=found.id),
        request_row=found,
        member=_member(found.member_id),
        photos=_return_files(found) + attachments_of(found, "attachments", "videos"),
        proof=attachments_of(found, "proof_of_purchase"),
        verdict=_verdict_of(steps, "return.request"),
        histories=[device_history(d) for d in devices],
        steps=steps,
        actions=actions,
    )


@bp.get("/warranty-claims/<int:claim_id>")
@app_home
def claim_detail(claim_id: int) -> Response:
    shop = admin().shop
    rows = rows_of(WarrantyClaim, shop.id, WarrantyClaim.id == claim_id, limit=1)
    found: WarrantyClaim = require(rows[0] if rows else None)
    device = db.session.get(Device, found.device_id)
    device = device if device is not None and device.shop_id == shop.id else None
    steps = steps_of("warranty_claim", found.id)
    actions = [a for a in CLAIM_ACTIONS if (found.state, a) in CLAIM_TRANSITIONS]
    return render(
        "admin/claim_detail.html",
        title=_("Warranty claim #{id}", id=found.id),
        claim=found,
        member=_member(found.member_id),
        photos=_return_files(found, "admin.claim_file", "claim_id")
        + attachments_of(found, "attachments", "videos"),
        proof=attachments_of(found, "proof_of_purchase"),
        verdict=_verdict_of(steps, "warranty_claim.create"),
        history=device_history(device),
        steps=steps,
        actions=actions,
    )

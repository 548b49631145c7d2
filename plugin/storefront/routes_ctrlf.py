"""CTRL F product tests (POLICY.md 7): GET /proxy/ctrl-f, POST /proxy/ctrl-f/<id>/applications,
POST /proxy/ctrl-f/applications/<id>/feedback."""

from __future__ import annotations

from flask import Response

from plugin.benefits import ctrlf
from plugin.database.reads import finish_reads
from plugin.storefront.blueprint import bp
from plugin.storefront.context import app_proxy, json_body, require_customer, require_member
from plugin.storefront.routes_devices import limited, personal, text


@bp.get("/ctrl-f")
@app_proxy
def list_ctrl_f() -> Response:
    ctx = require_customer()
    programs = ctrlf.programs_view(ctx.shop, ctx.member)
    finish_reads()
    return personal({"programs": programs})


@bp.post("/ctrl-f/<int:program_id>/applications")
@app_proxy
def apply_for_ctrl_f(program_id: int) -> Response:
    ctx, member = require_member(active=True)  # CTRL F is a member benefit (POLICY.md 2)
    if (refused := limited(ctx, "ctrl_f")) is not None:
        return refused
    body = json_body()
    application = ctrlf.apply(
        ctx.shop,
        member,
        str(ctx.customer_id),
        program_id,
        setup=text(body, "setup", 2000),
        devices=text(body, "devices", 2000),
    )
    return personal({"application": ctrlf.application_view(application)}, 201)


@bp.post("/ctrl-f/applications/<int:application_id>/feedback")
@app_proxy
def send_ctrl_f_feedback(application_id: int) -> Response:
    ctx, member = require_member(active=True)
    if (refused := limited(ctx, "ctrl_f")) is not None:
        return refused
    body = json_body()
    application = ctrlf.member_feedback(
        ctx.shop, member, application_id, text(body, "feedback", 8000)
    )
    return personal({"application": ctrlf.application_view(application)})

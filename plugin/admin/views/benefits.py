"""Trade-ins, returns and warranty claims, CTRL F: the merchant's queues and their actions.

The actions are the benefit services' (plugin.benefits.tradeins, warranty_claims, returns, ctrlf):
this module parses the form, calls them and shows their refusals.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from flask import Response, request
from sqlalchemy import func, select

from plugin import clock
from plugin.admin.blueprint import bp
from plugin.admin.context import admin, app_home, page_url
from plugin.admin.i18n import _, format_money, format_percent
from plugin.admin.pages import (
    ask_to_confirm,
    confirmed,
    redirect_to,
    render,
    require,
)
from plugin.admin.views.cases import CLAIM_ACTIONS, RETURN_ACTIONS, device_history, steps_of
from plugin.benefits import ctrlf, ctrlf_admin, tradeins
from plugin.benefits.tradeins import ValueAbovePrice, ValueAboveQuote, value_bounds
from plugin.benefits.uploads import stored_key
from plugin.clock import today, zone
from plugin.errors import ApiError
from plugin.extensions import db
from plugin.models import (
    CtrlFApplication,
    CtrlFProgram,
    Device,
    Member,
    Redemption,
    ReturnRequest,
    TradeIn,
    TradeInEvent,
    WarrantyClaim,
)
from plugin.program.benefits.returns import RETURN_CLOSED_STATES, RETURN_TRANSITIONS
from plugin.program.benefits.tradein_workflow import allowed_actions
from plugin.program.benefits.warranty import CLAIM_CLOSED_STATES, CLAIM_TRANSITIONS
from plugin.program.errors import DomainError
from plugin.reports.queries.benefits import (
    late_refund_filter,
    return_counts,
    trade_ins_by_state,
)
from plugin.reports.queries.shared import rows_of
from plugin.shopify.store_credit import store_credit_check
from plugin.storage import storage

# The store answers a return request within 24 hours (POLICY.md 6).
ANSWER_WITHIN = timedelta(hours=24)
OPEN_TRADE_IN_STATES = ("applied", "approved", "shipped", "paid", "received")


def _refusal(exc: Exception) -> str:
    return exc.message if isinstance(exc, DomainError | ApiError) else str(exc)


# --- trade-ins -----------------------------------------------------------------------------


@bp.get("/trade-ins")
@app_home
def trade_ins() -> Response:
    shop = admin().shop
    state = request.args.get("state", "open")
    stmt = (
        select(TradeIn, Member.email, Device.title)
        .outerjoin(Member, Member.id == TradeIn.member_id)
        .outerjoin(Device, Device.id == TradeIn.device_id)
        .where(TradeIn.shop_id == shop.id)
    )
    if state == "open":
        stmt = stmt.where(TradeIn.state.in_(OPEN_TRADE_IN_STATES))
    elif state != "all":
        stmt = stmt.where(TradeIn.state == state)
    rows = db.session.execute(stmt.order_by(TradeIn.updated_at.asc(), TradeIn.id).limit(500)).all()
    return render(
        "admin/trade_ins.html",
        title="Trade-ins",
        rows=rows,
        state=state,
        counts=trade_ins_by_state(shop.id),
    )


def _allowed(trade_in: TradeIn) -> set[str]:
    try:
        return {str(a) for a in allowed_actions(trade_in.kind, trade_in.state)}
    except ValueError:  # a kind without a workflow (recycling only)
        return set()


def _trade_in_page(trade_in: TradeIn, *, status: int = 200, error: str | None = None) -> Response:
    shop = admin().shop
    allowed = _allowed(trade_in)
    events = rows_of(
        TradeInEvent, shop.id, TradeInEvent.trade_in_id == trade_in.id, order=TradeInEvent.id.asc()
    )
    device = db.session.get(Device, trade_in.device_id)
    member = db.session.get(Member, trade_in.member_id) if trade_in.member_id else None
    quoted, paid = value_bounds(shop, trade_in)
    store_credit = None
    if "pay" in allowed and trade_in.kind == "recovery_value":
        store_credit = store_credit_check(shop)
    quote_event = next((e for e in events if e.to_state == "quoted"), None)
    return render(
        "admin/trade_in.html",
        store_credit=store_credit,
        status=status,
        history=device_history(
            device if device is not None and device.shop_id == shop.id else None
        ),
        steps=steps_of("trade_in", trade_in.id),
        verdict=(quote_event.data or {}).get("reason")
        if quote_event is not None
        else trade_in.kind,
        condition_labels=CONDITION_LABELS,
        quoted=quoted,
        paid=paid,
        payout=payout_amount(trade_in),
        value_percent=(trade_in.value * 100 / paid).quantize(Decimal("0.01"))
        if trade_in.value is not None and paid
        else None,
        payout_labels=PAYOUT_LABELS,
        title=_("Trade-in #{id}", id=trade_in.id),
        trade_in=trade_in,
        device=device if device is not None and device.shop_id == shop.id else None,
        member=member,
        events=events,
        allowed=allowed,
        error=error,
    )


def _trade_in(trade_in_id: int) -> TradeIn:
    rows = rows_of(TradeIn, admin().shop.id, TradeIn.id == trade_in_id, limit=1)
    return require(rows[0] if rows else None)


@bp.get("/trade-ins/<int:trade_in_id>")
@app_home
def trade_in(trade_in_id: int) -> Response:
    return _trade_in_page(_trade_in(trade_in_id))


TRADE_IN_ACTIONS = {
    # form action -> (service function, form fields passed on, in order)
    "approve": (tradeins.approve, ("value",)),
    "ship": (tradeins.mark_shipped, ("tracking_number", "carrier")),
    "pay": (tradeins.pay, ("method",)),
    "receive": (tradeins.mark_received, ()),
    "inspect": (tradeins.inspect, ("outcome", "value", "note")),
    "revoke": (tradeins.revoke, ("note",)),
}
CONDITION_LABELS = {
    "cosmetic_wear": "Visible wear",
    "accessories_complete": "All accessories",
    "original_packaging": "Original packaging",
    "working": "Working",
}
PAYOUT_LABELS = {
    "store_credit": "store credit",
    "refund": "a partial refund of a recent order",
    "code": "a code for a new order",
}


def payout_amount(trade_in: TradeIn) -> Decimal:
    return (trade_in.value or Decimal(0)) + (trade_in.shipping_refund or Decimal(0))


def _payee(trade_in: TradeIn) -> str:
    member = db.session.get(Member, trade_in.member_id) if trade_in.member_id else None
    return member.email if member is not None and member.email else _("the member")


def _trade_in_confirmation(trade_in: TradeIn, action: str, arguments: list[Any]) -> Response | None:
    """The question to ask before a step that pays out or takes back; None when none is needed."""
    back = page_url("admin.trade_in", trade_in_id=trade_in.id)
    currency = trade_in.currency
    if action == "pay":
        method = arguments[0] or "store_credit"
        amount = payout_amount(trade_in)
        lines = [
            _(
                "{amount} is sent to {payee} as {method}.",
                amount=format_money(amount, currency),
                payee=_payee(trade_in),
                method=_(PAYOUT_LABELS.get(method, method)),
            ),
            _("A payout cannot be taken back from here: a later revocation records it as owed."),
        ]
        if trade_in.kind != "recovery_value":
            lines[0] = _(
                "A single-use {percent} discount code is sent to {payee}.",
                percent=format_percent(trade_in.percent),
                payee=_payee(trade_in),
            )
        return ask_to_confirm(
            _("Pay {amount}?", amount=format_money(amount, currency))
            if trade_in.kind == "recovery_value"
            else _("Send the discount code?"),
            lines,
            _("Pay now"),
            back=back,
            tone="warning",
        )
    if action == "revoke":
        owed = payout_amount(trade_in) if trade_in.state in ("paid", "received") else None
        lines = [_("The trade-in ends now; the member cannot ship or be paid for it.")]
        if owed:
            lines.append(
                _(
                    "{amount} already paid is recorded as owed back.",
                    amount=format_money(owed, currency),
                )
            )
        return ask_to_confirm(
            _("Revoke trade-in #{id}?", id=trade_in.id), lines, _("Revoke"), back=back
        )
    if action == "inspect" and arguments[0] in ("adjusted", "revoked"):
        if arguments[0] == "revoked":
            lines = [
                _("The trade-in is revoked after inspection."),
                _(
                    "{amount} already paid is recorded as owed back.",
                    amount=format_money(payout_amount(trade_in), currency),
                ),
            ]
            return ask_to_confirm(
                _("Revoke trade-in #{id}?", id=trade_in.id), lines, _("Revoke"), back=back
            )
        try:
            new_value = Decimal(str(arguments[1]).replace(",", ""))
        except (ArithmeticError, ValueError):
            return None  # the service says what is wrong with it
        difference = new_value - (trade_in.value or Decimal(0))
        lines = [
            _(
                "The value changes from {before} to {after}.",
                before=format_money(trade_in.value, currency),
                after=format_money(new_value, currency),
            )
        ]
        if difference > 0:
            lines.append(
                _(
                    "{amount} more is sent to {payee} the way the value was paid.",
                    amount=format_money(difference, currency),
                    payee=_payee(trade_in),
                )
            )
        elif difference < 0:
            lines.append(
                _("{amount} is recorded as owed back.", amount=format_money(-difference, currency))
            )
        return ask_to_confirm(
            _("Adjust the value to {value}?", value=format_money(new_value, currency)),
            lines,
            _("Record inspection"),
            back=back,
            tone="warning",
        )
    return None


@bp.post("/trade-ins/<int:trade_in_id>/<action>")
@app_home
def trade_in_action(trade_in_id: int, action: str) -> Response:
    ctx = admin()
    found = _trade_in(trade_in_id)
    spec = require(TRADE_IN_ACTIONS.get(action))
    function = spec[0]
    arguments: list[Any] = []
    for name in spec[1]:
        value = (request.form.get(name) or "").strip()
        arguments.append(value or None)
    keywords: dict[str, Any] = {}
    if action == "revoke":
        arguments = [arguments[0] or ""]
    if action == "pay":
        arguments = [arguments[0] or "store_credit"]
    if action == "inspect":
        arguments[0] = arguments[0] or "confirmed"
    if action == "approve":
        keywords = {"reason": request.form.get("reason"), "confirmed": confirmed()}
    open_steps = _allowed(found)
    step_open = action in open_steps or (
        action == "inspect" and bool(open_steps & {"inspect_adjusted", "inspect_revoked"})
    )
    if action in ("pay", "revoke", "inspect") and step_open and not confirmed():
        if action == "revoke" and not arguments[0]:
            return _trade_in_page(found, status=422, error=_("Say why the trade-in is revoked."))
        question = _trade_in_confirmation(found, action, arguments)
        if question is not None:
            return question
    if action == "pay":
        keywords = {"expected_amount": request.form.get("amount") or None}
    try:
        function(ctx.shop, found.id, ctx.actor, *arguments, **keywords)
    except ValueAboveQuote as exc:
        db.session.rollback()
        if not (request.form.get("reason") or "").strip():
            return _trade_in_page(
                _trade_in(trade_in_id),
                status=422,
                error=_(
                    "{value} is above the quote of {quoted}. Give a reason to approve more than "
                    "the quote.",
                    value=format_money(exc.value, exc.currency),
                    quoted=format_money(exc.quoted, exc.currency),
                ),
            )
        return ask_to_confirm(
            _("Approve {value}, above the quote?", value=format_money(exc.value, exc.currency)),
            [
                _(
                    "The quote was {quoted}; this is {extra} more.",
                    quoted=format_money(exc.quoted, exc.currency),
                    extra=format_money(exc.value - exc.quoted, exc.currency),
                ),
                _("Reason: {reason}", reason=request.form.get("reason", "").strip()),
                _("The value is paid out once the device has shipped."),
            ],
            _("Approve {value}", value=format_money(exc.value, exc.currency)),
            back=page_url("admin.trade_in", trade_in_id=found.id),
            tone="warning",
        )
    except ValueAbovePrice as exc:
        db.session.rollback()
        return _trade_in_page(
            _trade_in(trade_in_id),
            status=422,
            error=_(
                "The value cannot be more than the {paid} paid for the device.",
                paid=format_money(exc.paid, exc.currency),
            ),
        )
    except (DomainError, ApiError, ValueError) as exc:
        db.session.rollback()
        return _trade_in_page(_trade_in(trade_in_id), status=422, error=_refusal(exc))
    return redirect_to("admin.trade_in", "done", trade_in_id=found.id)


# --- returns and warranty claims -----------------------------------------------------------


@bp.get("/returns")
@app_home
def returns() -> Response:
    shop = admin().shop
    today = clock.today(clock.shop_zone(shop))
    late_only = request.args.get("late") == "1"
    stmt = (
        select(ReturnRequest, Member.email)
        .outerjoin(Member, Member.id == ReturnRequest.member_id)
        .where(ReturnRequest.shop_id == shop.id)
    )
    if late_only:
        stmt = stmt.where(*late_refund_filter(shop.id, today))
    else:
        stmt = stmt.where(ReturnRequest.state.not_in(RETURN_CLOSED_STATES))
    requests = db.session.execute(stmt.order_by(ReturnRequest.created_at.asc()).limit(500)).all()
    claims = db.session.execute(
        select(WarrantyClaim, Member.email, Device.title)
        .outerjoin(Member, Member.id == WarrantyClaim.member_id)
        .outerjoin(Device, Device.id == WarrantyClaim.device_id)
        .where(
            WarrantyClaim.shop_id == shop.id,
            WarrantyClaim.state.not_in(CLAIM_CLOSED_STATES),
        )
        .order_by(WarrantyClaim.created_at.asc())
        .limit(500)
    ).all()
    return render(
        "admin/returns.html",
        title="Returns and warranty claims",
        requests=requests,
        claims=claims,
        late_only=late_only,
        today=today,
        now=clock.now(),
        answer_within=ANSWER_WITHIN,
        counts=return_counts(shop.id, today),
        return_actions=_return_actions(),
        claim_actions=_claim_actions(),
        # (state, action) pairs the services allow; without a table every listed action shows.
        return_steps=RETURN_TRANSITIONS,
        claim_steps=CLAIM_TRANSITIONS,
    )


def _return_actions() -> list[str]:
    return list(RETURN_ACTIONS)


def _claim_actions() -> list[str]:
    return list(CLAIM_ACTIONS)


def _call_with_note(function: Any, note: str, *args: Any) -> Any:
    """Steps that need a reason take it as their next argument; the others take none."""
    import inspect

    parameters = list(inspect.signature(function).parameters)
    if len(parameters) > len(args) and parameters[len(args)] in ("note", "reason"):
        return function(*args, note)
    return function(*args)


def return_close_consequences(found: ReturnRequest) -> list[str]:
    lines = [
        _(
            "Return request #{id} is closed: no receipt, refund or other step can follow.",
            id=found.id,
        )
    ]
    if found.state == "received" and not found.refunded_on and found.outcome == "refund":
        lines.append(_("The device has been received and no refund is recorded."))
    return lines


def claim_refuse_consequences(found: WarrantyClaim) -> list[str]:
    return [
        _("Warranty claim #{id} is refused: no repair or replacement is sent.", id=found.id),
        _("The device keeps its one warranty replacement for a later claim."),
    ]


@bp.get("/returns/<int:request_id>/files/<int:index>")
@app_home
def return_file(request_id: int, index: int) -> Response:
    """A photo or video the shopper uploaded with the request (plugin.benefits.uploads)."""
    return _uploaded_file(ReturnRequest, request_id, index)


@bp.get("/warranty-claims/<int:claim_id>/files/<int:index>")
@app_home
def claim_file(claim_id: int, index: int) -> Response:
    """A photo or video the member uploaded with the warranty claim (plugin.benefits.uploads)."""
    return _uploaded_file(WarrantyClaim, claim_id, index)


def _uploaded_file(model: Any, row_id: int, index: int) -> Response:
    """File ``index`` of a shop's return request or claim (their ``photos``), never cached."""

    ctx = admin()
    rows = rows_of(model, ctx.shop.id, model.id == row_id, limit=1)
    found = require(rows[0] if rows else None)
    photos = list(found.photos or [])
    key = stored_key(ctx.shop.id, photos[index]) if index < len(photos) else None
    stored = storage().get(key) if key else None
    data, content_type = require(stored)
    response = Response(data, mimetype=content_type)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/returns/<int:request_id>/<action>")
@app_home
def return_action(request_id: int, action: str) -> Response:
    ctx = admin()
    rows = rows_of(ReturnRequest, ctx.shop.id, ReturnRequest.id == request_id, limit=1)
    found = require(rows[0] if rows else None)
    function = require(RETURN_ACTIONS.get(action))
    steps = RETURN_TRANSITIONS
    if action == "close" and (found.state, action) in steps and not confirmed():
        return ask_to_confirm(
            _("Close return request #{id}?", id=found.id),
            return_close_consequences(found),
            _("Close the return"),
            back=_back_to_return(found),
        )
    try:
        _call_with_note(
            function, request.form.get("note", "").strip(), ctx.shop, found.id, ctx.actor
        )
    except (DomainError, ApiError, ValueError) as exc:
        db.session.rollback()
        return _not_done(_refusal(exc))
    return _after_step("admin.returns")


def _not_done(error: str) -> Response:
    """A step of a return or a claim that was refused, said in line (422)."""
    return render(
        "admin/refusal_inline.html",
        status=422,
        title=_("Not done"),
        error=error,
        back=("admin.returns", {}),
    )


def _back_to_return(found: ReturnRequest) -> str:
    if "admin.return_detail" in _endpoints():
        return page_url("admin.return_detail", request_id=found.id)
    return page_url("admin.returns")


def _endpoints() -> set[str]:
    from flask import current_app

    return set(current_app.view_functions)


def _after_step(default: str) -> Response:
    """Back where the step was taken: the queue, or the request's own page."""
    back = request.form.get("back")
    if back == "detail" and request.view_args:
        if "request_id" in request.view_args:
            return redirect_to(
                "admin.return_detail", "done", request_id=request.view_args["request_id"]
            )
        if "claim_id" in request.view_args:
            return redirect_to("admin.claim_detail", "done", claim_id=request.view_args["claim_id"])
    return redirect_to(default, "done")


@bp.post("/warranty-claims/<int:claim_id>/<action>")
@app_home
def claim_action(claim_id: int, action: str) -> Response:
    ctx = admin()
    rows = rows_of(WarrantyClaim, ctx.shop.id, WarrantyClaim.id == claim_id, limit=1)
    found = require(rows[0] if rows else None)
    function = require(CLAIM_ACTIONS.get(action))
    steps = CLAIM_TRANSITIONS
    if action == "refuse" and (found.state, action) in steps and not confirmed():
        if not (request.form.get("note") or "").strip():
            return _not_done(_("Say why the claim is refused."))
        return ask_to_confirm(
            _("Refuse warranty claim #{id}?", id=found.id),
            claim_refuse_consequences(found),
            _("Refuse the claim"),
            back=page_url("admin.returns"),
        )
    try:
        if action == "ship":
            function(
                ctx.shop,
                found.id,
                ctx.actor,
                serial=(request.form.get("serial") or "").strip() or None,
            )
        else:
            _call_with_note(
                function, request.form.get("note", "").strip(), ctx.shop, found.id, ctx.actor
            )
    except (DomainError, ApiError, ValueError) as exc:
        db.session.rollback()
        return _not_done(_refusal(exc))
    return _after_step("admin.returns")


# --- CTRL F --------------------------------------------------------------------------------


@bp.get("/ctrl-f")
@app_home
def ctrl_f() -> Response:
    return _ctrl_f_page()


def _ctrl_f_page(*, status: int = 200, errors: dict[str, str] | None = None) -> Response:
    shop = admin().shop
    programs = rows_of(CtrlFProgram, shop.id, order=CtrlFProgram.applications_close_on.desc())
    counts = dict(
        db.session.execute(
            select(CtrlFApplication.program_id, func.count())
            .where(CtrlFApplication.shop_id == shop.id)
            .group_by(CtrlFApplication.program_id)
        )
        .tuples()
        .all()
    )
    selected_counts = dict(
        db.session.execute(
            select(CtrlFApplication.program_id, func.count())
            .where(CtrlFApplication.shop_id == shop.id, CtrlFApplication.state == "selected")
            .group_by(CtrlFApplication.program_id)
        )
        .tuples()
        .all()
    )
    return render(
        "admin/ctrl_f.html",
        status=status,
        title=_("CTRL F product testing"),
        programs=programs,
        counts=counts,
        selected_counts=selected_counts,
        today=_store_today(),
        errors=errors or {},
        form=request.form if request.method == "POST" else {},
        error=_("The program was not saved.") if errors else None,
    )


def _store_today() -> Any:

    shop = admin().shop
    return today(zone(shop.timezone, shop.region))


@bp.post("/ctrl-f")
@app_home
def ctrl_f_create() -> Response:

    ctx = admin()
    try:
        program = ctrlf_admin.create_program(ctx.shop, request.form, actor=ctx.actor)
    except ctrlf_admin.ProgramInvalid as exc:
        db.session.rollback()
        return _ctrl_f_page(status=422, errors={k: _(v) for k, v in exc.errors.items()})
    return redirect_to("admin.ctrl_f_program", "created", program_id=program.id)


def _program(program_id: int) -> CtrlFProgram:
    rows = rows_of(CtrlFProgram, admin().shop.id, CtrlFProgram.id == program_id, limit=1)
    return require(rows[0] if rows else None)


# The operator's steps on an application: form action -> the service's function.
CTRLF_ACTIONS: dict[str, Callable[..., Any]] = {
    "select": ctrlf.select_member,
    "reject": ctrlf.reject,
}


def _program_page(
    program: CtrlFProgram,
    *,
    status: int = 200,
    error: str | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    shop = admin().shop
    applicants = db.session.execute(
        select(CtrlFApplication, Member, Redemption)
        .join(Member, Member.id == CtrlFApplication.member_id)
        .outerjoin(
            Redemption,
            (Redemption.id == CtrlFApplication.redemption_id) & (Redemption.shop_id == shop.id),
        )
        .where(CtrlFApplication.shop_id == shop.id, CtrlFApplication.program_id == program.id)
        .order_by(CtrlFApplication.created_at)
    ).all()
    extra: dict[str, Any] = {}
    chosen = request.args.get("application", type=int)
    if request.args.get("done") == "selected" and chosen:
        for application, member, redemption in applicants:
            if application.id == chosen and application.state == "selected":
                who = member.email or _("Member {id} (redacted)", id=member.id)
                extra["notice"] = (
                    _("{who} is selected. Their code: {code}", who=who, code=redemption.code)
                    if redemption is not None and redemption.code
                    else _(
                        "{who} is selected. Their code is being created; reload the page in a "
                        "moment.",
                        who=who,
                    )
                )
    selected = sum(1 for a, _m, _r in applicants if a.state == "selected")
    return render(
        "admin/ctrl_f_program.html",
        status=status,
        title=program.title,
        program=program,
        applicants=applicants,
        seats_left=max(program.seats - selected, 0),
        can_select=True,
        can_reject=True,
        today=_store_today(),
        error=error,
        errors=errors or {},
        form=request.form if request.method == "POST" and errors else {},
        **extra,
    )


@bp.get("/ctrl-f/<int:program_id>")
@app_home
def ctrl_f_program(program_id: int) -> Response:
    return _program_page(_program(program_id))


@bp.post("/ctrl-f/<int:program_id>")
@app_home
def ctrl_f_update(program_id: int) -> Response:

    ctx = admin()
    program = _program(program_id)
    try:
        ctrlf_admin.update_program(ctx.shop, program, request.form, actor=ctx.actor)
    except ctrlf_admin.ProgramInvalid as exc:
        db.session.rollback()
        return _program_page(
            _program(program_id),
            status=422,
            error=_("The program was not saved."),
            errors={k: _(v) for k, v in exc.errors.items()},
        )
    return redirect_to("admin.ctrl_f_program", "saved", program_id=program.id)


@bp.post("/ctrl-f/<int:program_id>/applications/<int:application_id>/<action>")
@app_home
def ctrl_f_action(program_id: int, application_id: int, action: str) -> Response:
    ctx = admin()
    program = _program(program_id)
    rows = rows_of(
        CtrlFApplication,
        ctx.shop.id,
        CtrlFApplication.id == application_id,
        CtrlFApplication.program_id == program.id,
        limit=1,
    )
    application = require(rows[0] if rows else None)
    function = require(CTRLF_ACTIONS.get(action))
    try:
        function(ctx.shop, application.id, ctx.actor)
    except (DomainError, ApiError, ValueError) as exc:
        db.session.rollback()
        return _program_page(program, status=422, error=_refusal(exc))
    if action == "select":
        return redirect_to(
            "admin.ctrl_f_program", "selected", program_id=program.id, application=application.id
        )
    return redirect_to("admin.ctrl_f_program", "done", program_id=program.id)

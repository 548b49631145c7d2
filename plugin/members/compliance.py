"""The mandatory compliance topics (POLICY.md 8): data request, customer redaction, shop
redaction."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    CursorResult,
    String,
    Text,
    cast,
    delete,
    func,
    or_,
    select,
    update,
)

from plugin import clock
from plugin.accounts import find_member_by_email
from plugin.database import batch
from plugin.database.idempotent import insert_once
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import (
    CtrlFApplication,
    DataRequest,
    Device,
    Member,
    MemberBirthday,
    MemberTier,
    Order,
    PointEntry,
    RedactedCustomer,
    Redemption,
    Referral,
    ReturnRequest,
    Shop,
    ShopCustomer,
    TierChange,
    TradeIn,
    TradeInEvent,
    WarrantyClaim,
    WebhookEvent,
)
from plugin.shopify.payloads import shopify_id


def _customer_and_member(
    shop: Shop, payload: dict[str, Any]
) -> tuple[ShopCustomer | None, Member | None]:
    customer_block = payload.get("customer") or {}
    customer_id = shopify_id(customer_block.get("id"))
    customer = None
    if customer_id:
        customer = db.session.execute(
            select(ShopCustomer).where(
                ShopCustomer.shop_id == shop.id, ShopCustomer.customer_id == customer_id
            )
        ).scalar_one_or_none()
    member = db.session.get(Member, customer.member_id) if customer and customer.member_id else None
    if member is None and isinstance(customer_block.get("email"), str):
        member = find_member_by_email(customer_block["email"])
    return customer, member


def member_record(
    shop: Shop, member: Member | None, customer: ShopCustomer | None
) -> dict[str, Any]:
    """Everything the app holds on a person in one shop, for the merchant to hand over."""

    def rows(model: Any, **where: Any) -> list[dict[str, Any]]:
        stmt = select(model).where(
            model.shop_id == shop.id, *[getattr(model, k) == v for k, v in where.items()]
        )
        return [
            {c.name: _plain(getattr(row, c.key)) for c in model.__table__.columns}
            for row in db.session.execute(stmt).scalars()
        ]

    record: dict[str, Any] = {"shop": shop.domain, "generated_at": clock.now().isoformat()}
    if customer is not None:
        record["customer"] = {
            "customer_id": customer.customer_id,
            "email": customer.email,
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "newsletter_subscribed": customer.newsletter_subscribed,
        }
    if member is not None:
        record["tesmart_id"] = {
            "email": member.email,
            "registered_at": _plain(member.registered_at),
            "activated_at": _plain(member.activated_at),
            "state": member.state,
        }
        record["ledger"] = rows(PointEntry, member_id=member.id)
        record["orders"] = rows(Order, member_id=member.id)
        record["devices"] = rows(Device, member_id=member.id)
        record["redemptions"] = rows(Redemption, member_id=member.id)
        record["trade_ins"] = rows(TradeIn, member_id=member.id)
        record["warranty_claims"] = rows(WarrantyClaim, member_id=member.id)
        record["returns"] = rows(ReturnRequest, member_id=member.id)
        record["birthday"] = rows(MemberBirthday, member_id=member.id)
        record["tier"] = rows(MemberTier, member_id=member.id)
        record["tier_changes"] = rows(TierChange, member_id=member.id)
        record["ctrl_f_applications"] = rows(CtrlFApplication, member_id=member.id)
        record["referrals_made"] = rows(Referral, referrer_member_id=member.id)
        record["referrals_received"] = rows(Referral, friend_member_id=member.id)
    # The raw deliveries still kept (until the retention period ends) that concern the person.
    needles = _Needles()
    needles.add_email(customer.email if customer else None)
    needles.add_email(member.email if member else None)
    about = [
        func.lower(WebhookEvent.body).contains(form.casefold(), autoescape=True)
        for form in needles.forms()
    ]
    if customer is not None:
        about.append(WebhookEvent.body.contains(customer.customer_id, autoescape=True))
    deliveries = []
    if about:
        for event in db.session.execute(
            select(WebhookEvent)
            .where(WebhookEvent.shop_id == shop.id, WebhookEvent.body != ERASED_BODY, or_(*about))
            .order_by(WebhookEvent.id)
        ).scalars():
            try:
                body: Any = json.loads(event.body)
            except (ValueError, RecursionError):
                body = event.body
            deliveries.append(
                {"topic": event.topic, "received_at": _plain(event.received_at), "body": body}
            )
    record["webhook_deliveries"] = deliveries
    return record


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is not None and type(value).__name__ == "Decimal":
        return str(value)
    return value


def data_request(shop: Shop, payload: dict[str, Any]) -> DataRequest:
    customer, member = _customer_and_member(shop, payload)
    request = DataRequest(
        shop_id=shop.id,
        customer_id=customer.customer_id
        if customer
        else shopify_id((payload.get("customer") or {}).get("id")),
        member_id=member.id if member else None,
        record=member_record(shop, member, customer),
    )
    db.session.add(request)
    return request


def redact_customer(shop: Shop, payload: dict[str, Any]) -> None:
    """Erase the person's personal data in this shop: every table, every stored webhook body and
    every free-text field (issue 15, invariant 9). The ledger's anonymous totals stay (entries
    with no person); a tombstone makes later deliveries and reconciliation skip the person."""
    customer, member = _customer_and_member(shop, payload)
    block = found if isinstance(found := payload.get("customer"), dict) else {}
    customer_id = customer.customer_id if customer else shopify_id(block.get("id"))
    needles = _Needles()
    needles.add_email(block.get("email"))
    needles.add_phone(block.get("phone"))
    if customer is not None:
        needles.add_email(customer.email)
        needles.add_name(customer.first_name, customer.last_name)
    if member is not None:
        needles.add_email(member.email)
    if customer_id:
        insert_once(
            RedactedCustomer,
            {"shop_id": shop.id, "customer_id": customer_id},
            ["shop_id", "customer_id"],
        )

    def mine(model: Any) -> list[Any]:
        who = []
        if member is not None and "member_id" in model.__table__.c:
            who.append(model.member_id == member.id)
        if customer_id and "customer_id" in model.__table__.c:
            who.append(model.customer_id == customer_id)
        if not who:
            return []
        return list(
            db.session.execute(select(model).where(model.shop_id == shop.id, or_(*who))).scalars()
        )

    for order in mine(Order):
        needles.add_address(order.delivery_address)
        order.delivery_address = None
    for request in mine(ReturnRequest):
        needles.add_phone(request.phone)
        needles.add_address(request.delivery_address)
        request.phone = None
        request.delivery_address = None
        request.photos = []
        request.proof_of_purchase = None
        request.description = ""
    for claim in mine(WarrantyClaim):
        claim.description = ""
    for application in mine(CtrlFApplication):
        application.setup = ""
        application.devices = ""
        application.feedback = None
    trade_ins = mine(TradeIn)
    for trade_in in trade_ins:
        trade_in.note = None
    if trade_ins:
        db.session.execute(
            update(TradeInEvent)
            .where(TradeInEvent.trade_in_id.in_([t.id for t in trade_ins]))
            .values(note=None, data={})
        )
    friend: list[ColumnElement[bool]] = (
        [Referral.friend_email.in_(needles.emails)] if needles.emails else []
    )
    if member is not None:
        friend.append(Referral.friend_member_id == member.id)
    if customer_id:
        friend.append(Referral.friend_customer_id == customer_id)
    if friend:
        db.session.execute(
            update(Referral)
            .where(Referral.shop_id == shop.id, or_(*friend))
            .values(friend_email=None)
        )
    who = [DataRequest.customer_id == customer_id] if customer_id else []
    if member is not None:
        who.append(DataRequest.member_id == member.id)
    if who:
        db.session.execute(delete(DataRequest).where(DataRequest.shop_id == shop.id, or_(*who)))
    if customer is not None:
        customer.email = customer.first_name = customer.last_name = None
    _erase_webhook_bodies(shop, customer_id, needles)
    db.session.flush()
    _scrub_everywhere(shop, needles)
    if member is not None:
        db.session.execute(
            delete(MemberBirthday).where(
                MemberBirthday.shop_id == shop.id, MemberBirthday.member_id == member.id
            )
        )
        other_shops = db.session.execute(
            select(func.count())
            .select_from(ShopCustomer)
            .where(ShopCustomer.member_id == member.id, ShopCustomer.shop_id != shop.id)
        ).scalar()
        if not other_shops:  # the TESmart ID is this shop's alone: the person is gone
            member.email = None
            member.email_normalized = None
            member.redacted_at = clock.now()


ERASED_BODY = ""  # a webhook body erased by a redaction or purged after the retention period


class _Needles:
    """The person's distinctive personal data, to find wherever a copy of it was kept."""

    def __init__(self) -> None:
        self.emails: set[str] = set()
        self.texts: set[str] = set()

    def _add(self, value: Any, minimum: int = 5) -> None:
        if isinstance(value, str) and len(value.strip()) >= minimum:
            self.texts.add(value.strip())

    def add_email(self, value: Any) -> None:
        if isinstance(value, str) and "@" in value:
            self.emails.update({value.strip(), value.strip().casefold()})
            self._add(value)
            self._add(value.strip().casefold())

    def add_phone(self, value: Any) -> None:
        self._add(value)

    def add_name(self, first: Any, last: Any) -> None:
        if isinstance(first, str) and isinstance(last, str) and first.strip() and last.strip():
            self._add(f"{first.strip()} {last.strip()}")

    def add_address(self, address: Any) -> None:
        if isinstance(address, dict):
            for key in ("address1", "address2", "phone"):
                self._add(address.get(key))
            self.add_name(address.get("first_name"), address.get("last_name"))

    def forms(self) -> list[str]:
        """Each text as stored: itself and as JSON writes it (non-ASCII escaped)."""
        found = set()
        for text in self.texts:
            found.add(text)
            found.add(json.dumps(text)[1:-1])
        return sorted(found, key=len, reverse=True)


def _erase_webhook_bodies(shop: Shop, customer_id: str | None, needles: _Needles) -> None:
    """Every stored delivery of this shop that concerns the person, the redact request itself
    included, loses its body (the row stays: it still deduplicates a retried delivery)."""
    about = [
        func.lower(WebhookEvent.body).contains(form.casefold(), autoescape=True)
        for form in needles.forms()
    ]
    if customer_id:
        about.append(WebhookEvent.body.contains(customer_id, autoescape=True))
    if about:
        db.session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.shop_id == shop.id, or_(*about))
            .values(body=ERASED_BODY)
            .execution_options(synchronize_session=False)
        )


def _scrub_everywhere(shop: Shop, needles: _Needles) -> None:
    """The net under the targeted erasure: any text or JSON column of any of this shop's rows
    that still holds a copy of the person's email, phone, street or name has it replaced."""
    forms = needles.forms()
    if not forms:
        return
    postgres = db.engine.dialect.name == "postgresql"
    for table in db.metadata.sorted_tables:
        if "shop_id" not in table.c or table.name == "shops":
            continue
        for column in table.c:
            if not isinstance(column.type, String | Text | JSON):
                continue
            is_json = isinstance(column.type, JSON)
            text_value = cast(column, Text) if is_json and postgres else column
            for form in forms:
                replaced = func.replace(text_value, form, "[redacted]")
                value = cast(replaced, column.type) if is_json and postgres else replaced
                db.session.execute(
                    table.update()
                    .where(table.c.shop_id == shop.id, text_value.contains(form, autoescape=True))
                    .values({column.name: value})
                )


def purge_webhook_bodies() -> int:
    """Empty the raw bodies of deliveries older than the retention period (a setting, 7 days by
    default): by then processing and Shopify's retries (4 hours) are long over. The rows stay, so a
    late retry is still recognised as a duplicate; one never processed is marked failed."""
    from flask import current_app

    days = int(current_app.config.get("WEBHOOK_BODY_RETENTION_DAYS") or 7)
    cutoff = clock.now() - timedelta(days=days)
    old = (WebhookEvent.received_at < cutoff, WebhookEvent.body != ERASED_BODY)
    with unit_of_work():
        db.session.execute(
            update(WebhookEvent)
            .where(*old, WebhookEvent.state == "received")
            .values(state="failed", error="body purged after the retention period")
            .execution_options(synchronize_session=False)
        )
        result = db.session.execute(
            update(WebhookEvent)
            .where(*old)
            .values(body=ERASED_BODY)
            .execution_options(synchronize_session=False)
        )
        # An UPDATE's result is a CursorResult, the kind with a rowcount; Session.execute() is
        # typed to return its base class.
        assert isinstance(result, CursorResult)
        purged = result.rowcount
    if purged:
        secure_erase_checkpoint()
    return int(purged or 0)


def is_redacted(shop: Shop, customer_id: Any) -> bool:
    customer_id = shopify_id(customer_id)
    if not customer_id:
        return False
    answers = batch.known("redacted")  # a drained batch read its customers at once
    if answers is not None and (shop.id, customer_id) in answers:
        return bool(answers[(shop.id, customer_id)])
    return (
        db.session.execute(
            select(RedactedCustomer.id).where(
                RedactedCustomer.shop_id == shop.id, RedactedCustomer.customer_id == customer_id
            )
        ).first()
        is not None
    )


_PERSONAL_ORDER_KEYS = (
    "email",
    "contact_email",
    "phone",
    "shipping_address",
    "billing_address",
    "customer",
    "note",
)


def without_redacted(shop: Shop, topic: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    """A delivery (or a reconciled record) with the personal data of a redacted customer taken
    out; None when the whole record is that person (a customer). The tombstone's whole use."""
    if topic.startswith("customers/") and topic not in (
        "customers/redact",
        "customers/data_request",
    ):
        return None if is_redacted(shop, payload.get("id")) else payload
    if topic.startswith("customers_email_marketing_consent/"):
        return None if is_redacted(shop, payload.get("customer_id")) else payload
    if topic.startswith("orders/"):
        customer = payload.get("customer")
        if isinstance(customer, dict) and is_redacted(shop, customer.get("id")):
            return {**payload, **{key: None for key in _PERSONAL_ORDER_KEYS}}
    return payload


def secure_erase_checkpoint() -> None:
    """SQLite keeps old page images in the WAL until a checkpoint: after an erasure they are
    copied over (secure_delete zeroes the freed space) and the WAL truncated."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def redact_shop(shop: Shop) -> None:
    """shop/redact: delete everything the app holds for the shop (children before parents), and
    the TESmart IDs left with no store at all."""
    members = set(
        db.session.execute(
            select(ShopCustomer.member_id).where(
                ShopCustomer.shop_id == shop.id, ShopCustomer.member_id.is_not(None)
            )
        ).scalars()
    )
    for table in reversed(db.metadata.sorted_tables):
        if table.name != "shops" and "shop_id" in table.c:
            db.session.execute(table.delete().where(table.c.shop_id == shop.id))
    db.session.execute(delete(Shop).where(Shop.id == shop.id))
    for member_id in sorted(m for m in members if m is not None):
        if not _still_held(member_id):
            db.session.execute(delete(Member).where(Member.id == member_id))


def _still_held(member_id: int) -> bool:
    """Does any row of any remaining store still point at this TESmart ID?"""
    for table in db.metadata.sorted_tables:
        for column in table.c:
            points_at_members = any(fk.column.table.name == "members" for fk in column.foreign_keys)
            if (
                points_at_members
                and db.session.execute(select(column).where(column == member_id).limit(1)).first()
            ):
                return True
    return False

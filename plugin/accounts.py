"""The TESmart ID lifecycle (POLICY.md 2): created pending, activated once, cohort from dates."""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import CursorResult, Select, and_, bindparam, select, update
from sqlalchemy.orm import load_only

from plugin import clock
from plugin.database import audit
from plugin.database.idempotent import insert_once_returning
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import Member, Shop, ShopCustomer, Wallet
from plugin.program.cohorts import Cohort, CohortCutoffs, cohort_for
from plugin.shops.registry import ShopError, normalize_domain
from plugin.shops.settings import program_settings

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
REFERRAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud safely

# Told of every TESmart ID activated (the member, the source), in its transaction: Flow and the
# metafields follow (``plugin.reach.notifications.listen``, at app start). The accounts sit below
# reach and do not import it.
on_activation: Callable[[Member, str], None] | None = None


def normalize_email(email: object) -> str | None:
    """One TESmart ID per email: trimmed and case-folded; None for anything that is not one."""
    if not isinstance(email, str):
        return None
    normalized = email.strip().casefold()
    return normalized if EMAIL.match(normalized) and len(normalized) <= 320 else None


def get_or_create_member(email: str) -> Member | None:
    return claim_member(email)[0]


def claim_member(email: str) -> tuple[Member | None, bool]:
    """The TESmart ID of ``email``, and whether it was created just now (True) or already existed,
    that is belongs to whoever holds that email (False)."""
    normalized = normalize_email(email)
    if normalized is None:
        return None, False
    # The ID of a known email in one statement; a new one inserted and given back in one more.
    member = db.session.execute(
        select(Member).where(Member.email_normalized == normalized)
    ).scalar_one_or_none()
    if member is not None:
        return member, False
    created = insert_once_returning(
        Member,
        {
            "email_normalized": normalized,
            "email": email.strip(),
            "state": "open",
            "created_at": clock.now(),
        },
        ["email_normalized"],
    )
    if created is not None:
        return created, True
    member = db.session.execute(  # claimed meanwhile by a concurrent transaction
        select(Member).where(Member.email_normalized == normalized)
    ).scalar_one()
    return member, False


def find_member_by_email(email: str) -> Member | None:
    normalized = normalize_email(email)
    if normalized is None:
        return None
    return db.session.execute(
        select(Member).where(Member.email_normalized == normalized)
    ).scalar_one_or_none()


def registration(at: datetime, shop: Shop | None, day: date | None = None) -> tuple[date, Cohort]:
    """The registration day (the registering store's own calendar day, POLICY.md 1) and the
    cohort it fixes under that store's cutoffs as they are now."""

    registered_on = day or clock.local_day(
        at, clock.shop_zone(shop) if shop is not None else clock.zone("UTC")
    )
    cutoffs = program_settings(shop).cutoffs if shop is not None else None
    return registered_on, (
        cohort_for(registered_on, cutoffs) if cutoffs else cohort_for(registered_on)
    )


def activate(member: Member, at: datetime, source: str, *, shop: Shop | None = None) -> bool:
    """Activate once: ``activated_at`` is recorded once and never moves (POLICY.md 2).

    The registration day (in ``shop``'s zone) and the cohort it fixes are stored with it and never
    recomputed. The conditional UPDATE makes concurrent activations agree on the first one.
    """
    if member.activated_at is not None:
        return False
    registered_at = member.registered_at or at
    registered_on, cohort = (
        (member.registered_on, Cohort(member.cohort))
        if member.registered_on is not None and member.cohort
        else registration(registered_at, shop)
    )
    result = db.session.execute(
        update(Member)
        .where(Member.id == member.id, Member.activated_at.is_(None))
        .values(
            activated_at=at,
            registered_at=registered_at,
            registered_on=registered_on,
            cohort=cohort.value,
            activation_source=source,
            referral_code=member.referral_code or new_referral_code(),
        )
        .execution_options(synchronize_session=False)
    )
    # An UPDATE's result is a CursorResult, the kind with a rowcount; Session.execute() is typed
    # to return its base class.
    assert isinstance(result, CursorResult)
    db.session.refresh(member)
    if result.rowcount and on_activation is not None:
        on_activation(member, source)
    return bool(result.rowcount)


def activate_on_storefront_login(member: Member, shop: Shop) -> bool:
    """Seen logged in on the storefront: the email is proven (POLICY.md 2). One unit of work of
    its own, committed before the request reads on."""
    with unit_of_work():
        return activate(member, clock.now(), "storefront_login", shop=shop)


def import_member(
    email: str,
    registered_at: datetime,
    *,
    shop: Shop | None = None,
    registered_on: date | None = None,
) -> Member | None:
    """An old-program member: active as of the original registration date.

    ``registered_on`` is the registration day when the file gave one (a date, or a time with an
    offset read in the importing store's zone); by default the store-local day of ``registered_at``.
    A registration earlier than an activation already recorded here fixes the cohort (POLICY.md 2):
    the earlier of the two days wins; a later one changes nothing.
    """
    member = get_or_create_member(email)
    if member is None:
        return None
    member.imported = True
    day, cohort = registration(registered_at, shop, registered_on)
    if member.activated_at is None:
        member.registered_at = registered_at
        member.registered_on, member.cohort = day, cohort.value
        activate(member, registered_at, "import", shop=shop)
    elif member.registered_on is None or day < member.registered_on:
        member.registered_at = min(registered_at, member.registered_at or registered_at)
        member.registered_on, member.cohort = day, cohort.value
    return member


def new_referral_code() -> str:
    # 32 letters: each random byte's low five bits pick one, uniformly (32 divides 256).
    return "".join([REFERRAL_ALPHABET[byte & 31] for byte in secrets.token_bytes(8)])


def cohort_of(member: Member | None, cutoffs: CohortCutoffs | None = None) -> Cohort | None:
    """The member's policy version, or None without an activated ID.

    The cohort stored when it was fixed (POLICY.md 2: it never moves, whatever the cutoff settings
    say later). ``cutoffs`` only serve a row from before cohorts were stored: its UTC day, then.
    """
    if member is None or not member.is_active or member.registered_at is None:
        return None
    if member.cohort:
        return Cohort(member.cohort)
    registered_on: date = member.registered_on or member.registered_at.date()
    return cohort_for(registered_on, cutoffs) if cutoffs else cohort_for(registered_on)


def id_status(member: Member | None) -> str:
    if member is None or member.state != "open":
        return "none"
    return "active" if member.activated_at is not None else "pending"


def link_customer(
    shop: Shop,
    customer_id: str,
    *,
    member: Member | None,
    email: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    updated_at: datetime | None = None,
    member_is_new: bool = False,
) -> ShopCustomer:
    """The shop's customer row, created once, updated only by newer payloads.

    A customer already linked to one TESmart ID is never moved into another ID that existed before
    (POLICY.md 2): Shopify saying the customer's email changed to one another person already holds
    is no proof that the customer owns it (an email on a customer account is not verified). The
    customer keeps its ID and its email here, and the claimed email waits on the row
    (``conflicting_email``) for the merchant. Moving to a TESmart ID created just now for an unused
    email (``member_is_new``) takes nobody's benefits.
    """
    # A known customer locked in one statement; a new one inserted and given back in one more.
    locked = (
        select(ShopCustomer)
        .where(ShopCustomer.shop_id == shop.id, ShopCustomer.customer_id == customer_id)
        .with_for_update()
    )
    customer = db.session.execute(locked).scalar_one_or_none()
    if customer is None:
        customer = insert_once_returning(
            ShopCustomer,
            {"shop_id": shop.id, "customer_id": customer_id, "created_at": clock.now()},
            ["shop_id", "customer_id"],
        )
    if customer is None:  # created meanwhile by a concurrent transaction, which it waited for
        customer = db.session.execute(locked).scalar_one()
    stale = (
        updated_at is not None
        and customer.shopify_updated_at is not None
        and updated_at < customer.shopify_updated_at
    )
    if (
        not stale
        and member is not None
        and customer.member_id is not None
        and customer.member_id != member.id
        and not member_is_new
    ):
        _email_conflict(shop, customer, member, email)
        member, email = None, None
    elif not stale and member is not None:
        customer.conflicting_email = None
        customer.email_conflict_at = None
    if member is not None and (customer.member_id is None or not stale):
        customer.member_id = member.id
    if not stale:
        if email:
            customer.email = email.strip()
        if first_name is not None:
            customer.first_name = first_name
        if last_name is not None:
            customer.last_name = last_name
        if updated_at is not None:
            customer.shopify_updated_at = updated_at
    return customer


def _email_conflict(shop: Shop, customer: ShopCustomer, claimed: Member, email: str | None) -> None:

    if customer.conflicting_email == (email or claimed.email):
        return
    customer.conflicting_email = (email or claimed.email or "")[:320]
    customer.email_conflict_at = clock.now()
    audit.record(
        shop_id=shop.id,
        actor="shopify",
        action="customer.email_conflict",
        subject_type="customer",
        subject_id=customer.customer_id,
        before={"member_id": customer.member_id},
        after={"claimed_member_id": claimed.id, "email": customer.conflicting_email},
    )


def customer_of(shop: Shop, customer_id: str) -> ShopCustomer | None:
    return db.session.execute(
        select(ShopCustomer).where(
            ShopCustomer.shop_id == shop.id, ShopCustomer.customer_id == customer_id
        )
    ).scalar_one_or_none()


@dataclass
class ShopVisitor:
    """A shop and, when logged in, its customer, their TESmart ID and wallet balance."""

    shop: Shop | None
    customer: ShopCustomer | None
    member: Member | None
    balance: int | None  # None: not asked for, or no member


# No shop, so no customer or member either.
NO_VISITOR = ShopVisitor(None, None, None, None)


def shop_visitor(
    domain: str, customer_id: str | None, *, with_balance: bool = False
) -> ShopVisitor:
    """The shop by domain, the customer by Shopify id, their member (and balance) in one query.

    The storefront asks this on every request; one statement instead of three or four (shop,
    customer, member, wallet) is the cheapest way to the same rows. Each join names the shop, so a
    customer id never reaches another shop's customer (invariant 5).
    """

    params = visitor_parameters(domain, customer_id or "")
    if params is None:
        return NO_VISITOR
    if customer_id is None:
        shop = db.session.execute(
            _shop_statement(), {"domain": params["domain"]}
        ).scalar_one_or_none()
        return ShopVisitor(shop, None, None, None)
    row = db.session.execute(_visitor_statement(with_balance), params).first()
    return visitor_of(row, with_balance)


def visitor_parameters(domain: str, customer_id: str) -> dict[str, str] | None:
    """The bound values of ``visitor_statement``, the domain normalized; None for a domain no
    shop can have (nothing to look up)."""
    try:
        return {"domain": normalize_domain(domain), "customer_id": customer_id}
    except ShopError:
        return None


def visitor_statement() -> Select[Any]:
    """The statement ``shop_visitor`` sends for a logged-in customer (without the balance): a
    read that needs more of the same visit (a member's devices) adds its columns and joins to it,
    still one statement; ``visitor_of`` reads the visitor back from any of its rows."""
    return _visitor_statement(False)


def visitor_of(row: Any, with_balance: bool = False) -> ShopVisitor:
    if row is None:
        return NO_VISITOR
    member = row[2]
    # No wallet row yet is a zero balance, as ``ledger.balance`` answers.
    balance = int(row[3] or 0) if with_balance and member is not None else None
    return ShopVisitor(row[0], row[1], member, balance)


# The columns a storefront request reads of its shop, customer and member: 27 instead of 50 a
# request. Left out are what the storefront never needs (the shop's access and refresh tokens,
# its integration secret, reconciliation cursors; the customer's names and email conflict; the
# member's redaction and cancellation marks); a column left out still loads if touched, one
# statement more, which the hot reads' statement-count tests would show.
_VISITED_SHOP = load_only(
    Shop.id,
    Shop.domain,
    Shop.name,
    Shop.region,
    Shop.currency,
    Shop.locale,
    Shop.timezone,
    Shop.storefront_host,
    Shop.installed_at,
    Shop.uninstalled_at,
    Shop.settings,
    Shop.campaigns_version,
    Shop.created_at,
)
_VISITING_CUSTOMER = load_only(
    ShopCustomer.id,
    ShopCustomer.shop_id,
    ShopCustomer.customer_id,
    ShopCustomer.member_id,
    ShopCustomer.newsletter_subscribed,
)
_VISITING_MEMBER = load_only(
    Member.id,
    Member.email,
    Member.registered_at,
    Member.registered_on,
    Member.cohort,
    Member.activated_at,
    Member.state,
    Member.referral_code,
    Member.imported,
)


# Built once: the statements take their values as bound parameters, so every request reuses the
# same statement object and SQLAlchemy's memoized cache key instead of building both again.
@functools.cache
def _shop_statement() -> Select[tuple[Shop]]:
    return select(Shop).options(_VISITED_SHOP).where(Shop.domain == bindparam("domain"))


@functools.cache
def _visitor_statement(with_balance: bool) -> Select[Any]:
    entities: list[Any] = [Shop, ShopCustomer, Member]
    if with_balance:
        entities.append(Wallet.balance)
    stmt = (
        select(*entities)
        .outerjoin(
            ShopCustomer,
            and_(
                ShopCustomer.shop_id == Shop.id,
                ShopCustomer.customer_id == bindparam("customer_id"),
            ),
        )
        .outerjoin(Member, Member.id == ShopCustomer.member_id)
        .where(Shop.domain == bindparam("domain"))
        .options(_VISITED_SHOP, _VISITING_CUSTOMER, _VISITING_MEMBER)
    )
    if with_balance:
        stmt = stmt.outerjoin(
            Wallet, and_(Wallet.shop_id == Shop.id, Wallet.member_id == Member.id)
        )
    return stmt


def member_for_customer(shop: Shop, customer_id: str) -> Member | None:
    customer = customer_of(shop, customer_id)
    if customer is None or customer.member_id is None:
        return None
    return db.session.get(Member, customer.member_id)

"""Staff access: which staff member may see and change a shop in the admin.

The staff member is the session token's ``sub`` (a Shopify user id). Who they are (name, email,
whether they own the store) comes from the online access token's ``associated_user``: the token
exchange is made the first time a staff member opens the app, and again once a day, and its result
is kept in ``staff_members`` (the staff page chooses grantees by name from these).

The rule:

- The store owner (``associated_user.account_owner``) always has access and manages grants.
- A shop is open to every staff member of that shop until an owner turns restriction on; turning
  it on keeps the staff the owner ticks (those who have opened the app are listed, all ticked).
- Once restricted, only the granted users may use it; ``owner`` grants may manage grants.
- There is no seeing *another* shop: the shop is always the session token's (a token proves staff
  membership of its own shop only), and a regional operator works in their own store's admin.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from plugin import clock
from plugin.database import audit
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import Shop, StaffGrant, StaffMember, StaffRestriction
from plugin.program.errors import Refused

log = logging.getLogger(__name__)

ROLES = ("owner", "operator")
PROFILE_MAX_AGE = timedelta(days=1)
SEEN_RESOLUTION = timedelta(hours=1)


class StaffError(Refused, ValueError):
    """A grant change that is not allowed; the message is shown to the merchant."""


@dataclass(frozen=True)
class Access:
    """What the user may do in one shop."""

    shop: Shop
    role: str  # owner | operator | staff (the shop is not restricted)

    @property
    def can_manage_grants(self) -> bool:
        return self.role in ("owner", "staff")


def grants_of_shop(shop_id: int) -> list[StaffGrant]:
    stmt = select(StaffGrant).where(StaffGrant.shop_id == shop_id).order_by(StaffGrant.id)
    return list(db.session.execute(stmt).scalars())


def grant_of(user_id: str, shop_id: int) -> StaffGrant | None:
    stmt = select(StaffGrant).where(StaffGrant.shop_id == shop_id, StaffGrant.user_id == user_id)
    return db.session.execute(stmt).scalar_one_or_none()


def _has_grants(shop_id: int) -> bool:
    stmt = select(func.count()).select_from(StaffGrant).where(StaffGrant.shop_id == shop_id)
    return bool(db.session.execute(stmt).scalar())


def is_restricted(shop_id: int) -> bool:
    return db.session.get(StaffRestriction, shop_id) is not None


def staff_of_shop(shop_id: int) -> list[StaffMember]:
    """Everyone who has opened the app in the shop, by name."""
    stmt = select(StaffMember).where(StaffMember.shop_id == shop_id)
    return sorted(
        db.session.execute(stmt).scalars(), key=lambda m: ((m.name or "").lower(), m.user_id)
    )


def member_of(user_id: str, shop_id: int) -> StaffMember | None:
    stmt = select(StaffMember).where(StaffMember.shop_id == shop_id, StaffMember.user_id == user_id)
    return db.session.execute(stmt).scalar_one_or_none()


def display_name(member: StaffMember | None, user_id: str) -> str:
    if member is not None and (member.name or member.email):
        return member.name or member.email or user_id
    return f"#{user_id}"


def record_visit(
    shop: Shop, user_id: str, profile: Any | None, *, member: StaffMember | None = None
) -> bool:
    """Note that ``user_id`` opened the app; ``profile`` is the online token's user (or None when
    it was not fetched this time). Whether anything was written (the visit time is kept to the
    hour, so most requests write nothing)."""
    now = clock.now()
    member = member or member_of(user_id, shop.id)
    if member is not None and profile is None and now - member.last_seen_at < SEEN_RESOLUTION:
        return False
    with unit_of_work():
        if member is None:
            member = StaffMember(
                shop_id=shop.id, user_id=user_id, account_owner=False, last_seen_at=now
            )
            db.session.add(member)
        member.last_seen_at = now
        if profile is not None:
            name = " ".join(
                p
                for p in (getattr(profile, "first_name", ""), getattr(profile, "last_name", ""))
                if p
            )
            member.name = name[:255] or None
            member.email = (getattr(profile, "email", "") or "")[:320] or None
            member.account_owner = bool(getattr(profile, "account_owner", False))
            member.profile_at = now
    return True


def needs_profile(member: StaffMember | None) -> bool:
    if member is None or member.profile_at is None:
        return True
    return clock.now() - member.profile_at >= PROFILE_MAX_AGE


def access(user_id: str, token_shop: Shop) -> Access | None:
    """The user's access to the token's shop, or None when refused."""
    member = member_of(user_id, token_shop.id)
    if member is not None and member.account_owner:
        return Access(token_shop, "owner")
    grant = grant_of(user_id, token_shop.id)
    if grant is not None:
        return Access(token_shop, grant.role)
    if not is_restricted(token_shop.id):
        return Access(token_shop, "staff")
    return None


def who_grants(shop: Shop) -> list[str]:
    """The names of those who decide on access: the store owner, else the owner grants."""
    owners = [m for m in staff_of_shop(shop.id) if m.account_owner]
    names = [display_name(m, m.user_id) for m in owners]
    if not names:
        names = [
            display_name(member_of(g.user_id, shop.id), g.user_id)
            for g in grants_of_shop(shop.id)
            if g.role == "owner"
        ]
    return names


@unit_of_work()
def add_grant(shop: Shop, *, actor_user: str, user_id: str, role: str, actor: str) -> StaffGrant:
    """Give ``user_id`` (a staff member who has opened the app) access to ``shop``."""
    user_id = (user_id or "").strip()
    member = member_of(user_id, shop.id) if user_id else None
    if member is None:
        raise StaffError("Choose a staff member who has opened the app.")
    if role not in ROLES:
        raise StaffError(f"The role must be one of {', '.join(ROLES)}.")
    return _put(shop, user_id, role, member.email, actor)


@unit_of_work()
def restrict(shop: Shop, *, actor_user: str, keep: list[str], actor: str) -> None:
    """Turn restriction on: ``keep`` (user ids of staff who opened the app) become operators, the
    author an owner; the store owner keeps access whatever is ticked."""
    if is_restricted(shop.id):
        raise StaffError("Access is already limited to the people listed.")
    known = {m.user_id: m for m in staff_of_shop(shop.id)}
    unknown = [u for u in keep if u not in known]
    if unknown:
        raise StaffError("Choose staff members who have opened the app.")
    if grant_of(actor_user, shop.id) is None and not (
        known.get(actor_user) and known[actor_user].account_owner
    ):
        _put(
            shop,
            actor_user,
            "owner",
            known[actor_user].email if actor_user in known else None,
            actor,
        )
    for user_id in keep:
        if user_id != actor_user and grant_of(user_id, shop.id) is None:
            _put(shop, user_id, "operator", known[user_id].email, actor)
    db.session.add(
        StaffRestriction(shop_id=shop.id, restricted_by=actor_user, restricted_at=clock.now())
    )
    dropped = sorted(
        set(known) - set(keep) - {actor_user} - {u for u, m in known.items() if m.account_owner}
    )
    audit.record(
        shop_id=shop.id,
        actor=actor,
        action="staff.restrict",
        subject_type="shop",
        subject_id=str(shop.id),
        before={"restricted": False},
        after={"restricted": True, "kept": sorted(keep), "without_access": dropped},
    )
    db.session.flush()


@unit_of_work()
def open_to_all(shop: Shop, *, actor: str) -> None:
    """Turn restriction off: every staff member of the shop may use the app again."""
    row = db.session.get(StaffRestriction, shop.id)
    if row is None:
        return
    db.session.delete(row)
    audit.record(
        shop_id=shop.id,
        actor=actor,
        action="staff.unrestrict",
        subject_type="shop",
        subject_id=str(shop.id),
        before={"restricted": True},
        after={"restricted": False},
    )
    db.session.flush()


def _put(shop: Shop, user_id: str, role: str, email: str | None, actor: str) -> StaffGrant:
    grant = grant_of(user_id, shop.id)
    before = {"role": grant.role, "email": grant.email} if grant else None
    if grant is None:
        grant = StaffGrant(shop_id=shop.id, user_id=user_id, role=role, email=email)
        db.session.add(grant)
    else:
        if grant.role == "owner" and role != "owner" and _owners(shop.id) == 1:
            raise StaffError("A shop keeps at least one owner.")
        grant.role = role
        grant.email = email or grant.email
    db.session.flush()
    audit.record(
        shop_id=shop.id,
        actor=actor,
        action="staff.grant",
        subject_type="staff_user",
        subject_id=user_id,
        before=before,
        after={"role": role, "email": grant.email},
    )
    return grant


def _owners(shop_id: int) -> int:
    stmt = (
        select(func.count())
        .select_from(StaffGrant)
        .where(StaffGrant.shop_id == shop_id, StaffGrant.role == "owner")
    )
    return int(db.session.execute(stmt).scalar() or 0)


def removal_refused(shop: Shop, grant: StaffGrant) -> str | None:
    """Why ``grant`` may not be removed, or None."""
    if grant.role == "owner" and _owners(shop.id) == 1 and len(grants_of_shop(shop.id)) > 1:
        return "Remove the other grants first: a shop with grants keeps an owner."
    return None


@unit_of_work()
def remove_grant(shop: Shop, grant_id: int, *, actor: str) -> None:
    grant = db.session.execute(
        select(StaffGrant).where(StaffGrant.id == grant_id, StaffGrant.shop_id == shop.id)
    ).scalar_one_or_none()
    if grant is None:
        raise StaffError("That grant does not exist in this shop.")
    refused = removal_refused(shop, grant)
    if refused:
        raise StaffError(refused)
    audit.record(
        shop_id=shop.id,
        actor=actor,
        action="staff.revoke",
        subject_type="staff_user",
        subject_id=grant.user_id,
        before={"role": grant.role, "email": grant.email},
        after=None,
    )
    db.session.delete(grant)

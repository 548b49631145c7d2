"""Regional operators: which staff member may see and change which shop in the admin.

The staff member is the session token's ``sub`` (a Shopify user id). The rule:

- A shop without any grant is open to every staff member of that shop, i.e. whoever presents a
  session token issued for it (the first install: nobody has been given anything yet).
- Once a shop has grants, only the granted users may use it; ``owner`` grants may manage grants.
- There is no seeing *another* shop: the shop is always the session token's (a token proves staff
  membership of its own shop only), and a regional operator works in their own store's admin.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from plugin.extensions import db
from plugin.models import Shop, StaffGrant
from plugin.services import audit

ROLES = ("owner", "operator")


class StaffError(ValueError):
    """A grant change that is not allowed; the message is shown to the merchant."""


@dataclass(frozen=True)
class Access:
    """What the user may do in one shop."""

    shop: Shop
    role: str  # owner | operator | staff (no grants at all yet)

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


def access(user_id: str, token_shop: Shop) -> Access | None:
    """The user's access to the token's shop, or None when refused."""
    grant = grant_of(user_id, token_shop.id)
    if grant is not None:
        return Access(token_shop, grant.role)
    if not _has_grants(token_shop.id):
        return Access(token_shop, "staff")
    return None


def add_grant(shop: Shop, *, actor_user: str, user_id: str, role: str, email: str | None, actor: str) -> StaffGrant:
    """Give ``user_id`` access to ``shop``. The first grant of a shop also makes its author owner,
    so nobody locks themselves out by granting someone else first."""
    user_id = (user_id or "").strip()
    if not user_id or len(user_id) > 64:
        raise StaffError("Enter the staff member's Shopify user id.")
    if role not in ROLES:
        raise StaffError(f"The role must be one of {', '.join(ROLES)}.")
    email = (email or "").strip() or None
    if email is not None and ("@" not in email or len(email) > 320):
        raise StaffError("The email address is not valid.")
    if not _has_grants(shop.id) and user_id != actor_user:
        _put(shop, actor_user, "owner", None, actor)
    return _put(shop, user_id, role, email, actor)


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
        shop_id=shop.id, actor=actor, action="staff.grant", subject_type="staff_user",
        subject_id=user_id, before=before, after={"role": role, "email": grant.email},
    )
    return grant


def _owners(shop_id: int) -> int:
    stmt = select(func.count()).select_from(StaffGrant).where(
        StaffGrant.shop_id == shop_id, StaffGrant.role == "owner"
    )
    return int(db.session.execute(stmt).scalar() or 0)


def removal_refused(shop: Shop, grant: StaffGrant) -> str | None:
    """Why ``grant`` may not be removed, or None."""
    if grant.role == "owner" and _owners(shop.id) == 1 and len(grants_of_shop(shop.id)) > 1:
        return "Remove the other grants first: a shop with grants keeps an owner."
    return None


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
        shop_id=shop.id, actor=actor, action="staff.revoke", subject_type="staff_user",
        subject_id=grant.user_id, before={"role": grant.role, "email": grant.email}, after=None,
    )
    db.session.delete(grant)

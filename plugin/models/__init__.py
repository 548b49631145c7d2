"""SQLAlchemy models, one module per aggregate. Importing this package registers them all."""

from plugin.models.benefits import (
    CtrlFApplication,
    CtrlFProgram,
    ReturnRequest,
    TradeIn,
    TradeInEvent,
    WarrantyClaim,
)
from plugin.models.commerce import Device, Order, OrderRefund, Product
from plugin.models.events import (
    AuditLog,
    DataRequest,
    ImportRun,
    OutboxItem,
    ProgramMonth,
    StaffGrant,
    StaffMember,
    StaffRestriction,
    WebhookEvent,
)
from plugin.models.ledger import PointEntry, Wallet
from plugin.models.loyalty import MemberBirthday, MemberTier, TierChange
from plugin.models.member import Member, RedactedCustomer, ShopCustomer
from plugin.models.reach import EmailDelivery
from plugin.models.rewards import Campaign, Redemption, Referral, Reward, SurveyCompletion
from plugin.models.shop import Shop

__all__ = [
    "AuditLog",
    "Campaign",
    "CtrlFApplication",
    "CtrlFProgram",
    "DataRequest",
    "Device",
    "EmailDelivery",
    "ImportRun",
    "Member",
    "MemberBirthday",
    "MemberTier",
    "TierChange",
    "Order",
    "OrderRefund",
    "OutboxItem",
    "ProgramMonth",
    "PointEntry",
    "Product",
    "RedactedCustomer",
    "Redemption",
    "Referral",
    "ReturnRequest",
    "Reward",
    "Shop",
    "ShopCustomer",
    "StaffGrant",
    "StaffMember",
    "StaffRestriction",
    "SurveyCompletion",
    "TradeIn",
    "TradeInEvent",
    "WarrantyClaim",
    "Wallet",
    "WebhookEvent",
]

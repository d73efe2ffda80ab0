"""All ORM models; importing this package registers every table on `Base.metadata`."""

from bot.db.models.agents import Agent
from bot.db.models.base import Base, as_utc, utcnow
from bot.db.models.catalogue import Brand, OtherBrand, Part, ProductModel, part_compatibility
from bot.db.models.channels import Attachment, ChannelUpdate
from bot.db.models.customer_messages import CustomerMessage
from bot.db.models.customers import Customer, Device
from bot.db.models.engagement import CsatRating, CsatRequest, Handoff
from bot.db.models.network import Authorisation, Outlet, Provider, Warehouse
from bot.db.models.nlu_feedback import NluExample, NluLabel
from bot.db.models.provider_access import ProviderApiKey
from bot.db.models.provider_telegram import OutletTelegramGroup, ProviderTelegramNotice
from bot.db.models.stock import Stock
from bot.db.models.tickets import AppendOnlyViolation, PartReservation, Ticket, TicketEvent
from bot.db.models.webhooks import OutletWebhook, WebhookCursor, WebhookDelivery

__all__ = [
    "Agent",
    "AppendOnlyViolation",
    "Attachment",
    "Authorisation",
    "Base",
    "Brand",
    "ChannelUpdate",
    "CsatRating",
    "CsatRequest",
    "Customer",
    "CustomerMessage",
    "Device",
    "Handoff",
    "NluExample",
    "NluLabel",
    "OtherBrand",
    "Outlet",
    "OutletTelegramGroup",
    "OutletWebhook",
    "Part",
    "PartReservation",
    "ProductModel",
    "Provider",
    "ProviderApiKey",
    "ProviderTelegramNotice",
    "Stock",
    "Ticket",
    "TicketEvent",
    "Warehouse",
    "WebhookCursor",
    "WebhookDelivery",
    "part_compatibility",
    "as_utc",
    "utcnow",
]

"""All ORM models; importing this package registers every table on `Base.metadata`."""

from bot.db.models.base import Base, utcnow
from bot.db.models.catalogue import Brand, Part, ProductModel, part_compatibility
from bot.db.models.customers import Customer, Device
from bot.db.models.engagement import CsatRating, CsatRequest, Handoff
from bot.db.models.network import Authorisation, Outlet, Provider, Warehouse
from bot.db.models.stock import Stock
from bot.db.models.tickets import AppendOnlyViolation, PartReservation, Ticket, TicketEvent

__all__ = [
    "AppendOnlyViolation",
    "Authorisation",
    "Base",
    "Brand",
    "CsatRating",
    "CsatRequest",
    "Customer",
    "Device",
    "Handoff",
    "Outlet",
    "Part",
    "PartReservation",
    "ProductModel",
    "Provider",
    "Stock",
    "Ticket",
    "TicketEvent",
    "Warehouse",
    "part_compatibility",
    "utcnow",
]

"""The JSON body of a provider webhook: which ticket events are sent, and what of the ticket an outlet sees.

Body (UTF-8 JSON object)::

    {"delivery_id": "<uuid>", "event": "ticket.routed" | "ticket.rerouted" | "ticket.cancelled",
     "occurred_at": "<ISO 8601, UTC>",
     "ticket": {"number", "category", "priority", "status", "service_type", "language", "brand",
                "product_category", "symptom", "location_text", "sla_accept_due_at"}}

`ticket` is the ticket as it is when the attempt is built (a late retry may show a newer status); the provider API
is the authoritative source. It never carries the customer's phone number or street address: the phone is given by
the provider API after acceptance; `location_text` is the city only ("广东省深圳市"), derived from the ticket's
administrative code, or null when there is none; phone-like numbers in the symptom are masked.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import TypedDict

from bot.db.models import Ticket, as_utc
from bot.domain.handoff import mask_phone_numbers
from bot.domain.lifecycle import TicketStatus

#: Ticket-event kinds that are delivered, and the webhook event name of each.
EVENT_BY_KIND = {
    TicketStatus.ROUTED.value: "ticket.routed",
    TicketStatus.REROUTED.value: "ticket.rerouted",
    TicketStatus.CANCELLED.value: "ticket.cancelled",
}
#: A cancellation from these statuses concerns no outlet: none holds the ticket (new), or it already declined it.
_UNHELD = frozenset({TicketStatus.NEW.value, TicketStatus.REJECTED.value})


class WebhookTicket(TypedDict):
    """What an outlet's system learns about the ticket."""

    number: str
    category: str
    priority: str
    status: str
    service_type: str
    language: str
    brand: str | None  # the brand's code, e.g. "gree"
    product_category: str | None
    symptom: str | None
    location_text: str | None  # city level only
    sla_accept_due_at: str | None


class WebhookPayload(TypedDict):
    """The whole body."""

    delivery_id: str
    event: str
    occurred_at: str
    ticket: WebhookTicket


def recipient(
    kind: str, event_outlet_id: int | None, from_status: str | None, assigned_outlet_id: int | None
) -> int | None:
    """The outlet a ticket event is delivered to, or None when it concerns no outlet.

    Routed and re-routed: the outlet the ticket went to. Cancelled: the outlet holding the ticket, unless that outlet
    cancelled it itself or no outlet held it (see `_UNHELD`).
    """
    if kind in (TicketStatus.ROUTED.value, TicketStatus.REROUTED.value):
        return event_outlet_id
    if kind == TicketStatus.CANCELLED.value and from_status not in _UNHELD and event_outlet_id != assigned_outlet_id:
        return assigned_outlet_id
    return None


@functools.lru_cache(maxsize=4096)
def city_of_adcode(adcode: str | None) -> str | None:
    """Province and city of a Chinese administrative code ("440305" → "广东省深圳市"); None when unknown."""
    if not adcode or len(adcode) < 4 or not adcode[:6].isdigit():
        return None
    import cpca  # its division table is only needed here; loaded on first use

    def name(code: str) -> str | None:
        entry = cpca.ad_2_addr_dict.get(code.ljust(12, "0"))
        return str(entry.name) if entry is not None else None

    province = name(adcode[:2])
    city = name(adcode[:4]) if adcode[2:4] != "00" else None
    if city in ("市辖区", "县", "省直辖县级行政区划", province):  # municipalities and directly governed counties
        city = None
    return (province or "") + (city or "") or None


def _iso(moment: datetime | None) -> str | None:
    aware = as_utc(moment)
    return aware.isoformat() if aware is not None else None


def build_body(delivery_id: str, event: str, occurred_at: datetime, ticket: Ticket, brand_code: str | None) -> bytes:
    """The exact bytes that are signed and posted (compact JSON, UTF-8, non-ASCII kept)."""
    payload: WebhookPayload = {
        "delivery_id": delivery_id,
        "event": event,
        "occurred_at": _iso(occurred_at) or "",
        "ticket": {
            "number": ticket.number,
            "category": ticket.category,
            "priority": ticket.priority,
            "status": ticket.status,
            "service_type": ticket.service_type,
            "language": ticket.language,
            "brand": brand_code,
            "product_category": ticket.product_category,
            "symptom": mask_phone_numbers(ticket.symptom) if ticket.symptom else ticket.symptom,
            "location_text": city_of_adcode(ticket.adcode),
            "sla_accept_due_at": _iso(ticket.sla_accept_due_at),
        },
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

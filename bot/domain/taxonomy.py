"""The 11 after-sales triage categories (../shared/taxonomy.md), priorities and urgency levels."""

from __future__ import annotations

from enum import Enum


class Category(str, Enum):
    """Triage category of a customer's need; also the category of a ticket."""

    REPORT_FAULT = "report_fault"
    WARRANTY_QUERY = "warranty_query"
    PARTS_AVAILABILITY = "parts_availability"
    TICKET_STATUS = "ticket_status"
    COMPLAINT = "complaint"
    REQUEST_HUMAN = "request_human"
    INSTALLATION_REQUEST = "installation_request"
    RETURN_REFUND = "return_refund"
    FIND_SERVICE_CENTRE = "find_service_centre"
    GREET = "greet"
    OUT_OF_SCOPE = "out_of_scope"


#: Categories a ticket can be opened for (the others are answered, not ticketed).
TICKET_CATEGORIES = frozenset(
    {
        Category.REPORT_FAULT,
        Category.INSTALLATION_REQUEST,
        Category.COMPLAINT,
        Category.RETURN_REFUND,
        Category.PARTS_AVAILABILITY,
        Category.WARRANTY_QUERY,
    }
)


class Priority(str, Enum):
    """Ticket priority; drives the resolution SLA."""

    SAFETY = "safety"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class ServiceType(str, Enum):
    """What an outlet is authorised to do for a brand × category."""

    REPAIR = "repair"
    INSTALLATION = "installation"


def service_type_for(category: Category) -> ServiceType:
    """Installation requests go to installation-authorised outlets; everything else to repair outlets."""
    return ServiceType.INSTALLATION if category is Category.INSTALLATION_REQUEST else ServiceType.REPAIR

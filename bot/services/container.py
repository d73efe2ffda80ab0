"""The services of one process, wired once over one session factory: the framework-free half of a composition root.

Our aiohttp service (`bot/web/resources.py`) and the action server (`actions/runtime.py`) both build theirs with
`build_services`; each adapter then only reads what it needs. One routing index, one catalogue and one geocoder are
shared by everything in the process. The use cases that call Rasa's HTTP API (`RasaServices`) exist only where a
Rasa client is given: our service has one, the action server does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.db.session import SessionFactory
from bot.geo.geocoder import Geocoder
from bot.services.agents.accounts import AgentAccountService
from bot.services.agents.assist import AgentAssistService
from bot.services.agents.assist_types import AssistRasa
from bot.services.agents.conversations import ConversationDirectory
from bot.services.catalogue.service import CatalogueService
from bot.services.customers.delivery import BotMessagePoster
from bot.services.customers.outbox import CustomerOutbox
from bot.services.dashboard.service import DashboardService
from bot.services.handoff.csat import CsatService
from bot.services.handoff.engagement import EngagementRasa, HandoffEngagement
from bot.services.handoff.service import HandoffService
from bot.services.nlu_feedback.corrections import TriageCorrections
from bot.services.nlu_feedback.service import NluFeedbackService
from bot.services.parts.service import PartsService
from bot.services.providers.keys import ProviderKeyService
from bot.services.providers.tickets import ProviderTicketService
from bot.services.tickets.outlets import OutletDirectory
from bot.services.tickets.routing import RoutingService
from bot.services.tickets.service import TicketService
from bot.services.tickets.warranty import WarrantyService
from bot.settings import Settings


class RasaClient(AssistRasa, BotMessagePoster, EngagementRasa, Protocol):
    """Every Rasa HTTP API call the services make (implemented by `RasaBridge`)."""


@dataclass(frozen=True)
class RasaServices:
    """The use cases that call Rasa: the agents' assistant, triage corrections, take-over and resume."""

    assist: AgentAssistService
    corrections: TriageCorrections
    engagement: HandoffEngagement


@dataclass
class Services:
    """Everything the adapters of a process use, sharing one session factory."""

    sessions: SessionFactory
    catalogue: CatalogueService
    routing: RoutingService
    tickets: TicketService
    parts: PartsService
    warranty: WarrantyService
    handoff: HandoffService
    csat: CsatService
    outlets: OutletDirectory
    geocoder: Geocoder
    nlu_feedback: NluFeedbackService  # "did you mean" choices and agents' corrections become training examples
    conversations: ConversationDirectory
    dashboard: DashboardService
    agent_accounts: AgentAccountService
    provider_keys: ProviderKeyService
    provider_tickets: ProviderTicketService
    customer_outbox: CustomerOutbox
    rasa: RasaServices | None = None  # None without a Rasa client (the action server)

    @classmethod
    def from_sessions(cls, sessions: SessionFactory, geocoder: Geocoder | None = None) -> Services:
        """Wire the services over one session factory with the default settings and no Rasa client (tests)."""
        return build_services(sessions, Settings.from_env({}), geocoder=geocoder)


def build_services(
    sessions: SessionFactory,
    settings: Settings,
    *,
    rasa: RasaClient | None = None,
    geocoder: Geocoder | None = None,
) -> Services:
    """Build every service of a process over `sessions`; with `rasa`, also the use cases that call Rasa."""
    routing = RoutingService(sessions, refresh_interval_s=settings.routing_refresh_s)
    tickets = TicketService(sessions, router=routing)
    catalogue, parts, handoff = CatalogueService(sessions), PartsService(sessions), HandoffService(sessions)
    geocoder = geocoder or Geocoder()  # loads its tables on first use only
    nlu_feedback = NluFeedbackService(sessions)
    rasa_services: RasaServices | None = None
    if rasa is not None:
        rasa_services = RasaServices(
            assist=AgentAssistService(rasa, handoff, catalogue, parts, nearest=routing.nearest,
                                      locate=geocoder.geocode),
            corrections=TriageCorrections(rasa, nlu_feedback),
            engagement=HandoffEngagement(handoff, rasa),
        )
    return Services(
        sessions=sessions,
        catalogue=catalogue,
        routing=routing,
        tickets=tickets,
        parts=parts,
        warranty=WarrantyService(sessions),
        handoff=handoff,
        csat=CsatService(sessions),
        outlets=OutletDirectory(sessions),
        geocoder=geocoder,
        nlu_feedback=nlu_feedback,
        conversations=ConversationDirectory(sessions),
        dashboard=DashboardService(sessions),
        agent_accounts=AgentAccountService(sessions),
        provider_keys=ProviderKeyService(sessions),
        provider_tickets=ProviderTicketService(sessions, tickets, parts),
        # Rasa's HTTP API is only on with a token (bot/launcher.py): without one, nothing can be pushed.
        customer_outbox=CustomerOutbox(sessions, rasa if settings.rasa_token else None),
        rasa=rasa_services,
    )

"""What the agent-assist service returns for one conversation: frozen dataclasses, detached from Rasa and the ORM."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.domain.outlet_contact import OutletContact
from bot.services.handoff.types import HandoffView


class AssistRasa(Protocol):
    """The two Rasa HTTP API calls the assistant needs (implemented by `RasaBridge`)."""

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        """The conversation's tracker with its events."""

    async def parse(self, text: str) -> dict[str, Any]:
        """The NLU parse of a text."""


@dataclass(frozen=True)
class TranscriptLine:
    """One line of the conversation: `who` is user, bot, agent or system (pause/resume)."""

    who: str
    text: str
    at: datetime | None


@dataclass(frozen=True)
class EntityValue:
    """An entity found in the customer's latest message (phone-like values masked)."""

    entity: str
    value: str


@dataclass(frozen=True)
class Triage:
    """The live triage of the customer's latest message."""

    intent: str
    confidence: float
    category: str
    urgency: str
    language: str
    entities: tuple[EntityValue, ...]
    message_key: str | None = None  # the triaged user message (its Rasa timestamp): what a correction refers to


@dataclass(frozen=True)
class TicketDraft:
    """A ticket prefilled from the entities of the latest message, then from the conversation's slots."""

    category: str
    urgency: str
    language: str
    brand: str | None
    brand_name: str | None
    product_category: str | None
    product_model: str | None
    symptom: str | None
    error_code: str | None
    location: str | None
    phone: str | None  # masked: ******78


@dataclass(frozen=True)
class OutletSuggestion(OutletContact):
    """A nearby authorised outlet for the draft's brand, product and location."""

    distance_km: float


@dataclass(frozen=True)
class PartOnHand:
    """A catalogue part for the brand/model and its unreserved stock (nearest warehouse when a location is known)."""

    part_number: str
    name_zh: str
    name_en: str
    kind: str
    available: int
    nearest: str | None
    eta_days: int | None


@dataclass(frozen=True)
class Assist:
    """Everything the console shows beside one conversation."""

    conversation_id: str
    channel: str | None
    paused: bool
    language: str
    transcript: tuple[TranscriptLine, ...]
    triage: Triage | None
    draft: TicketDraft
    outlets: tuple[OutletSuggestion, ...]
    parts: tuple[PartOnHand, ...]
    suggestions: tuple[str, ...]
    handoff: HandoffView | None
    notes: tuple[str, ...]  # why a section is empty: "parse_unavailable", "unknown_brand", "location_unresolved" …

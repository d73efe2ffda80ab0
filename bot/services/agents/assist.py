"""Agent assist: what an agent needs to answer one conversation, from its transcript to suggested replies.

It gathers the transcript, the live triage of the customer's latest message, a ticket draft, the nearest authorised
outlets, parts on hand and suggested replies.

Rasa is the source of the conversation (its tracker) and of the triage (`/model/parse` on the latest customer
message, mapped to a triage category by `bot.nlu.intents.categories`, the one intent → category mapping). The tracker is
required (no tracker: `UpstreamError`); everything after it degrades: a failed parse, an unknown brand or an
unresolvable location leave their section empty and say why in `notes`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from bot.domain.catalogue import ProductCategory, find_category
from bot.domain.errors import DomainError, UpstreamError
from bot.domain.handoff import mask_phone_numbers
from bot.domain.slots import GEO, LANGUAGE
from bot.domain.taxonomy import Category, service_type_for
from bot.geo.types import Location, RouteCandidate
from bot.nlu.intents.categories import category_for_intent
from bot.services.agents.assist_types import (
    Assist,
    AssistRasa,
    EntityValue,
    OutletSuggestion,
    PartOnHand,
    TicketDraft,
    TranscriptLine,
    Triage,
)
from bot.services.agents.replies import suggested_replies
from bot.services.catalogue.service import CatalogueService
from bot.services.handoff.service import HandoffService
from bot.services.nlu_feedback.types import latest_user_event, message_key_of
from bot.services.parts.service import PartsService

logger = logging.getLogger(__name__)

MAX_TRANSCRIPT = 200
MAX_PARSE_CHARS = 4000  # as the triage command: longer texts are not customer messages
MAX_FIELD_CHARS = 300
PARTS_SHOWN = 4
NEAREST_OUTLETS = 3
_MASKED_ENTITIES = frozenset({"phone", "imei", "serial"})
_FIELD_ENTITIES = frozenset({"language", "urgency"})
_AGENT_MARKERS = ("agent", "from_agent")  # bot-event metadata keys the customer outbox sets on agents' messages

Locate = Callable[[str], Location]
Nearest = Callable[..., Any]  # RoutingService.nearest


def _when(timestamp: Any) -> datetime | None:
    if isinstance(timestamp, (int, float)) and timestamp > 0:
        return datetime.fromtimestamp(float(timestamp), tz=timezone.utc)
    return None


def transcript_of(events: list[dict[str, Any]]) -> list[TranscriptLine]:
    """User and bot messages, with agents' messages and pauses/resumes marked, oldest first (the last 200)."""
    lines: list[TranscriptLine] = []
    for event in events:
        kind, at = event.get("event"), _when(event.get("timestamp"))
        if kind == "user":
            lines.append(TranscriptLine("user", str(event.get("text") or ""), at))
        elif kind == "bot" and event.get("text"):
            metadata = event.get("metadata") or {}
            by_agent = isinstance(metadata, dict) and (
                any(metadata.get(key) for key in _AGENT_MARKERS) or metadata.get("kind") == "agent"
            )
            lines.append(TranscriptLine("agent" if by_agent else "bot", str(event["text"]), at))
        elif kind in ("pause", "resume"):
            lines.append(TranscriptLine("system", str(kind), at))
    return lines[-MAX_TRANSCRIPT:]


#: Categories that are no need of their own: a later "转人工" or "hello" does not hide the need stated before.
_NOT_A_NEED = frozenset({Category.REQUEST_HUMAN.value, Category.GREET.value, Category.OUT_OF_SCOPE.value})


def _user_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e.get("event") == "user" and e.get("text") is not None]


def need_event(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The customer's latest message that states a need (by the parse Rasa stored with it), else the latest."""
    users = _user_events(events)
    for event in reversed(users):
        parsed = event.get("parse_data")
        if isinstance(parsed, dict) and triage_of(parsed, None).category not in _NOT_A_NEED:
            return event
    return latest_user_event(events)


def conversation_values(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The first value of each entity per customer message, the latest message winning, over the conversation."""
    values: dict[str, Any] = {}
    for event in _user_events(events):
        parsed = event.get("parse_data")
        if isinstance(parsed, dict):
            values.update({k: v for k, v in _first_values(parsed).items() if v not in (None, "")})
    return values


def _safe_for_parse(text: str) -> str:
    # Rasa reads a leading "/" as an intent payload; the full-width slash keeps the text a text (as in triage.py).
    text = text[:MAX_PARSE_CHARS]
    stripped = len(text) - len(text.lstrip())
    return text[:stripped] + "／" + text[stripped + 1 :] if text.lstrip().startswith("/") else text


def triage_of(parsed: dict[str, Any], slot_language: str | None) -> Triage:
    """The triage of a parse result: the best real intent (even below the fallback threshold) and its category."""
    ranking = [r for r in parsed.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
    top = ranking[0] if ranking else (parsed.get("intent") or {})
    intent = str(top.get("name") or Category.OUT_OF_SCOPE.value)
    entities = [e for e in parsed.get("entities") or [] if isinstance(e, dict)]
    language = next((e.get("value") for e in entities if e.get("entity") == "language"), None)
    urgency = next((e.get("value") for e in entities if e.get("entity") == "urgency"), None)
    shown = tuple(
        EntityValue(str(e["entity"]), _display(str(e["entity"]), e.get("value")))
        for e in entities
        if e.get("entity") and e.get("entity") not in _FIELD_ENTITIES
    )
    return Triage(
        intent=intent,
        confidence=round(float(top.get("confidence") or 0.0), 4),
        category=category_for_intent(intent).value,
        urgency=str(urgency or parsed.get("urgency") or "normal"),
        language=str(language or slot_language or "zh"),
        entities=shown,
    )


def _display(entity: str, value: Any) -> str:
    text = str(value if value is not None else "")[:MAX_FIELD_CHARS]
    return mask_phone_numbers(text) if entity in _MASKED_ENTITIES else text


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value).strip()[:MAX_FIELD_CHARS] or None


def _first_values(parsed: dict[str, Any]) -> dict[str, Any]:
    # Unmasked first value per entity of the latest parse: the draft masks the phone itself, after choosing it.
    raw: dict[str, Any] = {}
    for entity in parsed.get("entities") or []:
        if isinstance(entity, dict) and entity.get("entity"):
            raw.setdefault(str(entity["entity"]), entity.get("value"))
    return raw


def _location_of(geo: Any) -> Location | None:
    if not isinstance(geo, dict):
        return None
    try:
        lat, lon = float(geo["lat"]), float(geo["lon"])
    except (KeyError, TypeError, ValueError):
        return None
    return Location(lat=lat, lon=lon, country=str(geo.get("country") or ""), adcode=geo.get("adcode"),
                    label=str(geo.get("label") or ""))


class AgentAssistService:
    """Aggregates what an agent needs beside a conversation; framework-free, every dependency passed in."""

    def __init__(
        self,
        rasa: AssistRasa,
        handoffs: HandoffService,
        catalogue: CatalogueService,
        parts: PartsService,
        nearest: Nearest | None = None,
        locate: Locate | None = None,
    ) -> None:
        self._rasa, self._handoffs, self._catalogue, self._parts = rasa, handoffs, catalogue, parts
        self._nearest, self._locate = nearest, locate

    async def assist(self, conversation_id: str) -> Assist:
        """The console's view of one conversation; `UpstreamError` when Rasa cannot give its tracker."""
        tracker = await self._rasa.tracker(conversation_id)
        events = [e for e in tracker.get("events") or [] if isinstance(e, dict)]
        slots: dict[str, Any] = tracker["slots"] if isinstance(tracker.get("slots"), dict) else {}
        notes: list[str] = []
        need = need_event(events)
        text = str(need["text"]) if need is not None and need.get("text") is not None else None
        triage, parsed = await self._triage(text, slots.get(LANGUAGE), notes)
        if triage is not None:
            key = message_key_of(need.get("timestamp")) if need is not None else None
            triage = replace(triage, message_key=key)
        # Every detail the customer gave, in any turn (the latest wins), then the triaged message's own.
        raw = {**conversation_values(events), **_first_values(parsed)}
        language = triage.language if triage else str(slots.get(LANGUAGE) or "zh")
        category = Category(triage.category) if triage else Category.OUT_OF_SCOPE

        def pick(name: str, slot: str | None = None) -> str | None:
            return _text(raw.get(name) or slots.get(slot or name))

        product = pick("product_category")
        product_category = (
            ProductCategory(product) if product in {c.value for c in ProductCategory}
            else find_category(product) if product else None
        )
        phone = pick("phone")
        symptom = pick("symptom")
        draft = TicketDraft(
            category=category.value, urgency=triage.urgency if triage else "normal", language=language,
            brand=pick("brand"), brand_name=None, product_category=product_category.value if product_category else None,
            product_model=pick("product_model"), symptom=mask_phone_numbers(symptom) if symptom else None,
            error_code=pick("error_code"), location=pick("location"),
            phone=mask_phone_numbers(phone) if phone else None,
        )
        brand_id, draft = await self._brand(draft, notes)
        location = _location_of(slots.get(GEO)) or await self._geocode(draft.location, notes)
        outlets = await self._outlets(brand_id, product_category, category, location, notes)
        parts = await self._parts_on_hand(brand_id, draft, location, notes)
        return Assist(
            conversation_id=conversation_id,
            channel=_text(tracker.get("latest_input_channel")),
            paused=bool(tracker.get("paused")),
            language=language,
            transcript=tuple(transcript_of(events)),
            triage=triage,
            draft=draft,
            outlets=tuple(outlets),
            parts=tuple(parts),
            suggestions=tuple(suggested_replies(category, language)),
            handoff=await self._handoffs.get_open(conversation_id),
            notes=tuple(notes),
        )

    async def _triage(
        self, text: str | None, slot_language: Any, notes: list[str]
    ) -> tuple[Triage | None, dict[str, Any]]:
        if text is None:
            notes.append("no_customer_message")
            return None, {}
        try:
            parsed = await self._rasa.parse(_safe_for_parse(text))
        except UpstreamError:
            logger.warning("agent_assist.parse_failed")
            notes.append("parse_unavailable")
            return None, {}
        return triage_of(parsed, str(slot_language) if slot_language else None), parsed

    async def _brand(self, draft: TicketDraft, notes: list[str]) -> tuple[int | None, TicketDraft]:
        if not draft.brand:
            return None, draft
        try:
            brand = await self._catalogue.resolve_brand(draft.brand)
        except DomainError:
            notes.append("unknown_brand")
            return None, draft
        name = brand.name_en if draft.language == "en" else brand.name_zh
        return brand.id, TicketDraft(**{**draft.__dict__, "brand": brand.code, "brand_name": name})

    async def _geocode(self, text: str | None, notes: list[str]) -> Location | None:
        if not text or self._locate is None:
            return None
        try:
            return await asyncio.to_thread(self._locate, text)
        except DomainError:
            notes.append("location_unresolved")
            return None

    async def _outlets(
        self, brand_id: int | None, product: ProductCategory | None, category: Category, location: Location | None,
        notes: list[str],
    ) -> list[OutletSuggestion]:
        if brand_id is None or product is None or location is None or self._nearest is None:
            return []
        try:
            found: list[RouteCandidate] = await self._nearest(
                brand_id, product, service_type_for(category), location, k=NEAREST_OUTLETS
            )
        except DomainError:
            notes.append("routing_unavailable")
            return []
        return [
            OutletSuggestion(c.outlet_id, c.code, c.name_zh, c.name_en, c.address, c.phone, c.opening_hours,
                             round(c.distance_km, 1))
            for c in found
        ]

    async def _parts_on_hand(
        self, brand_id: int | None, draft: TicketDraft, location: Location | None, notes: list[str]
    ) -> list[PartOnHand]:
        if brand_id is None:
            return []
        model_id = None
        if draft.product_model:
            try:
                model_id = (await self._catalogue.resolve_model(brand_id, draft.product_model)).id
            except DomainError:
                notes.append("unknown_model")
        try:
            candidates = await self._parts.find_parts(brand_id=brand_id, model_id=model_id, limit=50)
            if draft.product_category and model_id is None:
                candidates = [p for p in candidates if p.category == draft.product_category]
            shown: list[PartOnHand] = []
            for part in candidates[:PARTS_SHOWN]:
                stock = await self._parts.availability(part.id, near=location, limit=1 if location else 0)
                best = stock.locations[0] if stock.locations else None
                shown.append(PartOnHand(
                    part.part_number, part.name_zh, part.name_en, part.kind, stock.total_available,
                    best.warehouse_name if best else None, best.eta_days if best else None,
                ))
        except DomainError:
            notes.append("parts_unavailable")
            return []
        return shown

"""When the NLU is unsure: "did you mean" with the candidate needs as buttons, then the chosen flow.

`action_fallback` runs on `nlu_fallback` (the FallbackClassifier's verdict on calibrated probabilities). It offers
the two most probable needs and "something else"; the customer's choice (`/choose{"need": …}`, or a typed "2")
is answered by `action_resolve_need`, which records the confirmed label for review and replays the customer's
original message with the chosen intent, so the flow starts with every detail that message gave. "Something
else" shows the menu; a second miss in a row goes to a person.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, SlotSet, UserUttered
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import Events, ServiceAction
from actions.conversation import channel_of, language_of, latest_text, user_events
from actions.handoff import hand_over
from actions.runtime import Services, public_error, within_budget
from actions.texts import need_name
from actions.tickets.corrections import is_typed_correction, names_a_field
from actions.tickets.summary import ActionShowSummary
from bot.domain.slots import AWAITING, LANGUAGE, NEED_CANDIDATES
from bot.nlu.intents.disambiguation import NEEDS, OTHER, candidate_needs, read_choice

logger = logging.getLogger(__name__)
FALLBACK_INTENT = "nlu_fallback"
CHOOSE_INTENT = "choose"
NEED_ENTITY = "need"
#: `awaiting` values of a yes/no or a rating the customer owes: a miss there keeps the pending question.
_PENDING_ANSWERS = frozenset({"repair", "installation", "reservation", "csat"})


def _intent(event: dict[str, Any]) -> str | None:
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name")


def _need_entity(event: dict[str, Any]) -> str | None:
    for entity in (event.get("parse_data") or {}).get("entities") or []:
        if entity.get("entity") == NEED_ENTITY and entity.get("value"):
            return str(entity["value"])
    return None


def is_miss(event: dict[str, Any]) -> bool:
    """A turn the bot could not serve: unsure NLU, or "none of these" to a "did you mean"."""
    return _intent(event) == FALLBACK_INTENT or (_intent(event) == CHOOSE_INTENT and _need_entity(event) == OTHER)


def message_key(event: dict[str, Any]) -> str:
    """The stable id of a user message: its event timestamp (a retried action sees the same one)."""
    return f"{float(event.get('timestamp') or 0):.6f}"


def button(need: str, language: str) -> dict[str, str]:
    """A "did you mean" button for one need (or for "something else")."""
    return {"title": need_name(need, language), "payload": f'/{CHOOSE_INTENT}{{"{NEED_ENTITY}": "{need}"}}'}


def slots_mapped_for(domain: DomainDict, event: dict[str, Any]) -> Events:
    """Slot values that the domain's intent-conditioned mappings give the replayed message.

    Rasa extracted the others when the customer sent it, under `nlu_fallback`; e.g. `symptom` takes the text of a
    `report_fault`.
    """
    parse = event.get("parse_data") or {}
    intent, text = _intent(event), str(event.get("text") or "")
    entities = parse.get("entities") or []
    events: Events = []
    for slot, spec in (domain.get("slots") or {}).items():
        for mapping in (spec or {}).get("mappings") or []:
            wanted = mapping.get("intent")
            wanted = [wanted] if isinstance(wanted, str) else wanted
            if mapping.get("conditions") or not wanted or intent not in wanted:
                continue
            value: Any = None
            if mapping.get("type") == "from_text":
                value = text
            elif mapping.get("type") == "from_entity":
                value = next((e.get("value") for e in entities if e.get("entity") == mapping.get("entity")), None)
            if value:
                events.append(SlotSet(slot, value))
                break
    return events


class ActionFallback(ServiceAction):
    """Unsure: "did you mean" with the candidate needs; no candidates: the menu; a second miss: a person."""

    def name(self) -> str:
        """The action's name, as the domain lists it."""
        return "action_fallback"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services) -> Events:
        """Offer the candidate needs, the menu, or a person."""
        turns = user_events(tracker)
        if is_typed_correction(tracker) and names_a_field(tracker):  # "其实是联想笔记本" at the summary
            return await ActionShowSummary().act(dispatcher, tracker, svc)
        if len(turns) >= 2 and is_miss(turns[-2]):
            return await hand_over(dispatcher, tracker, svc, "fallback")
        if tracker.get_slot(AWAITING) in _PENDING_ANSWERS or not turns:
            dispatcher.utter_message(response="fallback_suggest")
            return []
        latest = turns[-1]
        candidates = candidate_needs((latest.get("parse_data") or {}).get("intent_ranking") or [])
        await self._record(tracker, svc, latest, candidates)
        if not candidates:
            dispatcher.utter_message(response="fallback_suggest")
            return []
        language = language_of(tracker)
        buttons = [button(need, language) for need in [*candidates, OTHER]]
        dispatcher.utter_message(response="did_you_mean", buttons=buttons)
        logger.info("did_you_mean.asked candidates=%s", ",".join(candidates))
        return [SlotSet(AWAITING, "need"), SlotSet(NEED_CANDIDATES, candidates)]

    @staticmethod
    async def _record(tracker: Tracker, svc: Services, latest: dict[str, Any], candidates: list[str]) -> None:
        """Keep the unsure message for review (best effort: the question is asked even when this fails)."""
        text = latest_text(tracker)
        if not text:
            return
        ranking = (latest.get("parse_data") or {}).get("intent_ranking") or []
        best: dict[str, Any] = next((r for r in ranking if r.get("name") != FALLBACK_INTENT), {})
        try:
            await within_budget(svc.nlu_feedback.record_uncertain(
                conversation_id=tracker.sender_id, message_key=message_key(latest), channel=channel_of(tracker),
                text=text, language=str(tracker.get_slot(LANGUAGE) or "zh"), predicted=best.get("name"),
                confidence=float(best.get("confidence") or 0.0), candidates=candidates,
            ))
        except Exception as exc:  # noqa: BLE001 - review data must never cost the customer an answer
            logger.warning("did_you_mean.not_recorded error=%s", public_error(exc))


class ActionResolveNeed(ServiceAction):
    """The customer chose a need: record the label, replay their message with it; "something else": the menu."""

    def name(self) -> str:
        """The action's name, as the domain lists it."""
        return "action_resolve_need"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        """As `ServiceAction.run`, then the slots the domain maps from the replayed message's intent."""
        events = await super().run(dispatcher, tracker, domain)
        replayed = next((e for e in events if e.get("event") == "user"), None)
        return events + (slots_mapped_for(domain, replayed) if replayed else [])

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services) -> Events:
        """Replay the original message with the chosen need."""
        clear: Events = [SlotSet(AWAITING, None), SlotSet(NEED_CANDIDATES, None)]
        offered = [str(n) for n in tracker.get_slot(NEED_CANDIDATES) or []]
        turns = user_events(tracker)
        current = turns[-1] if turns else {}
        need = _need_entity(current) or read_choice(latest_text(tracker), offered)
        # The question must be the one just asked: the previous turn is the message it was about.
        original = turns[-2] if len(turns) >= 2 and _intent(turns[-2]) == FALLBACK_INTENT else None
        if original is None or need is None or (need != OTHER and need not in NEEDS):
            dispatcher.utter_message(response="utter_ask_rephrase")
            return clear
        if need == OTHER:
            logger.info("did_you_mean.none_of_these")
            dispatcher.utter_message(response="fallback_suggest")
            return clear
        await self._record(tracker, svc, original, need)
        logger.info("did_you_mean.chosen need=%s offered=%s", need, need in offered)
        parse = dict(original.get("parse_data") or {})
        parse["intent"] = {"name": need, "confidence": 1.0}
        return [
            *clear,
            ActionExecuted("action_listen"),
            UserUttered(str(original.get("text") or ""), parse_data=parse, input_channel=original.get("input_channel")),
        ]

    @staticmethod
    async def _record(tracker: Tracker, svc: Services, original: dict[str, Any], need: str) -> None:
        try:
            await within_budget(svc.nlu_feedback.record_label(
                conversation_id=tracker.sender_id, message_key=message_key(original), label=need,
                source="customer", actor="customer",
            ))
        except Exception as exc:  # noqa: BLE001 - the flow goes on even when the label is not stored
            logger.warning("did_you_mean.label_not_recorded error=%s", public_error(exc))

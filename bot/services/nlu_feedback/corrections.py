"""Agents' corrections of the live triage: the customer's words and the model's parse come from Rasa's tracker.

The console sends only the conversation, the message key and the label; the text, the predicted intent and the
language are read from the tracker, never taken from the client, and recorded by `NluFeedbackService`.
"""

from __future__ import annotations

from typing import Any

from bot.domain.errors import NotFoundError, UpstreamError, ValidationError
from bot.domain.slots import LANGUAGE
from bot.services.agents.assist_types import AssistRasa
from bot.services.nlu_feedback.fields import CATEGORIES, clamped_confidence, label_category
from bot.services.nlu_feedback.service import NluFeedbackService
from bot.services.nlu_feedback.types import MAX_MESSAGE_KEY, message_key_of


class TriageCorrections:
    """An agent's correction of the live triage.

    The customer's words and the model's parse come from Rasa's tracker, never from the client.
    """

    def __init__(self, rasa: AssistRasa, feedback: NluFeedbackService) -> None:
        """Corrections read from `rasa`'s trackers and recorded by `feedback`."""
        self._rasa, self._feedback = rasa, feedback

    async def correct(self, conversation_id: str, message_key: Any, label: Any, agent: str) -> int:
        """The example id; `ValidationError` for a bad label or key, not found for an unknown conversation/message."""
        if label_category(label) is None:
            raise ValidationError(f"label must be one of the {len(CATEGORIES)} triage categories")
        key = message_key_of(message_key)
        if key is None:
            raise ValidationError(f"message_key must be a Rasa timestamp or at most {MAX_MESSAGE_KEY} characters")
        try:
            tracker = await self._rasa.tracker(conversation_id)
        except UpstreamError as exc:
            if exc.status == 404:
                raise NotFoundError("unknown conversation") from None
            raise
        events = [e for e in tracker.get("events") or [] if isinstance(e, dict)]
        users = [e for e in events if e.get("event") == "user"]
        if not users:
            raise NotFoundError("unknown conversation")
        event = next((e for e in users if message_key_of(e.get("timestamp")) == key), None)
        text = event.get("text") if event is not None else None
        if event is None or not isinstance(text, str) or not text.strip():
            raise NotFoundError("no customer message with that key in this conversation")
        if text.lstrip().startswith("/"):
            raise ValidationError("that message is a button payload, not the customer's words")
        raw_parse, raw_slots = event.get("parse_data"), tracker.get("slots")
        parsed: dict[str, Any] = raw_parse if isinstance(raw_parse, dict) else {}
        slots: dict[str, Any] = raw_slots if isinstance(raw_slots, dict) else {}
        predicted, confidence = _top_intent(parsed)
        language = next((e.get("value") for e in parsed.get("entities") or []
                         if isinstance(e, dict) and e.get("entity") == "language"), None) or slots.get(LANGUAGE)
        channel = event.get("input_channel") or tracker.get("latest_input_channel") or "unknown"
        return await self._feedback.record_correction(
            conversation_id=conversation_id, message_key=key, text=text, channel=str(channel),
            language=str(language or ""),
            predicted=predicted, confidence=confidence, label=str(label), agent=agent,
        )


def _top_intent(parsed: dict[str, Any]) -> tuple[str | None, float | None]:
    ranking = [r for r in parsed.get("intent_ranking") or [] if isinstance(r, dict) and r.get("name") != "nlu_fallback"]
    top = ranking[0] if ranking else parsed.get("intent") if isinstance(parsed.get("intent"), dict) else None
    if not top or not top.get("name"):
        return None, None
    return str(top["name"]), clamped_confidence(top.get("confidence"))

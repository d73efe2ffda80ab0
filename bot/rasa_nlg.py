"""Rasa's response generator for this bot (`endpoints.yml` → `nlg: type: bot.rasa_nlg.CustomerResponses`).

The domain's templated responses, with two changes:

* **Traditional Chinese.** A customer who writes traditional characters (維修, 壞了) is answered in traditional:
  the Chinese variation of every response (text and button titles) is converted with OpenCC. The script is the
  one of the customer's newest message that tells it (`bot.nlu.text.script`), so "ok" or a model number keeps it.
* **Button payloads are not templates.** Rasa interpolates `{slot}` placeholders in every string of a response,
  button payloads included, where `/inform{"product_category": "phone"}` looks like a placeholder: each such button
  logged an `interpolator` ERROR with a traceback, although nothing was wrong. Titles are still interpolated;
  payloads are sent as written.
"""

from __future__ import annotations

import copy
from typing import Any

from rasa.core.nlg.interpolator import interpolate_text
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.domain.slots import LANGUAGE
from bot.nlu.text.script import conversation_script, to_traditional

MAX_USER_TURNS_SCANNED = 20


class CustomerResponses(TemplatedNaturalLanguageGenerator):
    """The domain's responses in the customer's script, without false interpolation errors."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, domain: Domain | None = None) -> None:
        super().__init__((domain or Domain.empty()).responses)

    async def generate(
        self, utter_action: str, tracker: DialogueStateTracker, output_channel: str, **kwargs: Any
    ) -> dict[str, Any] | None:
        """The response for `utter_action`, in traditional characters if the customer writes them (never in English)."""
        response = await super().generate(utter_action, tracker, output_channel, **kwargs)
        if response is None or tracker.get_slot(LANGUAGE) == "en":
            return response
        if conversation_script(_user_texts(tracker)) == "hant":
            return traditional(response)
        return response

    def _fill_response(
        self, response: dict[str, Any], filled_slots: dict[str, Any] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        buttons = response.pop("buttons", None)
        filled: dict[str, Any] = super()._fill_response(response, filled_slots, **kwargs)
        if isinstance(buttons, list):
            values = self._response_variables(filled_slots or {}, kwargs)
            filled["buttons"] = [_with_title_filled(button, values) for button in buttons]
        return filled


def _with_title_filled(button: Any, values: dict[str, Any]) -> Any:
    if not isinstance(button, dict) or not isinstance(button.get("title"), str) or "{" not in button["title"]:
        return button
    return {**button, "title": interpolate_text(button["title"], values)}


def _user_texts(tracker: DialogueStateTracker) -> list[str | None]:
    """The customer's messages, newest first (the last `MAX_USER_TURNS_SCANNED`)."""
    texts: list[str | None] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            texts.append(event.text)
            if len(texts) >= MAX_USER_TURNS_SCANNED:
                break
    return texts


def traditional(response: dict[str, Any]) -> dict[str, Any]:
    """The response with its text and button titles in traditional characters (payloads unchanged)."""
    converted = copy.copy(response)
    if isinstance(converted.get("text"), str):
        converted["text"] = to_traditional(converted["text"])
    if isinstance(converted.get("buttons"), list):
        converted["buttons"] = [
            {**b, "title": to_traditional(b["title"])} if isinstance(b, dict) and isinstance(b.get("title"), str)
            else b
            for b in converted["buttons"]
        ]
    return converted

"""Button payloads in and out of Telegram's 64-byte `callback_data`.

A payload that fits is sent as is; a longer one (or one that looks like a key) as a short key derived from its hash.
Either way a tapped button is only honoured when its payload is one the bot offered: one we sent recently, or one
of the domain's responses (which survive restarts and are the same on every replica). A client crafting
`callback_data` therefore cannot inject intents or entities the bot never offered.
"""

from __future__ import annotations

import base64
import hashlib
from collections import OrderedDict
from collections.abc import Callable, Iterable

from telegram.constants import InlineKeyboardButtonLimit

MAX_CALLBACK_BYTES = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)
KEY_PREFIX = "#"


def callback_key(payload: str) -> str:
    """The callback data for `payload`: the payload itself when it fits, else `#` and 22 characters of its hash."""
    if len(payload.encode()) <= MAX_CALLBACK_BYTES and not payload.startswith(KEY_PREFIX):
        return payload
    digest = hashlib.sha256(payload.encode()).digest()[:16]
    return KEY_PREFIX + base64.urlsafe_b64encode(digest).decode().rstrip("=")


class ButtonBook:
    """Payloads the bot offered, by callback data."""

    def __init__(self, known_payloads: Callable[[], Iterable[str]] = tuple, capacity: int = 20_000) -> None:
        """`known_payloads` lists the domain's button payloads (read lazily: the model loads after us)."""
        self._known_payloads = known_payloads
        self._capacity = capacity
        self._offered: OrderedDict[str, str] = OrderedDict()
        self._domain: dict[str, str] | None = None

    def offer(self, payload: str) -> str:
        """Remember `payload` as offered; its callback data."""
        key = callback_key(payload)
        self._offered[key] = payload
        self._offered.move_to_end(key)
        while len(self._offered) > self._capacity:
            self._offered.popitem(last=False)
        return key

    def resolve(self, data: str | None) -> str | None:
        """The payload behind a tapped button's callback data; None if the bot never offered it."""
        if not data:
            return None
        if data in self._offered:
            return self._offered[data]
        if self._domain is None:
            domain = {callback_key(p): p for p in self._known_payloads() if p}
            if not domain:
                return None  # the model is not loaded yet: ask again next time
            self._domain = domain
        return self._domain.get(data)


def domain_button_payloads(responses: object) -> list[str]:
    """Every button payload in a Rasa domain's `responses` mapping (name → variations)."""
    payloads: list[str] = []
    if not isinstance(responses, dict):
        return payloads
    for variations in responses.values():
        for variation in variations if isinstance(variations, list) else []:
            buttons = variation.get("buttons") if isinstance(variation, dict) else None
            for button in buttons if isinstance(buttons, list) else []:
                if isinstance(button, dict) and isinstance(button.get("payload"), str):
                    payloads.append(button["payload"])
    return payloads

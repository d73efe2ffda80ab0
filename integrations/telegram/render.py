"""Rasa replies in Telegram's shapes.

Texts are split at the 4096-character limit, buttons become inline keyboards, reply keyboards ask to share the
location or the phone number, and a markup removes those keyboards again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import MessageLimit

from integrations.telegram.texts import Language, notice

MAX_TEXT = int(MessageLimit.MAX_TEXT_LENGTH)
#: Buttons whose titles are all this short go two to a row; longer ones get a row each.
_SHORT_TITLE = 10

#: Responses (domain.yml names, as Rasa passes them in `utter_action`) that ask for something a reply keyboard
#: can share.
LOCATION_QUESTIONS = frozenset({"utter_ask_location", "invalid_location"})
PHONE_QUESTIONS = frozenset({"utter_ask_phone", "invalid_phone"})


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji outside the BMP counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def _fit(text: str, limit: int) -> int:
    """The longest prefix length (in characters) of `text` whose UTF-16 length is at most `limit`."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """`text` in parts of at most `limit` UTF-16 units: cut at a line break where possible, else at a space."""
    parts: list[str] = []
    rest = text.strip()
    while rest:
        if utf16_len(rest) <= limit:
            parts.append(rest)
            break
        window = _fit(rest, limit)
        cut = rest.rfind("\n", 0, window + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, window + 1)
        if cut <= 0:
            cut = max(window, 1)
        head, rest = rest[:cut].rstrip(), rest[cut:].strip()
        if head:
            parts.append(head)
    return parts


def inline_keyboard(buttons: Sequence[Mapping[str, Any]], callback_data: Callable[[str], str]) -> dict[str, Any]:
    """Rasa buttons (`title`, `payload` or `url`) as an inline keyboard; `callback_data` maps a payload to its key."""
    keys: list[InlineKeyboardButton] = []
    for button in buttons:
        title = str(button.get("title") or button.get("payload") or "")[:64] or "…"
        url = button.get("url")
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            keys.append(InlineKeyboardButton(title, url=url))
        else:
            keys.append(InlineKeyboardButton(title, callback_data=callback_data(str(button.get("payload") or title))))
    per_row = 2 if all(len(key.text) <= _SHORT_TITLE for key in keys) else 1
    rows = [keys[i:i + per_row] for i in range(0, len(keys), per_row)]
    return InlineKeyboardMarkup(rows).to_dict()


def share_keyboard(utter_action: str | None, language: Language) -> dict[str, Any] | None:
    """A one-time reply keyboard sharing the location or the phone number, when the reply asks for one."""
    if utter_action in LOCATION_QUESTIONS:
        button = KeyboardButton(notice("share_location_button", language), request_location=True)
    elif utter_action in PHONE_QUESTIONS:
        button = KeyboardButton(notice("share_phone_button", language), request_contact=True)
    else:
        return None
    return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True).to_dict()


def remove_keyboard() -> dict[str, Any]:
    """Markup that hides a reply keyboard we showed."""
    return ReplyKeyboardRemove().to_dict()


def language_of_reply(text: str) -> Language:
    """The language a bot reply is written in: Chinese if it has any Han character (the bot's default), else English."""
    return "zh" if any("\u4e00" <= char <= "\u9fff" for char in text) else "en"

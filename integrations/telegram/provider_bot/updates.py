"""The provider bot's updates, parsed with python-telegram-bot's `Update.de_json`.

Each is a press of one of our buttons (callback data `acc:<ticket number>` or `rej:<ticket number>`), or something
it ignores.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.providers.group_actions import ACTIONS
from bot.services.providers.notice_text import BUTTONS
from integrations.telegram.inbound import read_update

#: Telegram's limit on a button's callback data, in bytes.
MAX_CALLBACK_DATA = 64


@dataclass(frozen=True)
class Press:
    """A press of Accept or Reject under a message (`chat_id`, `message_id`: that message; None if unknown)."""

    callback_id: str
    action: str
    number: str
    user_id: int
    chat_id: int | None
    message_id: int | None


@dataclass(frozen=True)
class ProviderUpdate:
    """One update: a press of our buttons, or nothing to do (`press` None: acknowledged and dropped)."""

    update_id: int
    press: Press | None


def callback_data(action: str, number: str) -> str:
    """The data a button carries (at most 64 bytes, as Telegram requires)."""
    data = f"{action}:{number}"
    if action not in ACTIONS or len(data.encode()) > MAX_CALLBACK_DATA:
        raise ValueError("not a provider button")
    return data


def notice_keyboard(number: str) -> dict[str, Any]:
    """The Accept / Reject inline keyboard under a notice, as the Bot API's JSON."""
    keys = [InlineKeyboardButton(BUTTONS[action], callback_data=callback_data(action, number))
            for action in ("acc", "rej")]
    return InlineKeyboardMarkup([keys]).to_dict()


def parse_update(data: Mapping[str, Any]) -> ProviderUpdate:
    """The update in `data` (the Bot API's JSON); `InvalidUpdate` when it is not one."""
    update = read_update(data)
    query = update.callback_query
    if query is None or not query.data or ":" not in query.data:
        return ProviderUpdate(update.update_id, None)  # group chatter, membership changes, foreign buttons
    action, _, number = query.data.partition(":")
    if action not in ACTIONS:
        return ProviderUpdate(update.update_id, None)
    message = query.message  # an InaccessibleMessage (old) still names its chat and id
    chat_id = message.chat.id if message is not None else None
    message_id = message.message_id if message is not None else None
    return ProviderUpdate(update.update_id, Press(query.id, action, number.strip(), query.from_user.id, chat_id,
                                                  message_id))

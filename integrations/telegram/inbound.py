"""A Telegram `Update` (parsed with python-telegram-bot's `Update.de_json`) reduced to what the bot acts on."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from telegram import Message, Update
from telegram.constants import ChatType

from integrations.telegram.texts import Language, language_from_code, notice

#: Sender ids in Rasa are prefixed by the channel, so conversations of different channels never collide.
SENDER_PREFIX = "tg:"
#: The text sent with a shared location when it has no venue name (the form needs a non-empty text).
LOCATION_TEXT = "📍"
#: Metadata of a photo's caption: text that comes with a picture, never a correction of the details given.
CAPTION_METADATA: Mapping[str, Any] = {"caption": True}


class Kind(enum.Enum):
    """What an update asks the bot to do."""

    TEXT = "text"
    CALLBACK = "callback"
    LOCATION = "location"
    CONTACT = "contact"
    PHOTO = "photo"
    UNSUPPORTED = "unsupported"  # a message we cannot read (voice, sticker…): answered politely
    IGNORED = "ignored"  # not for the bot (edited message, group chat, channel post…): acknowledged, dropped


class InvalidUpdate(ValueError):
    """The JSON is not a Telegram update."""


@dataclass(frozen=True)
class Inbound:
    """One update, as the handler needs it. `text` and `metadata` go to Rasa; never log them."""

    update_id: int
    kind: Kind
    chat_id: int = 0
    language: Language = "en"
    text: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    file_id: str | None = None
    file_size: int | None = None
    callback_id: str | None = None
    callback_data: str | None = None
    reason: str = ""  # why an update is ignored (for logs)

    @property
    def sender_id(self) -> str:
        """Rasa's conversation id for this chat."""
        return sender_id(self.chat_id)


def sender_id(chat_id: int) -> str:
    """Rasa's conversation id for a Telegram chat."""
    return f"{SENDER_PREFIX}{chat_id}"


def chat_id_of(recipient_id: str) -> int:
    """The Telegram chat id behind a Rasa conversation id ("tg:<chat_id>"); ValueError for anything else."""
    if not recipient_id.startswith(SENDER_PREFIX):
        raise ValueError("not a Telegram conversation")
    return int(recipient_id[len(SENDER_PREFIX):])


def read_update(data: Mapping[str, Any]) -> Update:
    """PTB's `Update` for the Bot API's JSON in `data`; `InvalidUpdate` when it is not one."""
    update_id = data.get("update_id") if isinstance(data, Mapping) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise InvalidUpdate("no integer update_id")
    try:
        return Update.de_json(dict(data), None)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidUpdate(f"unreadable update ({type(exc).__name__})") from None


def parse_update(data: Mapping[str, Any]) -> Inbound:
    """The update in `data` (the Bot API's JSON); `InvalidUpdate` when it is not one."""
    update = read_update(data)
    uid = update.update_id
    if update.callback_query is not None:
        query = update.callback_query
        chat = query.message.chat.id if query.message is not None else query.from_user.id
        return Inbound(uid, Kind.CALLBACK, chat, language_from_code(query.from_user.language_code),
                       callback_id=query.id, callback_data=query.data)
    if update.message is None:
        kind = next((name for name in ("edited_message", "channel_post", "edited_channel_post", "inline_query",
                                       "my_chat_member", "chat_member") if data.get(name) is not None), "other")
        return Inbound(uid, Kind.IGNORED, reason=kind)
    return _from_message(uid, update.message)


def _from_message(uid: int, message: Message) -> Inbound:
    chat = message.chat.id
    user = message.from_user
    if message.chat.type != ChatType.PRIVATE or user is None or user.is_bot:
        return Inbound(uid, Kind.IGNORED, chat, reason="not_private")
    language = language_from_code(user.language_code)
    if message.text is not None:
        text = message.text.strip()
        if text == "/start" or text.startswith(("/start ", "/start@")):
            return Inbound(uid, Kind.TEXT, chat, language, notice("greeting", language))
        # Rasa reads "/intent{...}" as an intent with entities: typed text must never be taken for a payload.
        text = text.lstrip("/").strip()
        return Inbound(uid, Kind.TEXT, chat, language, text) if text else Inbound(uid, Kind.IGNORED, chat,
                                                                                   reason="empty")
    if message.location is not None:
        where = message.location
        label = (message.venue.title or message.venue.address) if message.venue is not None else ""
        coordinates = {"latitude": float(where.latitude), "longitude": float(where.longitude)}
        return Inbound(uid, Kind.LOCATION, chat, language, (label or LOCATION_TEXT).strip()[:200],
                       metadata={"location": coordinates})
    if message.contact is not None:
        phone = "".join(message.contact.phone_number.split())
        if not phone.lstrip("+"):
            return Inbound(uid, Kind.UNSUPPORTED, chat, language)
        # Telegram numbers are international; some clients leave out the leading "+".
        return Inbound(uid, Kind.CONTACT, chat, language, phone if phone.startswith("+") else f"+{phone}")
    if message.photo:
        largest = max(message.photo, key=lambda size: size.width * size.height)
        return Inbound(uid, Kind.PHOTO, chat, language, (message.caption or "").strip(), file_id=largest.file_id,
                       file_size=largest.file_size, metadata=dict(CAPTION_METADATA))
    if message.document is not None:
        if not (message.document.mime_type or "").startswith("image/"):
            return Inbound(uid, Kind.UNSUPPORTED, chat, language, reason="not_image")
        return Inbound(uid, Kind.PHOTO, chat, language, (message.caption or "").strip(),
                       file_id=message.document.file_id, file_size=message.document.file_size,
                       metadata=dict(CAPTION_METADATA))
    return Inbound(uid, Kind.UNSUPPORTED, chat, language)

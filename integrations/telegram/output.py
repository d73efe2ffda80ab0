"""Rasa's output channel for Telegram: replies become paced `sendMessage` calls with inline or reply keyboards."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

from rasa.core.channels.channel import OutputChannel

from integrations.telegram.buttons import ButtonBook
from integrations.telegram.errors import TelegramError
from integrations.telegram.inbound import chat_id_of
from integrations.telegram.render import inline_keyboard, language_of_reply, remove_keyboard, share_keyboard
from integrations.telegram.sender import Sender

logger = logging.getLogger(__name__)

CHANNEL_NAME = "telegram"


class ReplyKeyboards:
    """Chats where a share-location/phone keyboard is showing, so the next plain reply can remove it."""

    def __init__(self, capacity: int = 50_000) -> None:
        """Remember at most `capacity` chats (the oldest are forgotten; their keyboard is one-time anyway)."""
        self._open: OrderedDict[int, None] = OrderedDict()
        self._capacity = capacity

    def opened(self, chat_id: int) -> None:
        """A reply keyboard was sent to `chat_id`."""
        self._open[chat_id] = None
        self._open.move_to_end(chat_id)
        while len(self._open) > self._capacity:
            self._open.popitem(last=False)

    def close(self, chat_id: int) -> bool:
        """Forget the chat's keyboard; whether one was showing."""
        if chat_id not in self._open:
            return False
        del self._open[chat_id]
        return True


class TelegramOutput(OutputChannel):
    """Sends the bot's replies to one Telegram chat per call (the recipient is the "tg:<chat_id>" sender id)."""

    def __init__(self, sender: Sender, buttons: ButtonBook, keyboards: ReplyKeyboards) -> None:
        """The shared sender, button book and keyboard state of the channel."""
        self._sender = sender
        self._buttons = buttons
        self._keyboards = keyboards

    @classmethod
    def name(cls) -> str:
        """Rasa's name for the channel (used for `output_channel=telegram` and response conditions)."""
        return CHANNEL_NAME

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Send one bot reply: text with its buttons (or a share keyboard when it asks for the location/phone)."""
        text = str(message.get("text") or "")
        buttons = message.get("buttons") or message.get("quick_replies") or []
        utter_action = message.get("utter_action")
        await self._send(recipient_id, text, buttons, utter_action if isinstance(utter_action, str) else None)
        if message.get("image"):
            await self.send_image_url(recipient_id, str(message["image"]))
        if message.get("custom") or message.get("attachment") or message.get("elements"):
            logger.info("telegram.reply_part_skipped kinds=%s",
                        ",".join(k for k in ("custom", "attachment", "elements") if message.get(k)))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send a plain text."""
        await self._send(recipient_id, text, [], None)

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]],
                                     **kwargs: Any) -> None:
        """Send a text with an inline keyboard."""
        await self._send(recipient_id, text, buttons, None)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Send a photo by URL."""
        try:
            await self._sender.send_photo(chat_id_of(recipient_id), image)
        except (TelegramError, ValueError) as exc:
            logger.error("telegram.send_failed method=sendPhoto error=%s", type(exc).__name__)

    async def send_notice(self, chat_id: int, text: str, close_keyboard: bool = False) -> None:
        """Send one of the channel's own texts (acknowledgements), removing a share keyboard if asked."""
        markup = remove_keyboard() if close_keyboard and self._keyboards.close(chat_id) else None
        await self._deliver(chat_id, text, markup)

    async def _send(self, recipient_id: str, text: str, buttons: Sequence[Mapping[str, Any]],
                    utter_action: str | None) -> None:
        try:
            chat_id = chat_id_of(recipient_id)
        except ValueError:
            logger.error("telegram.bad_recipient")
            return
        if not text.strip():
            return  # Telegram refuses empty messages; a reply without text has nothing to show here
        markup: dict[str, Any] | None
        if buttons:
            markup = inline_keyboard(buttons, self._buttons.offer)
        else:
            markup = share_keyboard(utter_action, language_of_reply(text))
            if markup is not None:
                self._keyboards.opened(chat_id)
            elif self._keyboards.close(chat_id):
                markup = remove_keyboard()
        await self._deliver(chat_id, text, markup)

    async def _deliver(self, chat_id: int, text: str, markup: dict[str, Any] | None) -> None:
        # Failures end here, logged once: raising would abort Rasa's turn before it saves the tracker.
        try:
            await self._sender.send_text(chat_id, text, markup)
        except TelegramError as exc:
            logger.error("telegram.send_failed method=sendMessage error=%s code=%s", type(exc).__name__,
                         getattr(exc, "error_code", "-"))

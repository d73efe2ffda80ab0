"""The one path every update takes, from the webhook or from polling: parsed, recognised once, queued per chat.

Then it is translated into a Rasa `UserMessage` (or a photo stored, a button answered) and the replies are sent to
Telegram.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Any, Protocol

from rasa.core.channels.channel import UserMessage
from sqlalchemy.exc import SQLAlchemyError

from bot.domain.errors import ValidationError
from bot.services.channels.inbox import MAX_ATTACHMENT_BYTES
from integrations.common.lanes import Lanes
from integrations.telegram.buttons import ButtonBook
from integrations.telegram.client import BotApiClient
from integrations.telegram.errors import FileTooLarge, TelegramError
from integrations.telegram.inbound import Inbound, Kind, parse_update
from integrations.telegram.output import CHANNEL_NAME, TelegramOutput
from integrations.telegram.texts import notice

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class Inbox(Protocol):
    """The idempotency gate (`bot.services.channels.inbox.ChannelInbox`)."""

    async def first_time(self, channel: str, key: str) -> bool:
        """False when the update was seen before."""


class Attachments(Protocol):
    """Where photos go (`bot.services.channels.inbox.AttachmentStore`)."""

    async def save(self, channel: str, conversation_id: str, content: bytes) -> Any:
        """Store a photo for the conversation; `ValidationError` if it is not one."""


class Outcome(enum.Enum):
    """What became of an update."""

    QUEUED = "queued"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    BUSY = "busy"  # too many updates waiting: the sender should retry later


class UpdateHandler:
    """Accepts updates and processes them, in order per chat."""

    def __init__(self, *, inbox: Inbox, attachments: Attachments, client: BotApiClient,
                 output: Callable[[], TelegramOutput], buttons: ButtonBook, on_new_message: OnNewMessage,
                 lanes: Lanes) -> None:
        """Services, the Bot API client, a factory of output channels, Rasa's message handler and the chats' lanes."""
        self._inbox = inbox
        self._attachments = attachments
        self._client = client
        self._output = output
        self._buttons = buttons
        self._on_new_message = on_new_message
        self._lanes = lanes

    async def accept(self, data: Mapping[str, Any]) -> Outcome:
        """Take one update (`InvalidUpdate` if it is not one); it is processed later, once, in its chat's order."""
        inbound = parse_update(data)
        if inbound.kind is Kind.IGNORED:
            logger.info("telegram.update_ignored update_id=%d reason=%s", inbound.update_id, inbound.reason)
            return Outcome.IGNORED
        if not self._lanes.has_room():
            logger.warning("telegram.busy pending=%d", self._lanes.pending)
            return Outcome.BUSY
        if not await self._inbox.first_time(CHANNEL_NAME, str(inbound.update_id)):
            logger.info("telegram.update_replayed update_id=%d", inbound.update_id)
            return Outcome.DUPLICATE
        logger.info("telegram.update_queued update_id=%d kind=%s", inbound.update_id, inbound.kind.value)
        self._lanes.submit(inbound.chat_id, partial(self.process, inbound))
        return Outcome.QUEUED

    async def process(self, inbound: Inbound) -> None:
        """Act on one update: answer a button, store a photo, acknowledge a share, and pass the text to Rasa."""
        output = self._output()
        text: str | None = inbound.text
        if inbound.kind is Kind.CALLBACK:
            text = await self._callback(inbound)
        elif inbound.kind is Kind.LOCATION:
            await output.send_notice(inbound.chat_id, notice("location_received", inbound.language), True)
        elif inbound.kind is Kind.CONTACT:
            await output.send_notice(inbound.chat_id, notice("contact_received", inbound.language), True)
        elif inbound.kind is Kind.PHOTO:
            await output.send_notice(inbound.chat_id, notice(await self._photo(inbound), inbound.language))
        elif inbound.kind is Kind.UNSUPPORTED:
            key = "photo_not_image" if inbound.reason == "not_image" else "unsupported"
            await output.send_notice(inbound.chat_id, notice(key, inbound.language))
            text = None
        if text:
            await self._on_new_message(UserMessage(
                text, output, inbound.sender_id, input_channel=CHANNEL_NAME, message_id=f"tg{inbound.update_id}",
                metadata=dict(inbound.metadata) or None,
            ))

    async def _callback(self, inbound: Inbound) -> str | None:
        payload = self._buttons.resolve(inbound.callback_data)
        if payload is None:
            logger.info("telegram.callback_unknown update_id=%d", inbound.update_id)
        try:
            await self._client.answer_callback_query(
                inbound.callback_id or "", None if payload else notice("button_expired", inbound.language))
        except TelegramError as exc:  # the spinner stops by itself after a while; the tap still counts
            logger.warning("telegram.answer_callback_failed error=%s", type(exc).__name__)
        return payload

    async def _photo(self, inbound: Inbound) -> str:
        """Download and store the photo; the key of the notice to send."""
        if inbound.file_size is not None and inbound.file_size > MAX_ATTACHMENT_BYTES:
            return "photo_too_big"
        try:
            remote = await self._client.get_file(inbound.file_id or "")
            if remote.file_size is not None and remote.file_size > MAX_ATTACHMENT_BYTES:
                return "photo_too_big"
            content = await self._client.download(remote.file_path, MAX_ATTACHMENT_BYTES)
            await self._attachments.save(CHANNEL_NAME, inbound.sender_id, content)
        except FileTooLarge:
            return "photo_too_big"
        except ValidationError:
            return "photo_not_image"
        except (TelegramError, SQLAlchemyError, OSError) as exc:
            logger.error("telegram.photo_failed update_id=%d error=%s", inbound.update_id, type(exc).__name__,
                         exc_info=not isinstance(exc, TelegramError))
            return "photo_failed"
        return "photo_saved"

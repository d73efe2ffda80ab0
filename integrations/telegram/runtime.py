"""The channel's resources inside the Rasa server — the Bot API client (PTB's `Bot`) and one HTTP session for file
downloads, the database services, the sender, the update handler and, in polling mode, the poller — opened when the
server starts and closed when it stops."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import aiohttp

from bot.db.session import create_async_db_engine, make_session_factory
from bot.services.channels.inbox import AttachmentStore, ChannelInbox
from bot.settings import Settings
from integrations.telegram.buttons import ButtonBook
from integrations.telegram.client import BotApiClient, Timeouts
from integrations.telegram.errors import BotApiError, TelegramError
from integrations.telegram.handler import OnNewMessage, UpdateHandler
from integrations.telegram.output import ReplyKeyboards, TelegramOutput
from integrations.telegram.pacing import Pacer
from integrations.telegram.polling import Poller
from integrations.telegram.sender import Sender

logger = logging.getLogger(__name__)

#: How long a stopping server waits for updates already accepted.
DRAIN_TIMEOUT_S = 10.0


@dataclass
class TelegramRuntime:
    """Everything the channel holds while the server runs."""

    handler: UpdateHandler
    new_output: Callable[[], TelegramOutput]
    poller: Poller | None
    _client: BotApiClient
    _session: aiohttp.ClientSession
    _dispose: Callable[[], Awaitable[None]]

    @classmethod
    async def open(cls, settings: Settings, token: str, on_new_message: OnNewMessage,
                   known_payloads: Callable[[], Iterable[str]], timeouts: Timeouts = Timeouts()) -> TelegramRuntime:
        """Open the Bot API client, the session and the database engine and wire the handler (and the poller)."""
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeouts.call_s,
                                                                      connect=timeouts.connect_s))
        engine = create_async_db_engine(settings.database_url)
        sessions = make_session_factory(engine)
        client = BotApiClient(session, token, settings.telegram_api_base_url, timeouts)
        try:
            await client.initialize()
        except BotApiError as exc:  # e.g. the token was rejected: not fatal, Rasa and the other channels keep serving
            logger.error("telegram.bot_check_failed error=%s code=%d", type(exc).__name__, exc.error_code)
        except TelegramError as exc:  # Telegram unreachable for now: calls and polling retry by themselves
            logger.warning("telegram.bot_check_failed error=%s", type(exc).__name__)
        sender = Sender(client, Pacer())
        buttons = ButtonBook(known_payloads)
        keyboards = ReplyKeyboards()

        def new_output() -> TelegramOutput:
            return TelegramOutput(sender, buttons, keyboards)

        handler = UpdateHandler(inbox=ChannelInbox(sessions), attachments=AttachmentStore(sessions, settings.media_dir),
                                client=client, output=new_output, buttons=buttons, on_new_message=on_new_message)
        poller = None
        if settings.telegram_mode == "polling":
            poller = Poller(client, handler.accept, is_busy=lambda: not handler.queues.has_room())
        logger.info("telegram.channel_started mode=%s", settings.telegram_mode)
        return cls(handler, new_output, poller, client, session, engine.dispose)

    async def close(self) -> None:
        """Stop polling, let accepted updates finish (briefly), close the client, the session and the engine."""
        if self.poller is not None:
            await self.poller.stop()
        await self.handler.queues.drain(DRAIN_TIMEOUT_S)
        await self._client.shutdown()
        await self._session.close()
        await self._dispose()
        logger.info("telegram.channel_stopped")

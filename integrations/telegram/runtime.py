"""The channel's resources inside the Rasa server, opened when the server starts and closed when it stops.

They are the Bot API client (PTB's `Bot`), the sender, the update handler and its lanes and, in polling mode, the
poller. The HTTP session (for file downloads) and the database come from the runtime all channels share.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.settings import Settings
from integrations.common.lanes import LaneEvents, Lanes
from integrations.common.runtime import SharedRuntime
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
#: What the chats' lanes log.
LANE_EVENTS = LaneEvents(failed="telegram.update_failed", timeout="telegram.update_timeout",
                         dropped="telegram.shutdown_dropped")


@dataclass
class TelegramRuntime:
    """Everything the channel holds while the server runs."""

    handler: UpdateHandler
    new_output: Callable[[], TelegramOutput]
    poller: Poller | None
    lanes: Lanes
    _client: BotApiClient
    _shared: SharedRuntime

    @classmethod
    async def open(cls, settings: Settings, token: str, shared: SharedRuntime, on_new_message: OnNewMessage,
                   known_payloads: Callable[[], Iterable[str]], timeouts: Timeouts = Timeouts()) -> TelegramRuntime:
        """Take the shared session and database, open the Bot API client and wire the handler (and the poller)."""
        resources = shared.acquire()
        client = BotApiClient(resources.http, token, settings.telegram_api_base_url, timeouts)
        try:
            await client.initialize()
        except BotApiError as exc:  # e.g. the token was rejected: not fatal, Rasa and the other channels keep serving
            logger.error("telegram.bot_check_failed error=%s code=%d", type(exc).__name__, exc.error_code)
        except TelegramError as exc:  # Telegram unreachable for now: calls and polling retry by themselves
            logger.warning("telegram.bot_check_failed error=%s", type(exc).__name__)
        except BaseException:  # not ours to swallow, but the shared runtime must not stay held for nothing
            await shared.release()
            raise
        sender = Sender(client, Pacer())
        buttons = ButtonBook(known_payloads)
        keyboards = ReplyKeyboards()

        def new_output() -> TelegramOutput:
            return TelegramOutput(sender, buttons, keyboards)

        lanes = Lanes(LANE_EVENTS)
        handler = UpdateHandler(inbox=resources.inbox, attachments=resources.attachments, client=client,
                                output=new_output, buttons=buttons, on_new_message=on_new_message, lanes=lanes)
        poller = None
        if settings.telegram_mode == "polling":
            poller = Poller(client, handler.accept, is_busy=lambda: not lanes.has_room())
        logger.info("telegram.channel_started mode=%s", settings.telegram_mode)
        return cls(handler, new_output, poller, lanes, client, shared)

    async def close(self) -> None:
        """Stop polling, let accepted updates finish (briefly), close the client and let go of the shared runtime."""
        if self.poller is not None:
            await self.poller.stop()
        await self.lanes.close(DRAIN_TIMEOUT_S)
        await self._client.shutdown()
        await self._shared.release()
        logger.info("telegram.channel_stopped")

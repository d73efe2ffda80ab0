"""The channel's resources in a running Rasa server: one aiohttp session, one database engine, the lanes and menus.

Opened inside the server's event loop (on the first request that needs them), closed when the server stops.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.session import create_async_db_engine, make_session_factory
from bot.services.channels.inbox import AttachmentStore, ChannelInbox
from bot.settings import Settings
from integrations.wechat.client import API_TIMEOUT, WeChatApi
from integrations.wechat.lanes import Lanes
from integrations.wechat.menus import MenuMemory

logger = logging.getLogger(__name__)

#: On shutdown, turns in progress get this long to finish.
DRAIN_TIMEOUT_S = 10.0


@dataclass
class WeChatRuntime:
    """Everything the channel uses at run time."""

    api: WeChatApi
    inbox: ChannelInbox
    attachments: AttachmentStore
    menus: MenuMemory
    lanes: Lanes
    http: aiohttp.ClientSession
    engine: AsyncEngine | None

    @classmethod
    def open(cls, settings: Settings) -> WeChatRuntime:
        """Create the resources (call inside the running loop); the caller closes them."""
        if not settings.wechat_app_id or not settings.wechat_app_secret:
            raise ValueError("WECHAT_APP_ID and WECHAT_APP_SECRET are required to reply")
        http = aiohttp.ClientSession(timeout=API_TIMEOUT)
        engine = create_async_db_engine(settings.database_url)
        sessions = make_session_factory(engine)
        api = WeChatApi(http, settings.wechat_api_base_url, settings.wechat_app_id, settings.wechat_app_secret)
        logger.info("wechat.runtime_opened")
        return cls(api, ChannelInbox(sessions), AttachmentStore(sessions, settings.media_dir), MenuMemory(), Lanes(),
                   http, engine)

    async def close(self, drain_timeout_s: float = DRAIN_TIMEOUT_S) -> None:
        """Let turns in progress finish (up to `drain_timeout_s`), then release the session and the engine."""
        await self.lanes.drain(drain_timeout_s)
        await self.http.close()
        if self.engine is not None:
            await self.engine.dispose()
        logger.info("wechat.runtime_closed")

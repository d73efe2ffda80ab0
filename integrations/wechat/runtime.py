"""The channel's resources in a running Rasa server: the API client, the lanes and the menus.

They use the HTTP session and the database of the runtime all channels share.

Opened inside the server's event loop (on the first request that needs them), closed when the server stops.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.services.channels.inbox import AttachmentStore, ChannelInbox
from bot.settings import Settings
from integrations.common.lanes import LaneEvents, Lanes
from integrations.common.runtime import SharedRuntime
from integrations.wechat.client import WeChatApi
from integrations.wechat.menus import MenuMemory

logger = logging.getLogger(__name__)

#: On shutdown, turns in progress get this long to finish.
DRAIN_TIMEOUT_S = 10.0
#: What the customers' lanes log.
LANE_EVENTS = LaneEvents(failed="wechat.job_failed", timeout="wechat.job_timeout", dropped="wechat.lanes_cancelled")


@dataclass
class WeChatRuntime:
    """Everything the channel uses at run time."""

    api: WeChatApi
    inbox: ChannelInbox
    attachments: AttachmentStore
    menus: MenuMemory
    lanes: Lanes
    shared: SharedRuntime

    @classmethod
    def open(cls, settings: Settings, shared: SharedRuntime) -> WeChatRuntime:
        """Take the shared resources and build the channel's on them (call inside the running loop); `close` after."""
        if not settings.wechat_app_id or not settings.wechat_app_secret:
            raise ValueError("WECHAT_APP_ID and WECHAT_APP_SECRET are required to reply")
        resources = shared.acquire()
        api = WeChatApi(resources.http, settings.wechat_api_base_url, settings.wechat_app_id,
                        settings.wechat_app_secret)
        logger.info("wechat.runtime_opened")
        return cls(api, resources.inbox, resources.attachments, MenuMemory(), Lanes(LANE_EVENTS), shared)

    async def close(self, drain_timeout_s: float = DRAIN_TIMEOUT_S) -> None:
        """Let turns in progress finish (up to `drain_timeout_s`), then let go of the shared runtime."""
        await self.lanes.drain(drain_timeout_s)
        await self.shared.release()
        logger.info("wechat.runtime_closed")

"""What happens to an authenticated push: recognised once, queued in the customer's lane, then processed.

It is turned into a Rasa message (text, shared location, menu click, subscription) or handled here (photos, kinds
the bot cannot read).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from rasa.core.channels.channel import UserMessage

from bot.domain.errors import ValidationError
from integrations.common.lanes import Job
from integrations.wechat.errors import WeChatApiError
from integrations.wechat.inbound import Inbound, Kind
from integrations.wechat.menus import CLICK_PAYLOADS
from integrations.wechat.output import CHANNEL_NAME, WeChatOutput
from integrations.wechat.runtime import WeChatRuntime

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

#: What a new follower sends the bot: the greeting intent (utter_greet, with its menu).
GREETING_PAYLOAD = "/greet"
PHOTO_ATTACHED = "已收到您的照片，已附在您的服务单上。\nPhoto received and added to your service order."
PHOTO_KEPT = "已收到您的照片，提交服务单时会一并附上。\nPhoto received; it will be added to your service order."
PHOTO_NOT_RECEIVED = "抱歉，照片没有收到，请再发送一次。\nSorry, the photo did not come through; please send it again."
PHOTO_REFUSED = (
    "抱歉，只能接收 10 MB 以内的 JPEG、PNG、WebP 或 GIF 照片。\n"
    "Sorry, only JPEG, PNG, WebP or GIF photos up to 10 MB can be received."
)
UNSUPPORTED = (
    "抱歉，目前只能处理文字、照片和位置消息，请用文字描述您的问题。\n"
    "Sorry, I can only read text, photos and locations here; please describe your problem in words."
)
UNKNOWN_MENU_ITEM = (
    "抱歉，这个菜单项暂时不可用，请直接用文字告诉我您需要什么。\n"
    "Sorry, that menu item is not available; please tell me in words what you need."
)


class InboundProcessor:
    """Accepts pushes in the webhook (fast) and runs each in its customer's lane (slow: the bot's turn)."""

    def __init__(self, on_new_message: OnNewMessage, runtime: WeChatRuntime) -> None:
        """Keep Rasa's message handler and the channel's resources."""
        self._on_new_message = on_new_message
        self._runtime = runtime
        self._output = WeChatOutput(runtime.api, runtime.menus)

    async def accept(self, inbound: Inbound) -> bool:
        """Queue the push unless it was seen before; False for a replay. Database errors propagate (WeChat retries)."""
        if inbound.kind is Kind.IGNORED:
            logger.info("wechat.push_ignored type=%s", inbound.wechat_type)
            return True
        slot = self._runtime.lanes.reserve(inbound.openid)  # before any await: the lane keeps arrival order
        job: Job | None = None
        try:
            if not await self._runtime.inbox.first_time(CHANNEL_NAME, inbound.dedup_key):
                logger.info("wechat.push_replayed type=%s", inbound.wechat_type)
                return False
            job = partial(self.process, inbound)
            logger.info("wechat.push_accepted type=%s kind=%s", inbound.wechat_type, inbound.kind.value)
            return True
        finally:
            slot.fill(job)

    async def process(self, inbound: Inbound) -> None:
        """Run one push: a Rasa turn, or a photo stored, or a polite refusal."""
        if inbound.kind is Kind.TEXT:
            choice = self._runtime.menus.choice(inbound.openid, inbound.text)
            if choice is not None:
                logger.info("wechat.menu_choice")
            await self._to_rasa(inbound, choice or inbound.text)
        elif inbound.kind is Kind.LOCATION:
            location = {"latitude": inbound.latitude, "longitude": inbound.longitude}
            await self._to_rasa(inbound, inbound.text, {"location": location})
        elif inbound.kind is Kind.SUBSCRIBE:
            await self._to_rasa(inbound, GREETING_PAYLOAD)
        elif inbound.kind is Kind.CLICK:
            payload = CLICK_PAYLOADS.get(inbound.event_key)
            if payload is None:
                logger.warning("wechat.menu_key_unknown")
                await self._output.send_plain(inbound.conversation_id, UNKNOWN_MENU_ITEM)
            else:
                await self._to_rasa(inbound, payload)
        elif inbound.kind is Kind.IMAGE:
            await self._store_photo(inbound)
        else:
            await self._output.send_plain(inbound.conversation_id, UNSUPPORTED)

    async def _to_rasa(self, inbound: Inbound, text: str, metadata: dict[str, Any] | None = None) -> None:
        # The customer moved on: a digit in their next message is not a choice unless this turn sends a new menu.
        self._runtime.menus.forget(inbound.openid)
        message = UserMessage(text, self._output, inbound.conversation_id, input_channel=CHANNEL_NAME,
                              metadata=metadata)
        await self._on_new_message(message)

    async def _store_photo(self, inbound: Inbound) -> None:
        content = await self._download(inbound)
        if content is None:
            await self._output.send_plain(inbound.conversation_id, PHOTO_NOT_RECEIVED)
            return
        try:
            stored = await self._runtime.attachments.save(CHANNEL_NAME, inbound.conversation_id, content)
        except ValidationError:
            logger.info("wechat.photo_refused bytes=%d", len(content))
            await self._output.send_plain(inbound.conversation_id, PHOTO_REFUSED)
            return
        await self._output.send_plain(inbound.conversation_id,
                                      PHOTO_ATTACHED if stored.ticket_id is not None else PHOTO_KEPT)

    async def _download(self, inbound: Inbound) -> bytes | None:
        """The photo's bytes: from media/get by MediaId, else from the PicUrl; None when neither works."""
        sources = (("media_id", inbound.media_id, self._runtime.api.download_media),
                   ("pic_url", inbound.pic_url, self._runtime.api.fetch_picture))
        for source, reference, fetch in sources:
            if not reference:
                continue
            try:
                return await fetch(reference)
            except WeChatApiError as exc:
                logger.warning("wechat.media_failed source=%s errcode=%s status=%s", source, exc.errcode, exc.status)
        return None

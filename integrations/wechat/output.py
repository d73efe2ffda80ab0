"""Rasa's output channel for WeChat: every bot message goes out through the customer-service message API.

A send that fails is logged and dropped, never raised: Rasa sends a turn's messages before it saves the tracker,
so an exception here would lose the customer's whole turn.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.channels.channel import OutputChannel

from integrations.wechat.client import WeChatApi
from integrations.wechat.errors import WeChatApiError
from integrations.wechat.inbound import openid_of
from integrations.wechat.menus import MenuMemory
from integrations.wechat.render import render_buttons, split_text

logger = logging.getLogger(__name__)

CHANNEL_NAME = "wechat"


class WeChatOutput(OutputChannel):
    """Sends the bot's responses to a "wx:<openid>" conversation as customer-service texts."""

    @classmethod
    def name(cls) -> str:
        """The channel's name (what trackers record as the input channel)."""
        return CHANNEL_NAME

    def __init__(self, api: WeChatApi, menus: MenuMemory) -> None:
        """Keep the API client and the per-customer menu memory."""
        self._api = api
        self._menus = menus

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send a text."""
        await self.send_plain(recipient_id, text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Send the text with its buttons as a numbered menu, and remember the menu for a digit reply."""
        menu = render_buttons(text, buttons)
        openid = openid_of(recipient_id)
        if openid is not None:
            self._menus.remember(openid, menu.payloads)
        await self.send_plain(recipient_id, menu.text)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Send the image's link (an image message would need the file uploaded as media first)."""
        await self.send_plain(recipient_id, image)

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        """Send an attachment given as a link; structured attachments are other channels' widgets."""
        if isinstance(attachment, str) and attachment.strip():
            await self.send_plain(recipient_id, attachment)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """Custom payloads are for other channels' widgets: not sent to WeChat."""
        logger.debug("wechat.custom_payload_skipped")

    async def send_plain(self, recipient_id: str, text: str) -> None:
        """Send `text` (split when longer than one WeChat message); failures are logged, not raised."""
        openid = openid_of(recipient_id)
        if openid is None:
            logger.warning("wechat.send_skipped reason=not_a_wechat_conversation")
            return
        for piece in split_text(text):
            try:
                await self._api.send_text(openid, piece)
            except WeChatApiError as exc:
                # 45015: the customer wrote more than 48 hours ago; 45047: too many messages since they last wrote.
                logger.error("wechat.send_failed errcode=%s status=%s", exc.errcode, exc.status)
                return

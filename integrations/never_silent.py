"""A customer's message never goes unanswered because a custom action failed.

When Rasa cannot reach the action server (or an action raises), Rasa 3.6 logs the error, drops the action's events
and carries on: the customer hears nothing. Every channel we serve wraps Rasa's message handler with
`answer_or_apologise`: the bot's messages pass through a counting output channel, and when a turn ends with no
message while the conversation is not paused for a human agent (a paused bot is silent on purpose), the customer
gets a short apology in their language at once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from rasa.core.channels.channel import OutputChannel, UserMessage

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

APOLOGY = {
    "zh": "抱歉，系统暂时无法处理您的消息，请稍后再发一次，或者说“转人工”联系客服。",
    "en": "Sorry, I couldn't process that just now. Please send it again in a moment, "
          "or say \"human\" to reach an agent.",
}
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: Rasa's own commands that legitimately answer nothing.
_SILENT_COMMANDS = ("/restart", "/session_start", "/back")


class TrackerLookup(Protocol):
    """Whether a conversation is paused for a human (None: unknown, e.g. the tracker store failed)."""

    async def __call__(self, sender_id: str) -> bool | None:
        """Whether conversation `sender_id` is paused for a human (None: unknown)."""
        ...


class CountingOutput(OutputChannel):
    """Passes every bot message on to `inner` and counts them."""

    def __init__(self, inner: OutputChannel) -> None:
        """Wrap `inner` (the channel's own output)."""
        self.inner = inner
        self.sent = 0

    def name(self) -> str:  # type: ignore[override]
        """The inner channel's name (responses may vary per channel)."""
        return str(self.inner.name())

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Count, then let the inner channel render the message as it always does."""
        self.sent += 1
        await self.inner.send_response(recipient_id, message)

    # Channels' own code may call the specific senders directly (Rasa itself goes through `send_response`).
    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Count and pass on."""
        self.sent += 1
        await self.inner.send_text_message(recipient_id, text, **kwargs)

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]],
                                     **kwargs: Any) -> None:
        """Count and pass on."""
        self.sent += 1
        await self.inner.send_text_with_buttons(recipient_id, text, buttons, **kwargs)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Count and pass on."""
        self.sent += 1
        await self.inner.send_image_url(recipient_id, image, **kwargs)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """Count and pass on."""
        self.sent += 1
        await self.inner.send_custom_json(recipient_id, json_message, **kwargs)

    def __getattr__(self, item: str) -> Any:
        # Channel-specific attributes (e.g. the REST collector's `messages`) stay reachable through the wrapper.
        return getattr(self.inner, item)


def apology_for(text: str | None) -> str:
    """The apology in the language of the customer's message (Chinese when it contains Han characters)."""
    return APOLOGY["zh"] if text and _HAN.search(text) else APOLOGY["en"]


async def answer_or_apologise(on_new_message: OnNewMessage, message: UserMessage, is_paused: TrackerLookup) -> None:
    """Run the turn; apologise when it produced no message and the bot is not paused for an agent."""
    counting = CountingOutput(message.output_channel)
    message.output_channel = counting
    try:
        await on_new_message(message)
    finally:
        message.output_channel = counting.inner
    if counting.sent or (message.text or "").strip().startswith(_SILENT_COMMANDS):
        return
    if await is_paused(message.sender_id) is True:
        return
    logger.warning("turn.silent_apology channel=%s", message.input_channel)
    await counting.inner.send_response(message.sender_id, {"text": apology_for(message.text)})


def paused_lookup(get_agent: Callable[[], Any]) -> TrackerLookup:
    """A `TrackerLookup` over the Rasa agent that `get_agent` returns once the server runs."""

    async def is_paused(sender_id: str) -> bool | None:
        agent = get_agent()
        store = getattr(agent, "tracker_store", None)
        if store is None:
            return None
        try:
            tracker = await store.retrieve(sender_id)
        except Exception:  # the store is down: answering is still better than silence
            logger.exception("turn.tracker_lookup_failed")
            return None
        return bool(tracker is not None and tracker.is_paused())

    return is_paused


def never_silent(on_new_message: OnNewMessage, is_paused: TrackerLookup) -> OnNewMessage:
    """`on_new_message` wrapped with `answer_or_apologise`."""

    async def handle(message: UserMessage) -> None:
        await answer_or_apologise(on_new_message, message, is_paused)

    return handle

"""The provider bot's Bot API calls, over the shared `BotApiClient`.

It posts a notice with its buttons, answers a press, and shows the outcome in place of the buttons. Telegram failures
become `GroupBotError` (an `UpstreamError`), whose message is short and safe to store and log (never the token or a
text).
"""

from __future__ import annotations

from typing import Any

from bot.domain.errors import UpstreamError
from integrations.telegram.client import BotApiClient
from integrations.telegram.errors import BotApiError, RetryAfter, TelegramError
from integrations.telegram.provider_bot.updates import notice_keyboard


class GroupBotError(UpstreamError):
    """A Bot API call of the provider bot failed (`status`: the Bot API's error code, None when unreachable)."""

    code = "telegram_failed"


def _translated(method: str, exc: TelegramError) -> GroupBotError:
    if isinstance(exc, RetryAfter):
        return GroupBotError(f"{method}: flood control, retry after {exc.retry_after:.0f} s", 429)
    if isinstance(exc, BotApiError):
        return GroupBotError(f"{method}: Bot API error {exc.error_code}", exc.error_code or None)
    return GroupBotError(f"{method}: {type(exc).__name__}")


class GroupBot:
    """Implements `bot.services.providers.notifications.GroupPoster` and the press's answers."""

    def __init__(self, client: BotApiClient) -> None:
        """Keep the client (owned by the caller)."""
        self._client = client

    async def post_notice(self, chat_id: int, text: str, number: str) -> int:
        """`sendMessage` with the Accept / Reject keyboard; the message id."""
        try:
            message: Any = await self._client.send_message(chat_id, text, reply_markup=notice_keyboard(number))
        except TelegramError as exc:
            raise _translated("sendMessage", exc) from None
        message_id = message.get("message_id") if isinstance(message, dict) else None
        if not isinstance(message_id, int):
            raise GroupBotError("sendMessage: no message id in the answer")
        return message_id

    async def answer(self, callback_id: str, text: str) -> None:
        """answerCallbackQuery: ends the button's spinner with a short pop-up."""
        try:
            await self._client.answer_callback_query(callback_id, text)
        except TelegramError as exc:
            raise _translated("answerCallbackQuery", exc) from None

    async def show_outcome(self, chat_id: int, message_id: int, text: str) -> None:
        """`editMessageText` without a keyboard: the notice now says what happened, and its buttons are gone."""
        try:
            await self._client.call("editMessageText", {"chat_id": chat_id, "message_id": message_id, "text": text})
        except TelegramError as exc:
            raise _translated("editMessageText", exc) from None

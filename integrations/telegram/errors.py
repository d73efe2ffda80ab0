"""Typed failures of the Telegram Bot API client (python-telegram-bot's errors are translated into these in `client`).

Messages never carry the token, URLs or customer data.
"""

from __future__ import annotations


class TelegramError(Exception):
    """Base of every error the Telegram integration raises on purpose."""


class BotApiError(TelegramError):
    """The Bot API refused `method`: `error_code` is its HTTP status, `description` Telegram's reason.

    `error_code` comes from PTB's exception class; it is 0 if PTB's class does not tell.
    """

    def __init__(self, method: str, error_code: int, description: str = "") -> None:
        super().__init__(f"{method} failed with {error_code}")
        self.method = method
        self.error_code = error_code
        self.description = description


class RetryAfter(BotApiError):
    """Flood control (HTTP 429): the request may be repeated after `retry_after` seconds."""

    def __init__(self, method: str, retry_after: float) -> None:
        super().__init__(method, 429, "Too Many Requests")
        self.retry_after = retry_after


class BotApiUnavailable(TelegramError):
    """The Bot API could not be reached, timed out or answered something that is not a Bot API reply."""


class FileTooLarge(TelegramError):
    """A file is larger than we accept."""

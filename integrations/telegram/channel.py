"""Rasa input channel `telegram`: the webhook at /webhooks/telegram/webhook, or polling, and its output channel.

The output channel is the one Rasa uses to reach a Telegram customer outside a turn (handoff resume, CSAT).

Listed in the credentials file as `integrations.telegram.channel.TelegramInput:` with no keys: the token and the
webhook secret are read from the environment (see `bot.settings`). Without TELEGRAM_TOKEN the channel is disabled —
the webhook answers 503 and nothing is started — and Rasa starts as usual.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.settings import Settings
from integrations.common.runtime import SharedRuntime, shared_runtime
from integrations.never_silent import never_silent, paused_lookup
from integrations.telegram.buttons import domain_button_payloads
from integrations.telegram.handler import Outcome
from integrations.telegram.inbound import InvalidUpdate
from integrations.telegram.output import CHANNEL_NAME
from integrations.telegram.runtime import TelegramRuntime
from integrations.telegram.webhook import (
    SECRET_HEADER,
    Rejected,
    check_declared_size,
    check_secret,
    parse_json,
    read_body,
)

logger = logging.getLogger(__name__)

_STATUS = {Outcome.QUEUED: 200, Outcome.DUPLICATE: 200, Outcome.IGNORED: 200, Outcome.BUSY: 503}


class TelegramInput(InputChannel):
    """Telegram customers talking to the bot."""

    def __init__(self, settings: Settings) -> None:
        """Keep the settings; resources are opened when the Sanic server starts."""
        self._settings = settings
        self._runtime: TelegramRuntime | None = None

    @classmethod
    def name(cls) -> str:
        """The channel's name: its URL prefix and the `input_channel` of its messages."""
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        """Build the channel from the environment; secrets in the credentials file are ignored on purpose."""
        if credentials:
            logger.warning("telegram.credentials_ignored reason=secrets_come_from_environment")
        return cls(Settings.from_env())

    @property
    def enabled(self) -> bool:
        """Whether a bot token is configured."""
        return bool(self._settings.telegram_token)

    def get_output_channel(self) -> OutputChannel | None:
        """An output channel for messages Rasa sends outside a customer's turn (None while disabled)."""
        return self._runtime.new_output() if self._runtime is not None else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The webhook route and the listeners that open and close the channel with the server."""
        blueprint = Blueprint("telegram_webhook")

        @blueprint.listener("before_server_start")
        async def open_channel(app: Sanic, _loop: Any) -> None:
            handler = never_silent(on_new_message, paused_lookup(lambda: getattr(app.ctx, "agent", None)))
            await self.open(shared_runtime(app, self._settings), handler, lambda: _domain_payloads(app))

        @blueprint.listener("after_server_start")
        async def start_polling(_app: Sanic, _loop: Any) -> None:
            if self._runtime is not None and self._runtime.poller is not None:
                self._runtime.poller.start()

        @blueprint.listener("before_server_stop")
        async def close_channel(_app: Sanic, _loop: Any) -> None:
            await self.close()

        @blueprint.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            if self._runtime is None:
                return response.json({"status": "disabled"}, status=503)
            return response.json({"status": "ok", "mode": self._settings.telegram_mode})

        @blueprint.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            try:
                outcome = await self.receive(request)
            except Rejected as rejected:
                logger.warning("telegram.webhook_rejected status=%d reason=%s", rejected.status, rejected.reason)
                return response.json({"ok": False, "reason": rejected.reason}, status=rejected.status)
            return response.json({"ok": outcome is not Outcome.BUSY}, status=_STATUS[outcome])

        return blueprint

    async def open(self, shared: SharedRuntime, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                   known_payloads: Callable[[], list[str]]) -> None:
        """Open the channel's resources on the runtime the server's channels share (nothing without a token)."""
        token = self._settings.telegram_token
        if not token:
            logger.info("telegram.channel_disabled reason=no_token")
            return
        if self._settings.telegram_mode not in {"webhook", "polling"}:
            logger.error("telegram.channel_disabled reason=unknown_mode")
            return
        if not self._settings.telegram_secret_token:
            logger.warning("telegram.webhook_disabled reason=no_secret_token")
        self._runtime = await TelegramRuntime.open(self._settings, token, shared, on_new_message, known_payloads)

    async def close(self) -> None:
        """Close the channel's resources."""
        if self._runtime is not None:
            runtime, self._runtime = self._runtime, None
            await runtime.close()

    async def receive(self, request: Request) -> Outcome:
        """Check and accept one webhook delivery; `Rejected` with the status to answer."""
        secret = self._settings.telegram_secret_token
        if self._runtime is None or not secret:
            # Without a secret the webhook could not tell Telegram from anyone else: it stays closed.
            raise Rejected(503, "disabled")
        check_secret(secret, request.headers.get(SECRET_HEADER))
        check_declared_size(request.headers.get("Content-Length"))
        data = parse_json(await read_body(request.stream))  # type: ignore[arg-type]
        try:
            return await self._runtime.handler.accept(data)
        except InvalidUpdate:
            raise Rejected(400, "not_an_update") from None


def _domain_payloads(app: Sanic) -> list[str]:
    agent = getattr(app.ctx, "agent", None)
    domain = getattr(agent, "domain", None)
    return domain_button_payloads(getattr(domain, "responses", None))

"""Rasa input channel for a WeChat Official Account, under /webhooks/wechat/webhook.

GET answers WeChat's server verification (echo `echostr` when the signature holds). POST takes a message or event:
signature checked before the body is read, body size capped, AES-decrypted in safe mode, parsed, recorded once,
answered "success" at once; the bot's turn runs in the background and replies through the customer-service API
(WeChat's passive reply must come within 5 seconds, too short for a turn that creates a ticket). Configuration comes
from the environment (WECHAT_TOKEN, WECHAT_APP_ID, WECHAT_APP_SECRET, WECHAT_AES_KEY, WECHAT_API_BASE_URL), never
from credentials.yml; without WECHAT_TOKEN the channel answers 503 and Rasa runs as usual. Register it in the
credentials file as `integrations.wechat.channel.WeChatInput:` (no keys).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel
from sanic import Blueprint, Sanic, response
from sanic.exceptions import PayloadTooLarge as SanicPayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.settings import Settings
from integrations.common.runtime import SharedRuntime, mounted_app, shared_runtime
from integrations.never_silent import never_silent, paused_lookup
from integrations.wechat.errors import ChannelDisabled, PayloadTooLarge, WebhookRejected
from integrations.wechat.inbound import parse_inbound
from integrations.wechat.output import CHANNEL_NAME, WeChatOutput
from integrations.wechat.processor import InboundProcessor, OnNewMessage
from integrations.wechat.runtime import WeChatRuntime
from integrations.wechat.security import MAX_BODY_BYTES, WebhookAuth, read_limited

logger = logging.getLogger(__name__)

RuntimeFactory = Callable[[Settings, SharedRuntime], WeChatRuntime]


class WeChatInput(InputChannel):
    """The WeChat Official Account channel (name "wechat"; conversation ids "wx:<openid>")."""

    @classmethod
    def name(cls) -> str:
        """The channel's name, and its URL prefix."""
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Built by Rasa from credentials.yml; everything it needs comes from the environment."""
        return cls(Settings.from_env())

    def __init__(self, settings: Settings, runtime_factory: RuntimeFactory = WeChatRuntime.open) -> None:
        """Check the configuration now (logging what is missing); resources are opened on first use."""
        self._settings = settings
        self._runtime_factory = runtime_factory
        self._runtime: WeChatRuntime | None = None
        self._processor: InboundProcessor | None = None
        self._on_new_message: OnNewMessage | None = None
        self._blueprint: Blueprint | None = None
        self._auth: WebhookAuth | None = None
        try:
            self._auth = WebhookAuth.from_settings(settings)
        except ValueError as exc:
            logger.error("wechat.disabled reason=bad_config detail=%s", exc)
        if not settings.wechat_token:
            logger.info("wechat.disabled reason=no_token")
        self._can_reply = bool(settings.wechat_app_id and settings.wechat_app_secret)
        if self._auth is not None and not self._can_reply:
            logger.warning("wechat.disabled reason=no_app_credentials (only URL verification works)")

    @property
    def enabled(self) -> bool:
        """Whether the channel takes messages (token and app credentials configured)."""
        return self._auth is not None and self._can_reply

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """The webhook routes; Rasa mounts them under /webhooks/wechat."""
        self._on_new_message = never_silent(on_new_message, paused_lookup(self._agent))
        webhook = self._blueprint = Blueprint("wechat_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "disabled"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            try:
                if self._auth is None:
                    raise ChannelDisabled("WECHAT_TOKEN is not set")
                echostr = self._auth.echo(_query(request))
            except WebhookRejected as exc:
                return _rejected(exc)
            logger.info("wechat.url_verified")
            return response.text(echostr)

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            try:
                await self._receive(request)
            except WebhookRejected as exc:
                return _rejected(exc)
            except Exception:
                logger.exception("wechat.webhook_failed")
                return response.text("error", status=500)  # WeChat retries
            return response.text("success")

        @webhook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            await self.close()

        return webhook

    def get_output_channel(self) -> OutputChannel | None:
        """Where bot turns started through Rasa's HTTP API (CSAT, handoff resume) go for WeChat conversations."""
        if not self.enabled:
            return None
        runtime = self._open()
        return WeChatOutput(runtime.api, runtime.menus)

    async def close(self) -> None:
        """Finish background turns and release the resources (server shutdown)."""
        runtime, self._runtime, self._processor = self._runtime, None, None
        if runtime is not None:
            await runtime.close()

    async def _receive(self, request: Request) -> None:
        if self._auth is None or not self._can_reply:
            raise ChannelDisabled("WeChat is not configured")
        query = _query(request)
        self._auth.check(query)  # before a byte of the body is read
        stream: Any = request.stream
        if hasattr(stream, "request_max_size"):
            stream.request_max_size = MAX_BODY_BYTES  # Sanic then stops reading an oversized body, too
        try:
            body = await read_limited(stream.read, request.headers.get("content-length"), MAX_BODY_BYTES)
        except SanicPayloadTooLarge:
            raise PayloadTooLarge("body over the limit") from None
        inbound = parse_inbound(self._auth.open(query, body))
        await self._processor_for_requests().accept(inbound)

    def _processor_for_requests(self) -> InboundProcessor:
        if self._processor is None:
            runtime = self._open()
            assert self._on_new_message is not None, "blueprint() registers Rasa's handler first"
            self._processor = InboundProcessor(self._on_new_message, runtime)
        return self._processor

    def _open(self) -> WeChatRuntime:
        if self._runtime is None:
            self._runtime = self._runtime_factory(self._settings, shared_runtime(self._app(), self._settings))
        return self._runtime

    def _app(self) -> Sanic:
        """The server the channel is mounted on (Rasa mounts every channel before the server starts)."""
        app = self._mounted()
        if app is None:
            raise RuntimeError("the WeChat channel's blueprint is not mounted on a server")
        return app

    def _mounted(self) -> Sanic | None:
        return mounted_app(self._blueprint) if self._blueprint is not None else None

    def _agent(self) -> Any:
        """Rasa's agent, once the server runs (None before)."""
        app = self._mounted()
        return getattr(app.ctx, "agent", None) if app is not None else None


def _query(request: Request) -> dict[str, str]:
    return {key: str(request.args.get(key) or "") for key in request.args}


def _rejected(exc: WebhookRejected) -> HTTPResponse:
    logger.warning("wechat.webhook_rejected reason=%s status=%d", exc.reason, exc.status)
    return response.text(exc.reason, status=exc.status)

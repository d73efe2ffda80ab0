"""`POST /api/v1/telegram/provider-webhook`: the provider bot's button presses, from Telegram.

Checks, in the order that keeps unauthenticated callers from costing anything: the
`X-Telegram-Bot-Api-Secret-Token` header against `PROVIDER_TELEGRAM_SECRET_TOKEN`, in constant time (403 before a
byte of the body is read), the size (413 over 1 MiB), the JSON and the update (400). A replayed `update_id` is
answered 200 and not processed again (`ChannelInbox`, channel `tg-provider`). Without `PROVIDER_TELEGRAM_TOKEN` the
endpoint answers 503.

A press is carried out (`ProviderGroupActions`), answered (answerCallbackQuery) and shown in the group by editing
the notice (its buttons go). Telegram is always answered 200 once the update is taken, even when a Bot API call
fails: a retry would be a replay.

Register it with Telegram once (the secret is sent back in the header on every update)::

    curl -sS "https://api.telegram.org/bot$PROVIDER_TELEGRAM_TOKEN/setWebhook" \
      -d url=https://<public host>/api/v1/telegram/provider-webhook \
      -d secret_token="$PROVIDER_TELEGRAM_SECRET_TOKEN" -d 'allowed_updates=["callback_query"]'
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web

from bot.services.providers.notice_text import outcome_answer
from bot.settings import Settings
from bot.web.errors import error_response, openapi_error
from bot.web.keys import HTTP_CLIENT_KEY, PROVIDER_BOT_KEY, SERVICES_KEY
from integrations.telegram.errors import TelegramError
from integrations.telegram.inbound import InvalidUpdate
from integrations.telegram.provider_bot.group_bot import GroupBotError
from integrations.telegram.provider_bot.runtime import ProviderBot, provider_bot
from integrations.telegram.provider_bot.updates import Press, parse_update
from integrations.telegram.webhook import (
    SECRET_HEADER,
    Rejected,
    check_declared_size,
    check_secret,
    parse_json,
    read_body,
)

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/api/v1/telegram/provider-webhook"
CHANNEL = "tg-provider"
_CHUNK = 64 * 1024
_OK = {"ok": True}


def setup_provider_telegram(app: web.Application, settings: Settings) -> None:
    """Mount the webhook; with `PROVIDER_TELEGRAM_TOKEN`, open the provider bot after the resources."""
    app.router.add_post(WEBHOOK_PATH, provider_webhook)
    if not settings.provider_telegram_token:
        app[PROVIDER_BOT_KEY] = None
        return
    if not settings.provider_telegram_secret_token:
        raise ValueError("PROVIDER_TELEGRAM_SECRET_TOKEN is required with PROVIDER_TELEGRAM_TOKEN (it authenticates "
                         "the provider bot's webhook)")
    app.cleanup_ctx.append(_provider_bot_ctx(settings))


def _provider_bot_ctx(settings: Settings) -> Callable[[web.Application], AsyncIterator[None]]:
    async def running(app: web.Application) -> AsyncIterator[None]:
        async with provider_bot(settings, app[HTTP_CLIENT_KEY], app[SERVICES_KEY]) as bot:
            app[PROVIDER_BOT_KEY] = bot
            yield

    return running


def openapi_paths() -> dict[str, Any]:
    """This endpoint's part of `/api/openapi.json` (merged by `bot.web.openapi`)."""
    return {WEBHOOK_PATH: {"post": {
        "tags": ["telegram"],
        "summary": "Telegram delivers the provider bot's updates here (Accept / Reject pressed in an outlet's group)",
        "parameters": [{"name": SECRET_HEADER, "in": "header", "required": True, "schema": {"type": "string"},
                        "description": "PROVIDER_TELEGRAM_SECRET_TOKEN, as given to setWebhook"}],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"type": "object", "description": "A Telegram Update (https://core.telegram.org/bots/api#update)",
                       "required": ["update_id"], "properties": {"update_id": {"type": "integer"}}}}}},
        "responses": {
            "200": {"description": "Taken (a replayed update_id is acknowledged and not processed again)",
                    "content": {"application/json": {"schema": {"type": "object"}}}},
            "400": openapi_error("Not JSON, or not a Telegram update"),
            "403": openapi_error("Missing or wrong secret header"),
            "413": openapi_error("Body larger than 1 MiB"),
            "503": openapi_error("The provider bot is not configured (no PROVIDER_TELEGRAM_TOKEN)"),
        },
    }}}


async def provider_webhook(request: web.Request) -> web.StreamResponse:
    """Take one update from Telegram (see the module's docstring)."""
    bot = request.app.get(PROVIDER_BOT_KEY)
    if bot is None:
        return error_response(503, "the provider bot is not configured", "not_configured")
    try:
        check_secret(bot.secret, request.headers.get(SECRET_HEADER))
        check_declared_size(request.headers.get("Content-Length"))
        update = parse_update(parse_json(await read_body(request.content.iter_chunked(_CHUNK))))
    except Rejected as exc:
        logger.info("provider_webhook.rejected status=%d reason=%s", exc.status, exc.reason)
        return error_response(exc.status, exc.reason.replace("_", " "), exc.reason)
    except InvalidUpdate:
        logger.info("provider_webhook.rejected status=400 reason=not_an_update")
        return error_response(400, "not a Telegram update", "not_an_update")
    if not await bot.inbox.first_time(CHANNEL, str(update.update_id)):
        return web.json_response(_OK)
    if update.press is not None:
        await _handle_press(bot, update.press)
    return web.json_response(_OK)


async def _handle_press(bot: ProviderBot, press: Press) -> None:
    """Carry out the press, answer it, and show the outcome in the group; failures are logged, never raised."""
    if press.chat_id is None:
        outcome_text, group_text = outcome_answer("expired"), None
    else:
        try:
            outcome = await bot.actions.press(press.chat_id, press.action, press.number, press.user_id,
                                              press.callback_id)
            outcome_text, group_text = outcome.answer, outcome.group_text
        except Exception:  # the database or a service failed: tell the presser, log once, answer Telegram 200
            logger.exception("provider_press.failed action=%s", press.action)
            outcome_text, group_text = outcome_answer("failed"), None
    try:
        await bot.bot.answer(press.callback_id, outcome_text)
    except (GroupBotError, TelegramError) as exc:  # an expired query (older than a few minutes) cannot be answered
        logger.warning("provider_press.answer_failed error=%s", exc)
    if group_text is not None and press.chat_id is not None and press.message_id is not None:
        try:
            await bot.bot.show_outcome(press.chat_id, press.message_id, group_text)
        except (GroupBotError, TelegramError) as exc:
            logger.warning("provider_press.edit_failed error=%s", exc)

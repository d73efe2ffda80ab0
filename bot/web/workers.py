"""Every background worker of our service, started from one place with one loop (`run_periodic`), and stopped.

| worker (`run_periodic` name) | runs when | setting |
|---|---|---|
| `csat_dispatch`: ask for ratings (first round at once) | Rasa has a token | `CSAT_DISPATCH_INTERVAL_S` |
| `sla_sweep`: re-route tickets not accepted in time | always | `SLA_SWEEP_INTERVAL_S` |
| `customer_outbox`: ticket updates and agents' messages | always | `CUSTOMER_OUTBOX_INTERVAL_S` |
| `webhook_outbox`: signed webhooks to outlets' systems | always | `WEBHOOK_INTERVAL_S` |
| `provider_notices`: notices in outlets' Telegram groups | the provider bot runs | `PROVIDER_TELEGRAM_INTERVAL_S` |

An interval of 0 turns its worker off. Each task is kept under its key (`bot.web.keys.WORKER_KEYS`). The context
opens after every other (it uses their resources) and so closes first; on shutdown the tasks are cancelled even
earlier (`stop_workers`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from aiohttp import web

from bot.db.models import utcnow
from bot.services.handoff.csat_dispatch import dispatch_due
from bot.services.periodic import Step, run_periodic
from bot.services.providers.notifications import ProviderNotifier
from bot.services.tickets.sla_sweeper import SweepReport, reroute_overdue
from bot.services.webhooks.outbox import WebhookOutbox
from bot.settings import Settings
from bot.web.keys import BRIDGE_KEY, HTTP_CLIENT_KEY, PROVIDER_BOT_KEY, SERVICES_KEY, WORKER_KEYS
from integrations.webhooks.sender import WebhookSender

logger = logging.getLogger(__name__)

#: After SIGTERM, how long in-flight requests (and, separately, the workers) get to finish before they are
#: cancelled. aiohttp's own default is 60 s for each, which outlasts every supervisor's patience.
SHUTDOWN_GRACE_S = 3.0


def setup_workers(app: web.Application, settings: Settings) -> None:
    """Check the intervals (a bad one fails at start-up, not in the background), then start the workers last."""
    _ = settings.sla_sweep_interval_s  # default 60, 0 disables; a value that is not a number: ValueError
    for name, value in (("CUSTOMER_OUTBOX_INTERVAL_S", settings.customer_outbox_interval_s),
                        ("WEBHOOK_INTERVAL_S", settings.webhook_interval_s),
                        ("PROVIDER_TELEGRAM_INTERVAL_S", settings.provider_telegram_interval_s)):
        if value < 0:
            raise ValueError(f"{name} must be 0 (off) or a positive number of seconds")
    app.cleanup_ctx.append(_workers_ctx(settings))
    # aiohttp 3.9 types its signals against an older aiosignal: the handler is right, the stub is not.
    app.on_shutdown.append(stop_workers)  # type: ignore[arg-type]


@dataclass(frozen=True)
class _Worker:
    name: str
    interval_s: float
    step: Step
    first_delay_s: float | None = None  # None: one interval


def _workers(app: web.Application, settings: Settings) -> list[_Worker]:
    """The workers these settings turn on, each logged as it is planned."""
    services = app[SERVICES_KEY]
    found: list[_Worker] = []
    # Rasa's HTTP API is only enabled when it runs with a token (see bot/launcher.py), so no token: no CSAT.
    if settings.rasa_token and settings.csat_dispatch_interval_s > 0:
        interval = settings.csat_dispatch_interval_s
        ask = functools.partial(dispatch_due, services.csat, app[BRIDGE_KEY])
        found.append(_Worker("csat_dispatch", interval, ask, first_delay_s=0))  # asks first, then waits
        logger.info("csat.dispatcher_started interval_s=%s", interval)
    sweep_s = settings.sla_sweep_interval_s
    if sweep_s > 0:

        async def sweep() -> SweepReport:
            return await reroute_overdue(services.sessions, services.tickets, utcnow())

        found.append(_Worker("sla_sweep", sweep_s, sweep))
        logger.info("sla_sweep.started interval_s=%s", sweep_s)
    if settings.customer_outbox_interval_s > 0:
        interval = settings.customer_outbox_interval_s
        found.append(_Worker("customer_outbox", interval, services.customer_outbox.run_once))
        logger.info("customer_outbox.started interval_s=%s push=%s", interval, bool(settings.rasa_token))
    if settings.webhook_interval_s > 0:
        webhooks = WebhookOutbox(services.sessions, WebhookSender(app[HTTP_CLIENT_KEY]))
        found.append(_Worker("webhook_outbox", settings.webhook_interval_s, webhooks.run_once))
        logger.info("webhook_outbox.started interval_s=%s", settings.webhook_interval_s)
    provider_bot = app.get(PROVIDER_BOT_KEY)
    if provider_bot is not None and settings.provider_telegram_interval_s > 0:  # logged as `provider_bot.started`
        notices = ProviderNotifier(services.sessions, provider_bot.bot)
        found.append(_Worker("provider_notices", settings.provider_telegram_interval_s, notices.run_once))
    return found


def _workers_ctx(settings: Settings) -> Callable[[web.Application], AsyncIterator[None]]:
    async def workers(app: web.Application) -> AsyncIterator[None]:
        for key in WORKER_KEYS.values():
            app[key] = None
        for worker in _workers(app, settings):
            loop = run_periodic(worker.name, worker.interval_s, worker.step, first_delay_s=worker.first_delay_s)
            app[WORKER_KEYS[worker.name]] = asyncio.create_task(loop)
        yield
        tasks = _tasks(app)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return workers


def _tasks(app: web.Application) -> list[asyncio.Task[None]]:
    return [task for task in (app.get(key) for key in WORKER_KEYS.values()) if task is not None]


async def stop_workers(app: web.Application) -> None:
    """`on_shutdown`: cancel the workers before aiohttp waits for in-flight work.

    Otherwise a round stuck on a silent peer (a webhook, Rasa) holds the shutdown up, and the loop keeps starting new
    rounds until the cleanup contexts cancel it, which aiohttp only runs after that wait. A cancelled round loses
    nothing: its claims expire and the rows are retried by the next process.
    """
    tasks = _tasks(app)
    for task in tasks:
        task.cancel()
    if tasks:
        _, pending = await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE_S)
        if pending:
            logger.warning("service.loops_still_stopping count=%d", len(pending))

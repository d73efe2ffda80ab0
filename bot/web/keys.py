"""Every typed key of our aiohttp app, and the small records kept under them that no service defines.

The resources context (`bot/web/resources.py`) fills the shared ones at start-up; feature modules only read them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import aiohttp
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.session import SessionFactory
from bot.services.agents.sessions import LoginThrottle, SessionCodec
from bot.services.container import RasaServices, Services
from bot.settings import Settings
from integrations.rasa.bridge import RasaBridge
from integrations.telegram.provider_bot.runtime import ProviderBot


@dataclass(frozen=True)
class AgentAuth:
    """The agent console's session codec and sign-in throttle (accounts: `Services.agent_accounts`)."""

    codec: SessionCodec
    throttle: LoginThrottle
    secret_generated: bool


@dataclass(frozen=True)
class ChatConfig:
    """What the web chat page needs to know, validated once when the app is built."""

    rasa_port: int
    public_rasa_url: str | None  # CHAT_RASA_URL without a trailing slash; None: Rasa's port on the page's host
    frame_ancestors: str  # CSP frame-ancestors: who may embed the page in a frame


# Resources (bot/web/resources.py): one of each per process.
SETTINGS_KEY = web.AppKey("settings", Settings)
ENGINE_KEY = web.AppKey("engine", AsyncEngine)
SESSIONS_KEY: web.AppKey[SessionFactory] = web.AppKey("sessions")
HTTP_CLIENT_KEY = web.AppKey("http_client", aiohttp.ClientSession)  # the process's one outbound HTTP session
BRIDGE_KEY = web.AppKey("rasa_bridge", RasaBridge)
SERVICES_KEY = web.AppKey("services", Services)
RASA_SERVICES_KEY = web.AppKey("rasa_services", RasaServices)

# Feature settings and state.
AGENT_TOKEN_KEY = web.AppKey("agent_api_token", str)  # "" when the agent API's Bearer token is not configured
AGENT_AUTH_KEY = web.AppKey("agent_auth", AgentAuth)
CHAT_CONFIG_KEY = web.AppKey("chat_config", ChatConfig)
PROVIDER_BOT_KEY: web.AppKey[ProviderBot | None] = web.AppKey("provider_bot")  # None without its token

# Background workers (bot/web/workers.py): each task, or None when its settings keep it off.
Task = asyncio.Task[None]
CSAT_DISPATCHER_KEY: web.AppKey[Task | None] = web.AppKey("csat_dispatcher")
SLA_SWEEPER_KEY: web.AppKey[Task | None] = web.AppKey("sla_sweeper")
CUSTOMER_OUTBOX_TASK_KEY: web.AppKey[Task | None] = web.AppKey("customer_outbox_task")
WEBHOOK_OUTBOX_KEY: web.AppKey[Task | None] = web.AppKey("webhook_outbox")
PROVIDER_NOTICES_KEY: web.AppKey[Task | None] = web.AppKey("provider_notices")
#: Each worker's `run_periodic` name and the key of its task.
WORKER_KEYS: dict[str, web.AppKey[Task | None]] = {
    "csat_dispatch": CSAT_DISPATCHER_KEY,
    "sla_sweep": SLA_SWEEPER_KEY,
    "customer_outbox": CUSTOMER_OUTBOX_TASK_KEY,
    "webhook_outbox": WEBHOOK_OUTBOX_KEY,
    "provider_notices": PROVIDER_NOTICES_KEY,
}

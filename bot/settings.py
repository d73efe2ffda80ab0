"""Settings read once from the environment, with documented defaults, and passed in explicitly."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VAR_DIR = PROJECT_ROOT / "var"


def _default_database_url(var_dir: Path) -> str:
    return f"sqlite:///{var_dir / 'aftersales.db'}"


#: Variables kept as the environment gave them (`Settings.extra`) and read through the typed properties
#: `chat_rasa_url`, `chat_frame_ancestors` and `sla_sweep_interval_s`, which check them when their feature starts.
EXTRA_VARIABLES = ("CHAT_RASA_URL", "CHAT_FRAME_ANCESTORS", "SLA_SWEEP_INTERVAL_S")
#: How often tickets not accepted within their acceptance SLA are re-routed, when `SLA_SWEEP_INTERVAL_S` is unset.
DEFAULT_SLA_SWEEP_INTERVAL_S = 60.0


@dataclass(frozen=True)
class Settings:
    """Process configuration. Build it with `Settings.from_env()`; never read the environment elsewhere."""

    database_url: str
    tracker_database_url: str
    redis_url: str | None = None
    rabbitmq_url: str | None = None
    rasa_token: str | None = None
    service_host: str = "127.0.0.1"
    service_port: int = 8080
    rasa_port: int = 5005
    action_server_port: int = 5055
    action_server_url: str = "http://127.0.0.1:5055/webhook"
    var_dir: Path = DEFAULT_VAR_DIR
    routing_refresh_s: float = 5.0
    rasa_url: str = "http://127.0.0.1:5005"  # Rasa's HTTP API, for handoff resume and CSAT requests
    agent_api_token: str | None = field(default=None, repr=False)  # agent API Bearer token; unset: API answers 503
    csat_dispatch_interval_s: float = 30.0  # 0 disables the CSAT dispatcher (it also needs RASA_TOKEN)
    # Signs agent console session cookies; unset: a random secret per process (sessions end on restart).
    agent_session_secret: str | None = field(default=None, repr=False)
    # Telegram (customer channel): no token = the channel answers 503 and polling does not start.
    telegram_token: str | None = field(default=None, repr=False)
    telegram_secret_token: str | None = field(default=None, repr=False)  # X-Telegram-Bot-Api-Secret-Token
    telegram_api_base_url: str = "https://api.telegram.org"
    telegram_mode: str = "webhook"  # or "polling" (local use without a public URL)
    # WeChat Official Account: no token = the channel answers 503.
    wechat_token: str | None = field(default=None, repr=False)
    wechat_app_id: str | None = None
    wechat_app_secret: str | None = field(default=None, repr=False)
    wechat_aes_key: str | None = field(default=None, repr=False)  # set = AES safe mode
    wechat_api_base_url: str = "https://api.weixin.qq.com"
    credentials_path: str = "credentials.yml"  # Rasa's channel list (relative to the project root)
    webhook_interval_s: float = 5.0  # provider-webhook outbox round interval; 0 disables it
    customer_outbox_interval_s: float = 2.0  # ticket updates and agents' messages to customers; 0 disables it
    # Provider bot (outlets' Telegram groups): no token = no group notifications, the webhook answers 503.
    provider_telegram_token: str | None = field(default=None, repr=False)
    provider_telegram_secret_token: str | None = field(default=None, repr=False)  # its webhook's secret header
    provider_telegram_interval_s: float = 5.0  # group-notice outbox round interval; 0 disables posting
    extra: Mapping[str, str] = field(default_factory=dict)  # `EXTRA_VARIABLES` as set; read the properties below

    @property
    def media_dir(self) -> Path:
        """Where customers' photos are stored."""
        return self.var_dir / "media"

    @property
    def chat_rasa_url(self) -> str | None:
        """`CHAT_RASA_URL`: where browsers reach Rasa for the web chat; None: Rasa's port on the page's host.

        Checked by the web chat when it starts (`bot.web.chat.page.chat_config_from`).
        """
        return self.extra.get("CHAT_RASA_URL", "").strip() or None

    @property
    def chat_frame_ancestors(self) -> str | None:
        """`CHAT_FRAME_ANCESTORS`: the origins, separated by spaces, allowed to frame `/chat`; None: only our own.

        Checked by the web chat when it starts.
        """
        return self.extra.get("CHAT_FRAME_ANCESTORS", "").strip() or None

    @property
    def sla_sweep_interval_s(self) -> float:
        """`SLA_SWEEP_INTERVAL_S`: seconds between re-routing sweeps (default 60; 0 disables the sweep).

        Raises:
            ValueError: the variable is set to something that is not a number.
        """
        raw = self.extra.get("SLA_SWEEP_INTERVAL_S", "").strip()
        if not raw:
            return DEFAULT_SLA_SWEEP_INTERVAL_S
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"SLA_SWEEP_INTERVAL_S must be a number of seconds, not {raw[:20]!r}") from None
        return max(value, 0.0)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the documented environment variables (see README, 'Configuration')."""
        env = os.environ if environ is None else environ
        var_dir = Path(env.get("BOT_VAR_DIR", str(DEFAULT_VAR_DIR)))
        database_url = env.get("DATABASE_URL") or _default_database_url(var_dir)
        tracker_url = env.get("TRACKER_DATABASE_URL") or (
            env["DATABASE_URL"] if env.get("DATABASE_URL") else f"sqlite:///{var_dir / 'tracker.db'}"
        )
        action_port = int(env.get("ACTION_SERVER_PORT", "5055"))
        rasa_port = int(env.get("RASA_PORT", "5005"))
        return cls(
            database_url=database_url,
            tracker_database_url=tracker_url,
            redis_url=env.get("REDIS_URL") or None,
            rabbitmq_url=env.get("RABBITMQ_URL") or None,
            rasa_token=env.get("RASA_TOKEN") or None,
            service_host=env.get("SERVICE_HOST", "127.0.0.1"),
            service_port=int(env.get("SERVICE_PORT", "8080")),
            rasa_port=rasa_port,
            action_server_port=action_port,
            action_server_url=env.get("ACTION_SERVER_URL", f"http://127.0.0.1:{action_port}/webhook"),
            var_dir=var_dir,
            routing_refresh_s=float(env.get("ROUTING_REFRESH_S", "5")),
            rasa_url=env.get("RASA_URL") or f"http://127.0.0.1:{rasa_port}",
            agent_api_token=env.get("AGENT_API_TOKEN") or None,
            csat_dispatch_interval_s=float(env.get("CSAT_DISPATCH_INTERVAL_S", "30")),
            agent_session_secret=env.get("AGENT_SESSION_SECRET") or None,
            telegram_token=env.get("TELEGRAM_TOKEN") or None,
            telegram_secret_token=env.get("TELEGRAM_SECRET_TOKEN") or None,
            telegram_api_base_url=(env.get("TELEGRAM_API_BASE_URL") or "https://api.telegram.org").rstrip("/"),
            telegram_mode=env.get("TELEGRAM_MODE", "webhook"),
            wechat_token=env.get("WECHAT_TOKEN") or None,
            wechat_app_id=env.get("WECHAT_APP_ID") or None,
            wechat_app_secret=env.get("WECHAT_APP_SECRET") or None,
            wechat_aes_key=env.get("WECHAT_AES_KEY") or None,
            wechat_api_base_url=(env.get("WECHAT_API_BASE_URL") or "https://api.weixin.qq.com").rstrip("/"),
            credentials_path=env.get("RASA_CREDENTIALS") or "credentials.yml",
            extra={name: env[name] for name in EXTRA_VARIABLES if env.get(name)},
            webhook_interval_s=float(env.get("WEBHOOK_INTERVAL_S", "5")),
            customer_outbox_interval_s=float(env.get("CUSTOMER_OUTBOX_INTERVAL_S", "2")),
            provider_telegram_token=env.get("PROVIDER_TELEGRAM_TOKEN") or None,
            provider_telegram_secret_token=env.get("PROVIDER_TELEGRAM_SECRET_TOKEN") or None,
            provider_telegram_interval_s=float(env.get("PROVIDER_TELEGRAM_INTERVAL_S", "5")),
        )

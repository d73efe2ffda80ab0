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
    extra: Mapping[str, str] = field(default_factory=dict)

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
        )

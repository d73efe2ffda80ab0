"""`make run`: start Rasa, the action server and our service together; Ctrl-C stops them all cleanly."""

from __future__ import annotations

import dataclasses
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bot.settings import PROJECT_ROOT, Settings

READY_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class ProcessSpec:
    """One child process and the port that tells it is ready."""

    name: str
    argv: list[str]
    port: int


def process_specs(settings: Settings, model: Path) -> list[ProcessSpec]:
    """The three processes of the embedded setup, as the architecture describes them."""
    # `rasa run`, through our entry point that adds one measured performance fix (see bot/rasa_entry.py).
    rasa_argv = [
        sys.executable, "-m", "bot.rasa_entry", "run", "--model", str(model), "--endpoints", "endpoints.yml",
        "--credentials", settings.credentials_path,
        "--port", str(settings.rasa_port), "--cors", "*",
    ]
    if settings.rasa_token:
        # The HTTP API (trackers, model) is only exposed with a token; channels work without it. The token goes
        # by the environment (RASA_TOKEN), never on the command line where `ps` shows it: bot.rasa_entry hands it
        # to Rasa inside the process.
        rasa_argv += ["--enable-api"]
    return [
        ProcessSpec(
            "action server",
            [sys.executable, "-m", "actions.server", "--port", str(settings.action_server_port)],
            settings.action_server_port,
        ),
        ProcessSpec("our service", [sys.executable, "-m", "bot", "serve"], settings.service_port),
        ProcessSpec("rasa", rasa_argv, settings.rasa_port),
    ]


#: Where `run-all` keeps the tokens it generated for a local run (under BOT_VAR_DIR, git-ignored, owner-only).
LOCAL_TOKENS_FILE = "local-tokens.env"


def with_local_tokens(settings: Settings) -> tuple[Settings, Path | None]:
    """Settings with RASA_TOKEN and AGENT_API_TOKEN filled for a local run when the environment has none.

    Handoff resume and CSAT need Rasa's HTTP API, which is only exposed with a token; the agent API needs its own.
    Generated tokens are written to a file readable by the owner only, never printed or logged. Returns the file
    (None when the environment already supplied both tokens).
    """
    if settings.rasa_token and settings.agent_api_token:
        return settings, None
    path = settings.var_dir / LOCAL_TOKENS_FILE
    known: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            if value:
                known[key.strip()] = value.strip()
    rasa_token = settings.rasa_token or known.get("RASA_TOKEN") or secrets.token_urlsafe(24)
    agent_token = settings.agent_api_token or known.get("AGENT_API_TOKEN") or secrets.token_urlsafe(24)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(f"RASA_TOKEN={rasa_token}\nAGENT_API_TOKEN={agent_token}\n", encoding="utf-8")
    return dataclasses.replace(settings, rasa_token=rasa_token, agent_api_token=agent_token), path


def listening(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:`port`."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.3):
            return True
    except OSError:
        return False


def _stop(children: list[tuple[ProcessSpec, subprocess.Popen[bytes]]]) -> None:
    for _, proc in children:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for spec, proc in children:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"{spec.name} did not stop in time; killing it", flush=True)
            proc.kill()
            proc.wait()


class _StopRequested(Exception):
    """Ctrl-C (SIGINT) or SIGTERM arrived."""


def _raise_stop(signum: int, _frame: object) -> None:
    raise _StopRequested(signal.Signals(signum).name)


def ready_banner(settings: Settings, tokens_file: Path | None) -> str:
    """What `make run` prints once every process listens: where things are and how to chat."""
    base = f"http://{settings.service_host}:{settings.service_port}"
    rasa_base = f"http://127.0.0.1:{settings.rasa_port}"
    rasa = Path(sys.executable).parent / "rasa"
    lines = [
        "",
        "All processes are up:",
        f"  Rasa server     {rasa_base}  (REST channel: POST /webhooks/rest/webhook, socket.io: /socket.io)",
        f"  action server   {settings.action_server_url}",
        f"  our service     {base}/healthz  (agent handoff API: {base}/api/v1/handoffs)",
        f"  web chat        {base}/chat   <- open this in a browser (phone-sized screens work too)",
        f"  provider portal {base}/provider  (key: python -m bot provider-key --outlet ID)",
        f"  agent console   {base}/agent     (account: python -m bot agent-user --username NAME --role agent)",
    ]
    if settings.telegram_token:
        lines.append(f"  Telegram        {settings.telegram_mode} mode, webhook {rasa_base}/webhooks/telegram/webhook")
    if settings.wechat_token:
        lines.append(f"  WeChat          {rasa_base}/webhooks/wechat/webhook")
    if tokens_file is not None:
        lines.append(f"  local API tokens (RASA_TOKEN, AGENT_API_TOKEN): {tokens_file}")
    lines += [
        "Chat now from another terminal, e.g.:",
        f"  curl -s {rasa_base}/webhooks/rest/webhook -H 'Content-Type: application/json' \\",
        "       -d '{\"sender\": \"me\", \"message\": \"你好\"}'",
        "or in a terminal chat against the same action server and database:",
        f"  ACTION_SERVER_URL={settings.action_server_url} {rasa} shell --port {settings.rasa_port + 10} "
        "--endpoints endpoints.yml",
        "Press Ctrl-C to stop everything.",
        "",
    ]
    return "\n".join(lines)


def run_all(settings: Settings) -> int:
    """Start every process, wait until each listens, print where to chat, and supervise until Ctrl-C."""
    # Install handlers explicitly: a shell may have started us with SIGINT ignored (background job).
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    os.chdir(PROJECT_ROOT)
    model = PROJECT_ROOT / "models" / "aftersales.tar.gz"
    if not model.exists():
        print("No trained model at models/aftersales.tar.gz: run `make run` (it trains first).", file=sys.stderr)
        return 1
    settings, tokens_file = with_local_tokens(settings)
    env = dict(os.environ, ACTION_SERVER_URL=settings.action_server_url, RASA_TOKEN=settings.rasa_token or "",
               AGENT_API_TOKEN=settings.agent_api_token or "")
    if not settings.redis_url:
        # Several Sanic workers need a shared lock store; with the in-memory one, keep a single worker.
        env["SANIC_WORKERS"] = "1"
    children: list[tuple[ProcessSpec, subprocess.Popen[bytes]]] = []
    try:
        for spec in process_specs(settings, model):
            if listening(spec.port):
                print(f"port {spec.port} is already in use; stop whatever runs there ({spec.name})", file=sys.stderr)
                return 1
            children.append((spec, subprocess.Popen(spec.argv, env=env)))
        deadline = time.monotonic() + READY_TIMEOUT_S
        for spec, proc in children:
            while not listening(spec.port):
                if proc.poll() is not None:
                    print(f"{spec.name} exited with code {proc.returncode}", file=sys.stderr)
                    return 1
                if time.monotonic() > deadline:
                    print(f"{spec.name} did not start within {READY_TIMEOUT_S:.0f}s", file=sys.stderr)
                    return 1
                time.sleep(0.5)
        print(ready_banner(settings, tokens_file), flush=True)
        while all(proc.poll() is None for _, proc in children):
            time.sleep(1.0)
        dead = [spec.name for spec, proc in children if proc.poll() is not None]
        print(f"stopped because {', '.join(dead)} exited", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, _StopRequested):
        print("\nStopping…", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not abort the clean-up
        _stop(children)
        print("All processes stopped.", flush=True)

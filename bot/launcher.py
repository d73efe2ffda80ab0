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
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.settings import PROJECT_ROOT, Settings

READY_TIMEOUT_S = 180.0
#: How long the children get, together, to stop after SIGTERM before those still running are killed: within the
#: 10 s a supervisor (systemd, Docker) allows before it kills us.
STOP_TIMEOUT_S = 8.0
#: Sanic's own grace for open requests (default 15 s) for Rasa and the action server, so that they stop in time.
SANIC_GRACE_S = "5"
#: The longest the launcher sleeps without looking whether a stop was requested.
_POLL_S = 0.1


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


#: The children started so far, each with what it is.
Children = list[tuple[ProcessSpec, "subprocess.Popen[bytes]"]]


class StopRequest:
    """SIGINT or SIGTERM, noted by the signal handler and acted on by the launcher's loops.

    Nothing is raised from the handler: an exception raised inside `Popen` leaves a started child untracked (it keeps
    running), and one raised during the clean-up (a second signal) abandons the children and ends in a traceback.
    """

    def __init__(self) -> None:
        self.signal_name: str | None = None

    def note(self, signum: int, _frame: object) -> None:
        """The signal handler: remember the first signal."""
        if self.signal_name is None:
            self.signal_name = signal.Signals(signum).name

    @property
    def requested(self) -> bool:
        """Whether a stop was asked for."""
        return self.signal_name is not None

    def sleep(self, seconds: float) -> bool:
        """Sleep up to `seconds`, waking early when a stop is asked for; whether one is."""
        deadline = time.monotonic() + seconds
        while not self.requested and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(_POLL_S, left))
        return self.requested


@contextmanager
def stop_on_signals() -> Iterator[StopRequest]:
    """SIGINT and SIGTERM note a stop request while the block runs; the previous handlers come back after it."""
    stop = StopRequest()
    # Installed explicitly: a shell may have started us with SIGINT ignored (background job).
    previous = {signum: signal.signal(signum, stop.note) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def stop_children(children: Children, timeout_s: float = STOP_TIMEOUT_S) -> None:
    """SIGTERM every running child, wait for them together, and kill whichever is still running after `timeout_s`."""
    for _, proc in children:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    for spec, proc in children:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"{spec.name} did not stop within {timeout_s:.0f}s; killing it", flush=True)
            proc.kill()
            proc.wait()


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


def supervise(
    specs: list[ProcessSpec],
    env: Mapping[str, str],
    banner: str,
    stop: StopRequest,
    ready_timeout_s: float = READY_TIMEOUT_S,
    stop_timeout_s: float = STOP_TIMEOUT_S,
) -> int:
    """Start `specs` in order, wait until each listens, print `banner`, and watch them until stop or failure.

    Returns 0 when `stop` is requested, 1 when one of them exits or never comes up. Every child started is stopped
    before this returns.
    """
    children: Children = []
    try:
        return _start_and_watch(specs, env, banner, stop, children, ready_timeout_s)
    finally:
        stop_children(children, stop_timeout_s)
        print("All processes stopped.", flush=True)


def _start_and_watch(
    specs: list[ProcessSpec], env: Mapping[str, str], banner: str, stop: StopRequest, children: Children,
    ready_timeout_s: float,
) -> int:
    for spec in specs:
        if stop.requested:
            return _stopping()
        if listening(spec.port):
            print(f"port {spec.port} is already in use; stop whatever runs there ({spec.name})", file=sys.stderr)
            return 1
        children.append((spec, subprocess.Popen(spec.argv, env=env)))
    deadline = time.monotonic() + ready_timeout_s
    for spec, proc in children:
        while not listening(spec.port):
            if stop.requested:
                return _stopping()
            if proc.poll() is not None:
                print(f"{spec.name} exited with code {proc.returncode}", file=sys.stderr)
                return 1
            if time.monotonic() > deadline:
                print(f"{spec.name} did not start within {ready_timeout_s:.0f}s", file=sys.stderr)
                return 1
            stop.sleep(0.5)
    if stop.requested:
        return _stopping()
    print(banner, flush=True)
    while not stop.sleep(1.0):
        dead = [spec.name for spec, proc in children if proc.poll() is not None]
        if dead:
            print(f"stopped because {', '.join(dead)} exited", file=sys.stderr)
            return 1
    return _stopping()


def _stopping() -> int:
    print("\nStopping…", flush=True)
    return 0


def run_all(settings: Settings) -> int:
    """Start every process, wait until each listens, print where to chat, and supervise until Ctrl-C or SIGTERM."""
    with stop_on_signals() as stop:  # first: from here on a signal stops everything cleanly, whenever it comes
        os.chdir(PROJECT_ROOT)
        model = PROJECT_ROOT / "models" / "aftersales.tar.gz"
        if not model.exists():
            print("No trained model at models/aftersales.tar.gz: run `make run` (it trains first).", file=sys.stderr)
            return 1
        settings, tokens_file = with_local_tokens(settings)
        env = dict(os.environ, ACTION_SERVER_URL=settings.action_server_url, RASA_TOKEN=settings.rasa_token or "",
                   AGENT_API_TOKEN=settings.agent_api_token or "")
        env.setdefault("SANIC_GRACEFUL_SHUTDOWN_TIMEOUT", SANIC_GRACE_S)
        if not settings.redis_url:
            # Several Sanic workers need a shared lock store; with the in-memory one, keep a single worker.
            env["SANIC_WORKERS"] = "1"
        return supervise(process_specs(settings, model), env, ready_banner(settings, tokens_file), stop)

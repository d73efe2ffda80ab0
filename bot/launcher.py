"""`make run`: start Rasa, the action server and our service together; Ctrl-C stops them all cleanly."""

from __future__ import annotations

import os
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
    bindir = Path(sys.executable).parent
    rasa = str(bindir / "rasa")
    rasa_argv = [
        rasa, "run", "--model", str(model), "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
        "--port", str(settings.rasa_port), "--cors", "*",
    ]
    if settings.rasa_token:
        # The HTTP API (trackers, model) is only exposed with a token; channels work without it.
        rasa_argv += ["--enable-api", "--auth-token", settings.rasa_token]
    return [
        ProcessSpec(
            "action server",
            [rasa, "run", "actions", "--actions", "actions", "--port", str(settings.action_server_port)],
            settings.action_server_port,
        ),
        ProcessSpec("our service", [sys.executable, "-m", "bot", "serve"], settings.service_port),
        ProcessSpec("rasa", rasa_argv, settings.rasa_port),
    ]


def _listening(port: int) -> bool:
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
    env = dict(os.environ, ACTION_SERVER_URL=settings.action_server_url)
    if not settings.redis_url:
        # Several Sanic workers need a shared lock store; with the in-memory one, keep a single worker.
        env["SANIC_WORKERS"] = "1"
    children: list[tuple[ProcessSpec, subprocess.Popen[bytes]]] = []
    try:
        for spec in process_specs(settings, model):
            if _listening(spec.port):
                print(f"port {spec.port} is already in use; stop whatever runs there ({spec.name})", file=sys.stderr)
                return 1
            children.append((spec, subprocess.Popen(spec.argv, env=env)))
        deadline = time.monotonic() + READY_TIMEOUT_S
        for spec, proc in children:
            while not _listening(spec.port):
                if proc.poll() is not None:
                    print(f"{spec.name} exited with code {proc.returncode}", file=sys.stderr)
                    return 1
                if time.monotonic() > deadline:
                    print(f"{spec.name} did not start within {READY_TIMEOUT_S:.0f}s", file=sys.stderr)
                    return 1
                time.sleep(0.5)
        base = f"http://{settings.service_host}:{settings.service_port}"
        rasa_base = f"http://127.0.0.1:{settings.rasa_port}"
        print(
            "\nAll processes are up:\n"
            f"  Rasa server     {rasa_base}  (REST channel: POST /webhooks/rest/webhook, socket.io: /socket.io)\n"
            f"  action server   {settings.action_server_url}\n"
            f"  our service     {base}/healthz\n"
            "Chat now from another terminal, e.g.:\n"
            f"  curl -s {rasa_base}/webhooks/rest/webhook -H 'Content-Type: application/json' \\\n"
            "       -d '{\"sender\": \"me\", \"message\": \"你好\"}'\n"
            "Press Ctrl-C to stop everything.\n",
            flush=True,
        )
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

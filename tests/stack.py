"""The whole bot as `make run` starts it (`python -m bot run-all`), on a scratch directory and free ports, for
end-to-end tests: REST, channel and browser tests talk to it and read its database."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.processes import free_port

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "aftersales.tar.gz"
START_TIMEOUT_S = 240


class Stack:
    """The three running processes, their ports and scratch directory."""

    def __init__(self, var_dir: Path, ports: dict[str, int], proc: subprocess.Popen[bytes]) -> None:
        self.var_dir, self.ports, self.proc = var_dir, ports, proc

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['RASA_PORT']}"

    @property
    def service_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['SERVICE_PORT']}"

    def say(self, sender: str, text: str, metadata: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """One message over the REST channel; the bot's replies."""
        body: dict[str, Any] = {"sender": sender, "message": text}
        if metadata:
            body["metadata"] = dict(metadata)
        request = urllib.request.Request(
            f"{self.rasa_url}/webhooks/rest/webhook", data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            replies: list[dict[str, Any]] = json.load(response)
        return replies

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        """Rows from the stack's SQLite database."""
        with sqlite3.connect(self.var_dir / "aftersales.db") as db:
            return db.execute(sql, args).fetchall()

    def tokens(self) -> dict[str, str]:
        """The API tokens `run-all` generated for this run."""
        text = (self.var_dir / "local-tokens.env").read_text()
        return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)

    @property
    def log(self) -> str:
        return (self.var_dir / "run.log").read_text(errors="replace")

    def stop(self) -> int:
        """Ctrl-C, as a user would; the launcher's exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout=60)


@contextmanager
def running_stack(
    var_dir: Path, env: Mapping[str, str] | None = None, outlets: int = 300, credentials: str | None = None
) -> Iterator[Stack]:
    """Seed a scratch database, start `run-all` with `env` on free ports, yield it, stop it.

    `credentials` is the text of a Rasa credentials file to use instead of the project's (e.g. to add a channel
    under test).
    """
    assert MODEL.exists(), "no trained model: run `make train` (make test trains before running tests)"
    ports = {"RASA_PORT": free_port(), "ACTION_SERVER_PORT": free_port(), "SERVICE_PORT": free_port()}
    full_env = dict(os.environ, BOT_VAR_DIR=str(var_dir), **{k: str(v) for k, v in ports.items()})
    for name in ("DATABASE_URL", "TRACKER_DATABASE_URL", "ACTION_SERVER_URL", "REDIS_URL", "RABBITMQ_URL",
                 "RASA_TOKEN", "AGENT_API_TOKEN", "RASA_CREDENTIALS"):
        full_env.pop(name, None)
    if credentials is not None:
        path = var_dir / "credentials.yml"
        path.write_text(credentials, encoding="utf-8")
        full_env["RASA_CREDENTIALS"] = str(path)
    full_env.update(env or {})
    subprocess.run([sys.executable, "-m", "bot", "seed", "--outlets", str(outlets), "--seed", "3"], cwd=ROOT,
                   env=full_env, check=True, capture_output=True, timeout=180)
    log = (var_dir / "run.log").open("w+")
    proc = subprocess.Popen([sys.executable, "-m", "bot", "run-all"], cwd=ROOT, env=full_env, stdout=log,
                            stderr=subprocess.STDOUT)
    stack = Stack(var_dir, ports, proc)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while "All processes are up" not in stack.log:
            assert proc.poll() is None, stack.log[-3000:]
            assert time.monotonic() < deadline, "processes did not come up in time"
            time.sleep(1)
        yield stack
    finally:
        stack.stop()

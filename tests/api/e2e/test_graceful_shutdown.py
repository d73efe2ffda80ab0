"""`python -m bot serve` stops within seconds of SIGTERM, with exit code 0 and no traceback: when idle, and when its
webhook outbox is stuck on a provider that accepts connections and never answers while a client holds a request
open (aiohttp's `run_app` waited up to 60 s for such work), also when a second signal follows the first (Ctrl-C
reaches every process of the terminal, then `run-all` sends SIGTERM: `run_app` gave up its clean-up half-way and
the process never exited)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.processes import free_port
from bot.db.session import create_async_db_engine, make_session_factory
from tests.webhook_world import build_network

ROOT = Path(__file__).resolve().parents[3]
STOP_BUDGET_S = 10.0
START_TIMEOUT_S = 60.0
STUCK_DELIVERIES = 12  # more than the outbox sends at once (8), each held for the sender's whole timeout (10 s)


class BlackHole:
    """A "provider" that accepts every connection and never answers; counts the connections it holds."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = int(self._listener.getsockname()[1])
        self.held: list[socket.socket] = []
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="black-hole", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                connection, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            self.held.append(connection)

    def close(self) -> None:
        """Stop accepting and drop every held connection."""
        self._closing.set()
        self._thread.join(timeout=5)
        for connection in [*self.held, self._listener]:
            connection.close()


@pytest.fixture
def black_hole() -> Iterator[BlackHole]:
    hole = BlackHole()
    yield hole
    hole.close()


def _seed_stuck_deliveries(db_url: str, hook_url: str, count: int) -> None:
    """Outlet WH-A's webhook points at `hook_url`; `count` tickets routed to it, each one delivery to make."""

    async def seed() -> None:
        engine = create_async_db_engine(db_url)
        try:
            network = await build_network(make_session_factory(engine))
            await network.config.configure("WH-A", hook_url)
            for _ in range(count):
                await network.routed_ticket()
        finally:
            await engine.dispose()

    asyncio.run(seed())


def _start_service(tmp_path: Path, db_url: str, **env: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    full_env = dict(os.environ, BOT_VAR_DIR=str(tmp_path), DATABASE_URL=db_url, **env)
    for name in ("RASA_TOKEN", "AGENT_API_TOKEN", "TELEGRAM_TOKEN", "PROVIDER_TELEGRAM_TOKEN", "WECHAT_TOKEN"):
        full_env.pop(name, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port)], cwd=ROOT, env=full_env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        assert proc.poll() is None, proc.communicate()[1].decode(errors="replace")[-3000:]
        assert time.monotonic() < deadline, "bot serve did not answer /healthz in time"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return proc, port
        except OSError:
            time.sleep(0.2)


Stopped = tuple[float, int, str]


def _terminate(proc: subprocess.Popen[bytes], signals: tuple[signal.Signals, ...] = (signal.SIGTERM,)) -> Stopped:
    """Send `signals` half a second apart; seconds from the first until the process exited, its code, its stderr."""
    started = time.monotonic()
    for i, signum in enumerate(signals):
        if i:
            time.sleep(0.5)
        proc.send_signal(signum)
    try:
        _, stderr = proc.communicate(timeout=STOP_BUDGET_S * 3)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, stderr = proc.communicate()
    return time.monotonic() - started, proc.returncode, stderr.decode(errors="replace")


@pytest.mark.slow
def test_sigterm_stops_an_idle_service_at_once(tmp_path: Path, db_url: str) -> None:
    proc, _ = _start_service(tmp_path, db_url)
    elapsed, code, stderr = _terminate(proc)
    assert "Traceback" not in stderr, stderr[-3000:]
    assert code == 0, stderr[-3000:]
    assert elapsed <= STOP_BUDGET_S, f"stopped after {elapsed:.1f}s"


@pytest.mark.slow
@pytest.mark.parametrize("signals", [(signal.SIGTERM,), (signal.SIGINT, signal.SIGTERM)], ids=["term", "int-term"])
def test_sigterm_stops_the_service_while_deliveries_hang_and_a_request_is_held_open(
    tmp_path: Path, db_url: str, black_hole: BlackHole, signals: tuple[signal.Signals, ...]
) -> None:
    _seed_stuck_deliveries(db_url, f"http://127.0.0.1:{black_hole.port}/hook/WH-A", STUCK_DELIVERIES)
    proc, port = _start_service(tmp_path, db_url, WEBHOOK_INTERVAL_S="0.1")
    deadline = time.monotonic() + 30
    while len(black_hole.held) < 8:  # the outbox's deliveries are in flight, waiting for an answer
        assert proc.poll() is None and time.monotonic() < deadline, f"{len(black_hole.held)} deliveries in flight"
        time.sleep(0.1)
    # A client that announced a body and never sends it: aiohttp keeps its connection for the rest.
    with socket.create_connection(("127.0.0.1", port)) as slow_client:
        slow_client.sendall(b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
        time.sleep(0.3)
        elapsed, code, stderr = _terminate(proc, signals)
    assert "Traceback" not in stderr, stderr[-3000:]
    assert code == 0, stderr[-3000:]
    assert elapsed <= STOP_BUDGET_S, f"stopped after {elapsed:.1f}s"

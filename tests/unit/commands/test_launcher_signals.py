"""`run-all` on SIGINT/SIGTERM, whenever it comes: before any child starts, while one is being started, while the
launcher waits for ports, while it supervises, and again during the clean-up. Every child it started is stopped
within the budget (killed if it outlasts it), run-all returns 0 and nothing escapes as a traceback. The children
are small fake processes (a Python one-liner that listens, or does not, or ignores SIGTERM)."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.processes import free_port
from bot import launcher
from bot.launcher import ProcessSpec, run_all
from bot.settings import Settings

BUDGET_S = 10.0
FAKE_CHILD = """
import signal, socket, sys, time
port, mode = int(sys.argv[1]), sys.argv[2]
if mode == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
if mode == "slow-stop":
    def stop_later(signum, frame):
        time.sleep(1.0)
        sys.exit(0)
    signal.signal(signal.SIGTERM, stop_later)
if mode != "silent":
    server = socket.create_server(("127.0.0.1", port))
while True:
    time.sleep(0.05)
"""


def _spec(name: str, mode: str = "listen") -> ProcessSpec:
    port = free_port()
    return ProcessSpec(name, [sys.executable, "-c", FAKE_CHILD, str(port), mode], port)


class Launch:
    """`run_all` on fake children, in a scratch project root; records every child it starts."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.started: list[subprocess.Popen[bytes]] = []
        self.on_popen: Callable[[], None] = lambda: None
        self.seen_signals: list[int] = []

    def run(self, specs: list[ProcessSpec], monkeypatch: pytest.MonkeyPatch) -> tuple[int, float]:
        """`run_all`'s exit code and how long it took."""
        monkeypatch.setattr(launcher, "process_specs", lambda settings, model: specs)
        settings = Settings.from_env({"BOT_VAR_DIR": str(self.root / "var"), "RASA_TOKEN": "r", "AGENT_API_TOKEN": "a"})
        started = time.monotonic()
        code = run_all(settings)
        return code, time.monotonic() - started

    def all_stopped(self) -> bool:
        """Whether every child started has exited (and was reaped)."""
        return all(proc.poll() is not None for proc in self.started)


@pytest.fixture
def launch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Launch]:
    """A scratch root with a "model"; Popen records the children; signals outside run-all's handling are noted."""
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "aftersales.tar.gz").write_bytes(b"")
    monkeypatch.setattr(launcher, "PROJECT_ROOT", tmp_path)
    monkeypatch.chdir(tmp_path)  # run_all changes into its root; the test's directory comes back afterwards
    fixture = Launch(tmp_path)
    real_popen = subprocess.Popen

    def popen(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        proc: subprocess.Popen[bytes] = real_popen(*args, **kwargs)
        fixture.started.append(proc)
        fixture.on_popen()  # e.g. a signal arriving while Popen is still waiting for the child's exec
        return proc

    monkeypatch.setattr(subprocess, "Popen", popen)
    previous = {
        signum: signal.signal(signum, lambda got, _frame: fixture.seen_signals.append(got))
        for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield fixture
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for proc in fixture.started:  # whatever a failed test left running
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def _when_listening(specs: list[ProcessSpec], then: Callable[[], None], after_s: float = 0.3) -> threading.Thread:
    """A thread that waits until every spec's port accepts connections, then `after_s` more, then calls `then`."""

    def watch() -> None:
        deadline = time.monotonic() + 20
        while not all(launcher.listening(spec.port) for spec in specs) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(after_s)
        then()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_a_signal_before_any_child_starts_starts_none(launch: Launch, monkeypatch: pytest.MonkeyPatch) -> None:
    real = launcher.with_local_tokens

    def tokens_then_signal(settings: Settings) -> Any:
        signal.raise_signal(signal.SIGTERM)
        return real(settings)

    monkeypatch.setattr(launcher, "with_local_tokens", tokens_then_signal)
    code, _ = launch.run([_spec("a"), _spec("b")], monkeypatch)
    assert code == 0 and launch.started == []


def test_sigterm_while_a_child_is_being_started_stops_that_child_too(
    launch: Launch, monkeypatch: pytest.MonkeyPatch
) -> None:
    launch.on_popen = lambda: signal.raise_signal(signal.SIGTERM) if len(launch.started) == 2 else None
    code, elapsed = launch.run([_spec("a"), _spec("b"), _spec("c")], monkeypatch)
    assert code == 0
    assert len(launch.started) == 2, "no child is started once a stop was asked for"
    assert launch.all_stopped(), "the child whose Popen the signal interrupted was left running"
    assert elapsed < BUDGET_S


def test_sigterm_while_waiting_for_a_port_stops_every_child(
    launch: Launch, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    specs = [_spec("up"), _spec("never listens", "silent")]
    watcher = _when_listening(specs[:1], lambda: signal.raise_signal(signal.SIGTERM))
    code, elapsed = launch.run(specs, monkeypatch)
    watcher.join()
    assert code == 0 and len(launch.started) == 2 and launch.all_stopped()
    assert elapsed < BUDGET_S
    out = capsys.readouterr().out
    assert "All processes are up" not in out and "All processes stopped." in out


def test_sigterm_while_supervising_stops_every_child(
    launch: Launch, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    specs = [_spec("a"), _spec("b"), _spec("c")]
    # The launcher looks at the ports every 0.5 s: by then it has printed the banner and is watching the children.
    watcher = _when_listening(specs, lambda: signal.raise_signal(signal.SIGTERM), after_s=1.5)
    code, elapsed = launch.run(specs, monkeypatch)
    watcher.join()
    assert code == 0 and len(launch.started) == 3 and launch.all_stopped()
    assert elapsed < BUDGET_S
    out = capsys.readouterr().out
    assert "All processes are up" in out and "Stopping…" in out and "All processes stopped." in out


def test_more_signals_during_the_clean_up_do_not_abort_it(launch: Launch, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C, then an impatient SIGTERM or three while the children take a second to stop."""
    specs = [_spec("a", "slow-stop"), _spec("b", "slow-stop")]
    returned = threading.Event()

    def storm() -> None:
        for signum in [signal.SIGTERM, signal.SIGINT, signal.SIGTERM, signal.SIGTERM] * 4:
            if returned.is_set():
                return
            signal.raise_signal(signum)
            time.sleep(0.1)

    watcher = _when_listening(specs, storm)
    try:
        code, elapsed = launch.run(specs, monkeypatch)
    finally:
        returned.set()
        watcher.join()
    assert code == 0 and len(launch.started) == 2 and launch.all_stopped()
    assert [proc.returncode for proc in launch.started] == [0, 0], "each child finished its own clean-up"
    assert elapsed < BUDGET_S


def test_run_all_puts_back_the_signal_handlers_it_found(launch: Launch, monkeypatch: pytest.MonkeyPatch) -> None:
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    launch.on_popen = lambda: signal.raise_signal(signal.SIGINT)
    code, _ = launch.run([_spec("a")], monkeypatch)
    assert code == 0 and (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before


def test_a_child_that_ignores_sigterm_is_killed_when_its_time_is_up(capsys: pytest.CaptureFixture[str]) -> None:
    assert launcher.STOP_TIMEOUT_S <= BUDGET_S - 1.5, "the children's share leaves time to kill and reap them"
    stubborn, polite = _spec("stubborn", "stubborn"), _spec("polite")
    children = [(spec, subprocess.Popen(spec.argv)) for spec in (stubborn, polite)]
    try:
        deadline = time.monotonic() + 20
        while not all(launcher.listening(spec.port) for spec in (stubborn, polite)):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        started = time.monotonic()
        launcher.stop_children(children, timeout_s=1.0)
        elapsed = time.monotonic() - started
    finally:
        for _, proc in children:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert [proc.returncode for _, proc in children] == [-signal.SIGKILL, -signal.SIGTERM]
    assert 1.0 <= elapsed < 2.0
    assert "stubborn did not stop within 1s; killing it" in capsys.readouterr().out

"""Server processes for the benchmarks: free ports, children in their own process group that always stop, RSS."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.launcher import listening

logger = logging.getLogger(__name__)

STOP_TIMEOUT_S = 20.0


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Child:
    """A child process in a process group of its own (so that its children stop with it), logging to a file."""

    def __init__(self, name: str, argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], log: Path) -> None:
        """Launch it now; `started` is the launch instant (time.perf_counter)."""
        self.name = name
        self.log_path = log
        self._log = log.open("wb")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            list(argv), cwd=cwd, env=dict(env), stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        """Process id (also the id of its process group)."""
        return self.proc.pid

    def alive(self) -> bool:
        """Whether it still runs."""
        return self.proc.poll() is None

    def log_tail(self, chars: int = 3000) -> str:
        """The end of its output, for error messages."""
        return self.log_path.read_text(errors="replace")[-chars:]

    def wait_listening(self, port: int, timeout_s: float) -> float:
        """Block until it listens on `port`; seconds since launch. Raises if it exits or takes too long."""
        deadline = time.monotonic() + timeout_s
        while not listening(port):
            if not self.alive():
                raise RuntimeError(f"{self.name} exited with code {self.proc.returncode}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not listen on {port} within {timeout_s:.0f}s:\n{self.log_tail()}")
            time.sleep(0.2)
        return time.perf_counter() - self.started

    def stop(self) -> None:
        """SIGTERM its process group, SIGKILL whatever is left after a grace period."""
        try:
            if self.alive():
                os.killpg(self.proc.pid, signal.SIGTERM)
                try:
                    self.proc.wait(timeout=STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    logger.warning("bench.kill %s did not stop in %.0fs", self.name, STOP_TIMEOUT_S)
            try:  # stragglers of the group (workers), and the leader if it did not stop
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=STOP_TIMEOUT_S)
        finally:
            self._log.close()


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    stack = [pid]
    while stack:
        current = stack.pop()
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                kids = [int(k) for k in children.read_text().split()]
            except OSError:
                continue
            found += kids
            stack += kids
    return found


def rss_mb(pid: int) -> float:
    """Resident memory (VmRSS) of a process and all its descendants, in MiB, from /proc."""
    total_kb = 0
    for member in [pid, *_descendants(pid)]:
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:  # exited meanwhile
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total_kb += int(line.split()[1])
    return round(total_kb / 1024, 1)

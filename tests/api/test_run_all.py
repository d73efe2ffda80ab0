"""`make run`'s launcher: every process starts on the embedded defaults, answers, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "aftersales.tar.gz"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.3):
            return True
    except OSError:
        return False


@pytest.mark.slow
def test_run_all_serves_and_stops_cleanly(tmp_path: Path) -> None:
    assert MODEL.exists(), "no trained model: run `make train` (make test trains before running tests)"
    ports = {"RASA_PORT": _free_port(), "ACTION_SERVER_PORT": _free_port(), "SERVICE_PORT": _free_port()}
    env = dict(os.environ, BOT_VAR_DIR=str(tmp_path), **{k: str(v) for k, v in ports.items()})
    env.pop("DATABASE_URL", None)
    env.pop("ACTION_SERVER_URL", None)
    subprocess.run([sys.executable, "-m", "bot", "seed", "--outlets", "60", "--seed", "3"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=120)
    log = (tmp_path / "run.log").open("w+")
    proc = subprocess.Popen([sys.executable, "-m", "bot", "run-all"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 240
        while "All processes are up" not in (tmp_path / "run.log").read_text(errors="replace"):
            assert proc.poll() is None, (tmp_path / "run.log").read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "processes did not come up in time"
            time.sleep(1)
        with urllib.request.urlopen(f"http://127.0.0.1:{ports['SERVICE_PORT']}/healthz", timeout=10) as response:
            assert json.load(response)["database"] == "up"
        request = urllib.request.Request(
            f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/webhook",
            data=json.dumps({"sender": "e2e", "message": "你好"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            replies = json.load(response)
        assert replies and any("\u4e00" <= ch <= "\u9fff" for ch in replies[0]["text"]), replies
        assert (tmp_path / "tracker.db").exists()
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=60)
    output = (tmp_path / "run.log").read_text(errors="replace")
    assert code == 0, output[-3000:]
    assert "All processes stopped." in output
    assert not any(_listening(port) for port in ports.values())

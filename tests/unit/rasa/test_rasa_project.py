"""The Rasa project itself: its data validates, and the trained model understands both languages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT

MODEL = PROJECT_ROOT / "models" / "aftersales.tar.gz"
RASA = Path(sys.executable).parent / "rasa"


@pytest.mark.slow
def test_rasa_data_validates_without_warnings() -> None:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "validate"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "language"),
    [("空调不制冷了", "zh"), ("my laptop won't charge", "en")],
)
async def test_trained_model_recognises_a_fault_in_both_languages(text: str, language: str) -> None:
    assert MODEL.exists(), f"{MODEL} is missing: train it first (`make train`; `make test` does this)"
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL))

    parsed = await agent.parse_message(text)

    assert parsed["intent"]["name"] == "report_fault", parsed["intent"]
    languages = [e["value"] for e in parsed["entities"] if e["entity"] == "language"]
    assert languages == [language]

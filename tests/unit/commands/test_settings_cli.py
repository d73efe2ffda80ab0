"""Settings from the environment and the command line's shape."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser
from bot.settings import Settings


def test_embedded_defaults() -> None:
    settings = Settings.from_env({"BOT_VAR_DIR": "/tmp/v"})
    assert settings.database_url == "sqlite:////tmp/v/aftersales.db"
    assert settings.tracker_database_url == "sqlite:////tmp/v/tracker.db"
    assert settings.redis_url is None and settings.rabbitmq_url is None
    assert settings.service_port == 8080


def test_production_urls_from_environment() -> None:
    settings = Settings.from_env(
        {"DATABASE_URL": "postgresql://u@db/app", "REDIS_URL": "redis://r:6379/0", "SERVICE_PORT": "9000"}
    )
    assert settings.database_url == settings.tracker_database_url == "postgresql://u@db/app"
    assert settings.redis_url == "redis://r:6379/0" and settings.service_port == 9000


def test_parser_knows_the_contract_commands() -> None:
    parser = build_parser()
    assert parser.parse_args(["seed", "--outlets", "5", "--seed", "3"]).outlets == 5
    assert parser.parse_args(["migrate", "--down", "base"]).down == "base"
    assert parser.parse_args(["serve", "--port", "8081"]).port == 8081


def test_help_runs_as_a_module() -> None:
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run([sys.executable, "-m", "bot", "--help"], cwd=root, capture_output=True, text=True, check=True)
    assert "seed" in out.stdout and "serve" in out.stdout and "migrate" in out.stdout


def test_feature_variables_reach_settings_extra() -> None:
    settings = Settings.from_env({"CHAT_RASA_URL": "https://bot.example.com/rasa", "SLA_SWEEP_INTERVAL_S": "0",
                                  "UNRELATED": "x"})
    assert dict(settings.extra) == {"CHAT_RASA_URL": "https://bot.example.com/rasa", "SLA_SWEEP_INTERVAL_S": "0"}


def test_feature_variables_are_typed_with_their_defaults() -> None:
    unset = Settings.from_env({})
    assert unset.chat_rasa_url is None and unset.chat_frame_ancestors is None
    assert unset.sla_sweep_interval_s == 60.0
    given = Settings.from_env({"CHAT_RASA_URL": " https://bot.example.com/rasa ", "SLA_SWEEP_INTERVAL_S": "0.5",
                               "CHAT_FRAME_ANCESTORS": "https://brand.example.com"})
    assert given.chat_rasa_url == "https://bot.example.com/rasa"
    assert given.chat_frame_ancestors == "https://brand.example.com" and given.sla_sweep_interval_s == 0.5
    assert Settings.from_env({"SLA_SWEEP_INTERVAL_S": "-3"}).sla_sweep_interval_s == 0.0
    with pytest.raises(ValueError, match="SLA_SWEEP_INTERVAL_S must be a number of seconds"):
        _ = Settings.from_env({"SLA_SWEEP_INTERVAL_S": "soon"}).sla_sweep_interval_s

"""The launcher's local tokens and banner: generated once, kept private, reused, never printed."""

from __future__ import annotations

import stat
from pathlib import Path

from bot.launcher import LOCAL_TOKENS_FILE, process_specs, ready_banner, with_local_tokens
from bot.settings import Settings


def test_tokens_are_generated_once_kept_private_and_reused(tmp_path: Path) -> None:
    settings = Settings.from_env({"BOT_VAR_DIR": str(tmp_path)})
    first, path = with_local_tokens(settings)
    assert path == tmp_path / LOCAL_TOKENS_FILE
    assert first.rasa_token and first.agent_api_token and first.rasa_token != first.agent_api_token
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second, _ = with_local_tokens(settings)
    assert (second.rasa_token, second.agent_api_token) == (first.rasa_token, first.agent_api_token)
    banner = ready_banner(first, path)
    assert first.rasa_token not in banner and first.agent_api_token not in banner
    assert str(path) in banner and "rasa shell" in banner


def test_tokens_from_the_environment_win_and_nothing_is_written(tmp_path: Path) -> None:
    settings = Settings.from_env({"BOT_VAR_DIR": str(tmp_path), "RASA_TOKEN": "r", "AGENT_API_TOKEN": "a"})
    same, path = with_local_tokens(settings)
    assert path is None and (same.rasa_token, same.agent_api_token) == ("r", "a")
    assert not (tmp_path / LOCAL_TOKENS_FILE).exists()


def test_rasa_api_is_enabled_with_a_token_and_the_action_server_is_ours(tmp_path: Path) -> None:
    settings, _ = with_local_tokens(Settings.from_env({"BOT_VAR_DIR": str(tmp_path), "RASA_CREDENTIALS": "c.yml"}))
    specs = {spec.name: spec for spec in process_specs(settings, tmp_path / "model.tar.gz")}
    rasa = specs["rasa"].argv
    assert "--enable-api" in rasa and rasa[rasa.index("--credentials") + 1] == "c.yml"
    assert specs["action server"].argv[1:3] == ["-m", "actions.server"]


def test_a_token_that_starts_with_a_dash_reaches_rasa_intact_and_never_the_command_line(tmp_path: Path) -> None:
    """`secrets.token_urlsafe` may start with "-": Rasa's argument parser must still read it as the token; the
    token goes by the environment, so `ps` never shows it."""
    from dataclasses import replace

    from rasa.__main__ import create_argument_parser

    from bot.rasa_entry import with_token

    settings = replace(Settings.from_env({"BOT_VAR_DIR": str(tmp_path)}), rasa_token="-starts-with-a-dash")
    argv = {spec.name: spec for spec in process_specs(settings, tmp_path / "m.tar.gz")}["rasa"].argv
    assert argv[1:4] == ["-m", "bot.rasa_entry", "run"]
    assert not any("-starts-with-a-dash" in a for a in argv)
    inside = with_token(argv[3:], {"RASA_TOKEN": "-starts-with-a-dash"})
    parsed = create_argument_parser().parse_args(inside)
    assert parsed.auth_token == "-starts-with-a-dash" and parsed.enable_api
    assert with_token(["run"], {"RASA_TOKEN": "t"}) == ["run"]  # no API, no token
    assert with_token(["run", "--enable-api", "--auth-token=x"], {"RASA_TOKEN": "t"}).count("--auth-token=x") == 1

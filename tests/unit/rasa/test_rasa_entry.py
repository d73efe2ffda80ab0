"""The Rasa entry point's performance fix validates action-server responses exactly as Rasa 3.6 does."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot.launcher import process_specs
from bot.rasa_entry import install_fast_action_validation
from bot.settings import Settings

RESPONSES: list[Any] = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "brand", "value": "gree"}], "responses": [{"text": "好的"}]},
    {"events": [{"event": "action", "name": "utter_greet"}, {"event": "followup", "name": "action_x"}]},
    {"events": "not a list"},
    {"events": [{"event": "no_such_event"}]},
    {"responses": "nope"},
    {"events": [{"name": "missing the event key"}]},
    ["not", "an", "object"],
]


def _outcome(validate: Any, result: Any) -> str:
    try:
        validate(result)
        return "valid"
    except jsonschema.ValidationError as error:
        return f"invalid: {error.message}"


@pytest.mark.parametrize("result", RESPONSES)
def test_same_verdict_and_message_as_rasa(result: Any) -> None:
    action = RemoteAction("action_x", None)
    expected = _outcome(lambda r: RemoteAction._validate_action_result(action, r), result)
    original = RemoteAction._validate_action_result
    try:
        install_fast_action_validation()
        install_fast_action_validation()  # idempotent
        assert RemoteAction._validate_action_result is not original
        assert _outcome(lambda r: action._validate_action_result(r), result) == expected
    finally:
        RemoteAction._validate_action_result = original  # type: ignore[method-assign]
        delattr(RemoteAction, "_aftersales_fast_validation")


def test_make_run_starts_rasa_through_the_entry_point(tmp_path: Any) -> None:
    specs = {spec.name: spec for spec in process_specs(Settings.from_env({}), tmp_path / "m.tar.gz")}
    assert specs["rasa"].argv[1:4] == ["-m", "bot.rasa_entry", "run"]

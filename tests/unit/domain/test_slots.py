"""Slot names in Python are the constants of `bot.domain.slots`: one per slot of domain.yml, and no other."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

from bot.domain import slots

ROOT = Path(__file__).resolve().parents[3]


def _constants() -> dict[str, str]:
    return {name: value for name, value in vars(slots).items() if name.isupper() and isinstance(value, str)}


def test_every_constant_is_a_slot_of_the_domain_and_every_slot_has_one() -> None:
    domain_slots = set(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["slots"])
    constants = _constants()
    assert set(constants.values()) == domain_slots
    assert all(name == value.upper() for name, value in constants.items())
    assert len(set(constants.values())) == len(constants)


def test_actions_name_slots_by_their_constants() -> None:
    """`get_slot("…")` and `SlotSet("…", …)` with a literal name are what the constants replaced."""
    literal = []
    for path in sorted((ROOT / "actions").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args or not isinstance(node.args[0], ast.Constant):
                continue
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called in ("get_slot", "SlotSet"):
                literal.append(f"{path.relative_to(ROOT)}:{node.lineno} {called}({node.args[0].value!r})")
    assert literal == []

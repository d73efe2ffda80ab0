"""Rasa picks at random among the conditional variations of a response that match: they must never overlap."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[3]


def _can_match_together(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    wanted_a = {c["name"]: c["value"] for c in a}
    wanted_b = {c["name"]: c["value"] for c in b}
    return all(wanted_a[name] == wanted_b[name] for name in wanted_a.keys() & wanted_b.keys())


def test_conditional_variations_never_overlap() -> None:
    responses = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    overlapping = []
    for name, variations in responses.items():
        conditional = [v for v in variations if v.get("condition")]
        for one, other in combinations(conditional, 2):
            if one.get("channel") == other.get("channel") and _can_match_together(one["condition"], other["condition"]):
                overlapping.append(f"{name}: {one['condition']} / {other['condition']}")
    assert overlapping == []


def test_the_check_sees_an_overlap() -> None:
    pending = [{"type": "slot", "name": "place_check", "value": "pending"}]
    english = [{"type": "slot", "name": "language", "value": "en"}]
    assert _can_match_together(pending, [*pending, *english])  # the overlap this stop had: random language
    assert not _can_match_together([*pending, *english], [{"type": "slot", "name": "place_check", "value": None}])

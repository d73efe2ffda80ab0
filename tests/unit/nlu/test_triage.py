"""The `triage` command: category mapping, bad input, and the output contract on the trained model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.domain.taxonomy import Category
from bot.nlu.intents.categories import category_for_intent
from bot.nlu.intents.triage import read_items, result_from_parse, sanitise

ROOT = Path(__file__).resolve().parents[3]
MODEL = ROOT / "models" / "aftersales.tar.gz"
CATEGORIES = {c.value for c in Category}


def test_every_category_is_its_own_intent_and_dialogue_intents_are_out_of_scope() -> None:
    for category in Category:
        assert category_for_intent(category.value) is category
    for intent in ("affirm", "deny", "thank", "goodbye", "inform", "choose", "nlu_fallback", "nonsense", None):
        assert category_for_intent(intent) is Category.OUT_OF_SCOPE


def test_sanitise_replaces_surrogates_and_controls() -> None:
    assert sanitise("a\ud800b\x00c\x1b") == "a\ufffdb c "
    assert sanitise(None) == "" and sanitise(12) == "12"


def test_read_items_survives_broken_lines() -> None:
    lines = ['{"id": 1, "text": "hi"}', "not json", "[1, 2]", "", '{"id": 2}']
    assert list(read_items(lines)) == [(1, "hi"), (None, None), (None, None), (2, "")]


def test_result_skips_fallback_and_moves_language_and_urgency_out_of_entities() -> None:
    parsed = {
        "intent": {"name": "nlu_fallback", "confidence": 0.3},
        "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "thank", "confidence": 0.25}],
        "entities": [
            {"entity": "language", "value": "en", "start": 0, "end": 6},
            {"entity": "urgency", "value": "safety", "start": 0, "end": 5},
            {"entity": "brand", "value": "gree", "start": 0, "end": 2, "extractor": "X"},
        ],
    }
    result = result_from_parse("x", "thanks", parsed)
    assert result["intent"] == "thank" and result["category"] == "out_of_scope"
    assert result["language"] == "en" and result["urgency"] == "safety"
    assert result["entities"] == [{"entity": "brand", "value": "gree", "start": 0, "end": 2}]


@pytest.mark.slow
def test_triage_command_writes_one_valid_line_per_input(tmp_path: Path) -> None:
    assert MODEL.exists(), "no trained model: run `make train` (make test trains first)"
    items = [
        {"id": "zh", "text": "格力空调刚装好就不制冷，售后电话打了两天没人来"},
        {"id": "en", "text": "@brand my laptop won't charge, where's the service centre in Pune"},
        {"id": "mixed", "text": "我的iPhone屏幕碎了 how much to fix"},
        {"id": "empty", "text": ""},
        {"id": "blank", "text": "   \n\t "},
        {"id": "long", "text": "坏" * 10_000},
        {"id": "emoji", "text": "😡😡😡🙏"},
        {"id": "control", "text": "\x00\x01\x02"},
        {"id": "slash", "text": "/greet"},
        {"id": "phone", "text": "我的电话13812345678，空调不制冷"},
    ]
    raw = "\n".join(json.dumps(item, ensure_ascii=False) for item in items)
    raw += '\n{"id": "surrogate", "text": "bad \\ud800 text"}\nnot json at all\n'
    source, sink = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text(raw, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "bot", "triage", "--input", str(source), "--output", str(sink)],
                          cwd=ROOT, check=True, capture_output=True, timeout=300)
    assert b"13812345678" not in proc.stdout + proc.stderr, "customer text leaked into the logs"
    lines = [json.loads(line) for line in sink.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == [i["id"] for i in items] + ["surrogate", None]
    for line in lines:
        assert set(line) == {"id", "language", "category", "intent", "confidence", "urgency", "entities"}
        assert line["language"] in {"zh", "en", "mixed"} and line["category"] in CATEGORIES
        assert line["urgency"] in {"safety", "high", "normal"} and 0.0 <= line["confidence"] <= 1.0
    by_id = {line["id"]: line for line in lines}
    for bad in ("empty", "blank", "long", "emoji", "control"):
        assert by_id[bad]["category"] == "out_of_scope" and by_id[bad]["confidence"] == 0.0
    assert by_id["zh"]["language"] == "zh" and by_id["en"]["language"] == "en"
    assert by_id["mixed"]["language"] == "mixed"
    assert by_id["slash"]["intent"] != "greet" or by_id["slash"]["confidence"] < 1.0

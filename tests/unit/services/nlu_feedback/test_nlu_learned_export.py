"""`python -m bot nlu export-learned`: Rasa YAML that round-trips through Rasa's loader, masked texts only, a
deterministic held-out slice disjoint from the training files, and texts already known left out."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.commands.nlu_learned import (
    is_heldout,
    language_file,
    plan_export,
    render_nlu_yaml,
    run_export_learned,
    yaml_safe_text,
)
from bot.services.nlu_feedback.fields import text_hash
from bot.services.nlu_feedback.service import NluFeedbackService
from bot.services.nlu_feedback.types import LearnedExample

PROJECT_ROOT = Path(__file__).resolve().parents[4]
RAW_PII = ("13812345678", "zhang@qq.com", "王小明", "Baker Street", "AS-20261201-7KQ4MZ", "490154203237518",
           "07911 123456", "Tom Hanks")


def _load(path: Path) -> list[tuple[str, str, list[object]]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [(m.get("text"), m.get("intent"), list(m.get("entities") or [])) for m in data.intent_examples]


def _texts() -> list[tuple[str, str]]:
    """(raw text, label): 30 distinct zh and en messages, most with personal data in them."""
    zh = [(f"我叫王小明，电话13812345678，第{i}台空调不制冷", "report_fault") for i in range(1, 9)]
    zh += [(f"工单AS-20261201-7KQ4MZ第{i}次催了还没人上门", "complaint") for i in range(1, 6)]
    zh += [(f"我的 iPhone {i} 想退货，邮箱 zhang@qq.com", "return_refund") for i in range(1, 4)]
    en = [(f"my name is Tom Hanks, fridge {i} is warm, call 07911 123456", "report_fault") for i in range(1, 8)]
    en += [(f"live at 12 Baker Street, need install of unit {i}", "installation_request") for i in range(1, 6)]
    en += [("IMEI 490154203237518 [cracked](part) screen", "parts_availability"),
           ("link [here][1] and {json} stuff", "out_of_scope")]
    return zh + en


async def _export(db_url: str, **kwargs: Any) -> int:
    """The command's export (it runs its own event loop: off the test's loop, in a thread)."""
    return await asyncio.to_thread(lambda: run_export_learned(db_url, **kwargs))


async def _accepted_world(db_url: str, session_factory) -> NluFeedbackService:  # type: ignore[no-untyped-def]
    service = NluFeedbackService(session_factory)
    for number, (text, label) in enumerate(_texts(), start=1):
        key = f"{1_800_000_000 + number}.0"
        await service.record_uncertain(conversation_id=f"tg:{number}", message_key=key, channel="telegram",
                                       text=text, language="zh", predicted="out_of_scope", confidence=0.3,
                                       candidates=[])
        await service.record_label(conversation_id=f"tg:{number}", message_key=key, label=label, source="customer",
                                   actor="customer")
        example = (await service.review_queue(limit=1))[0]
        await service.review(example.id, decision="accept", label=None, supervisor="sam")
    return service


@pytest.fixture
def known(tmp_path: Path) -> tuple[Path, Path]:
    """A training directory with one of the learned texts already in it, and a held-out directory."""
    training = tmp_path / "data" / "nlu"
    (training / "zh").mkdir(parents=True)
    (training / "zh" / "faults.yml").write_text(
        'version: "3.1"\nnlu:\n  - intent: report_fault\n    examples: |\n'
        "      - 我叫[name]，电话[phone]，第1台[空调](product_category)不制冷\n", encoding="utf-8")
    heldout = tmp_path / "tests" / "nlu"
    heldout.mkdir(parents=True)
    (heldout / "heldout_en.yml").write_text(
        'version: "3.1"\nnlu:\n  - intent: report_fault\n    examples: |\n'
        "      - my name is [name], fridge 2 is warm, call [phone]\n", encoding="utf-8")
    return training, heldout


async def test_export_round_trips_through_rasa_and_holds_no_pii(
    db_url: str, session_factory, known: tuple[Path, Path], tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    training_dir, heldout_dir = known
    await _accepted_world(db_url, session_factory)
    out_dir = training_dir / "learned"
    printed = io.StringIO()
    assert await _export(db_url, since=None, min_agreement=0.5, out_dir=out_dir, heldout_dir=heldout_dir,
                         training_dir=training_dir, out=printed) == 0
    report = printed.getvalue()
    assert "30 accepted examples" in report and "2 already in the training or held-out data" in report
    for raw in [*RAW_PII, "[name]", "空调", "fridge"]:
        assert raw not in report  # counts only, never a text

    files = {name: out_dir / f"{name}.yml" for name in ("zh", "en")}
    files |= {f"heldout_{name}": heldout_dir / f"learned_heldout_{name}.yml" for name in ("zh", "en")}
    loaded = {name: _load(path) for name, path in files.items()}
    everything = [row for rows in loaded.values() for row in rows]
    assert len(everything) == 28  # 30 minus the two already known
    for text, intent, entities in everything:
        assert entities == [], text  # no "[x](y)" survives as an entity annotation
        assert intent in {"report_fault", "complaint", "return_refund", "installation_request",
                          "parts_availability", "out_of_scope"}
        for raw in RAW_PII:
            assert raw not in text
    contents = "".join(path.read_text(encoding="utf-8") for path in files.values())
    for raw in RAW_PII:
        assert raw not in contents
    assert "[cracked] (part)" in contents and "[here] [1]" in contents

    training = {t for name in ("zh", "en") for t, _, _ in loaded[name]}
    heldout = {t for name in ("heldout_zh", "heldout_en") for t, _, _ in loaded[name]}
    assert training and heldout and not training & heldout
    for text in training | heldout:
        assert is_heldout(text_hash(text)) == (text in heldout)
    assert all(language_file(t) == "zh" for t, _, _ in loaded["zh"] + loaded["heldout_zh"])
    assert all(language_file(t) == "en" for t, _, _ in loaded["en"] + loaded["heldout_en"])

    before = contents
    await _export(db_url, since=None, min_agreement=0.5, out_dir=out_dir, heldout_dir=heldout_dir,
                  training_dir=training_dir, out=io.StringIO())
    assert "".join(path.read_text(encoding="utf-8") for path in files.values()) == before  # deterministic


async def test_empty_export_is_valid_yaml_rasa_loads(db_url: str, known: tuple[Path, Path]) -> None:
    training_dir, heldout_dir = known
    out_dir = training_dir / "learned"
    await _export(db_url, since=None, min_agreement=0.5, out_dir=out_dir, heldout_dir=heldout_dir,
                  training_dir=training_dir, out=io.StringIO())
    for path in (out_dir / "zh.yml", out_dir / "en.yml", heldout_dir / "learned_heldout_zh.yml"):
        assert "nlu: []" in path.read_text(encoding="utf-8") and _load(path) == []


def test_the_repository_learned_files_load() -> None:
    for name in ("zh", "en"):
        path = PROJECT_ROOT / "data" / "nlu" / "learned" / f"{name}.yml"
        assert path.exists(), "make train reads data/nlu/learned/*.yml"
        _load(path)


@pytest.mark.parametrize(("text", "safe"), [
    ("one\nline\u2028two\u0085three\x0bfour\tfive", "one line two three four five"),
    ("[phone](call me)", "[phone] (call me)"),
    ('[a]{"entity": "x"} and [b][c]', '[a] {"entity": "x"} and [b] [c]'),
    ("  - leading dash kept  ", "- leading dash kept"),
    ("# not a comment: inside a block", "# not a comment: inside a block"),
    ("\x00\x01 \ufeff", None),
])
def test_yaml_safe_text(text: str, safe: str | None) -> None:
    assert yaml_safe_text(text) == safe


def test_awkward_texts_round_trip(tmp_path: Path) -> None:
    texts = [yaml_safe_text(t) or "" for t in ("- dash", "# hash", "colon: value", "'quoted' \"double\"", "a | b >",
                                             "[phone] [email]", "emoji 😡👍🏻", "tab\there", "%percent {braces}")]
    path = tmp_path / "awkward.yml"
    path.write_text(render_nlu_yaml({"complaint": texts}), encoding="utf-8")
    assert [(t, i) for t, i, _ in _load(path)] == [(t, "complaint") for t in texts]


def test_plan_drops_disagreeing_copies_and_keeps_one_of_agreeing_ones() -> None:
    def example(id_: int, text: str, label: str) -> LearnedExample:
        return LearnedExample(id_, text, text_hash(text), "en", label, 1.0, None)

    plan = plan_export([example(1, "tv broken", "report_fault"), example(2, "TV  broken", "report_fault"),
                        example(3, "where is it", "ticket_status"), example(4, "where is it", "complaint")], set())
    placed = [t for part in (plan.training, plan.heldout) for by_label in part.values() for texts in by_label.values()
              for t in texts]
    assert placed == ["tv broken"] and plan.conflicting == 2


async def test_cli_export_learned(db_url: str, session_factory, tmp_path: Path,  # type: ignore[no-untyped-def]
                                  monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    await _accepted_world(db_url, session_factory)
    monkeypatch.setenv("DATABASE_URL", db_url)
    out_dir, heldout_dir = tmp_path / "learned", tmp_path / "heldout"
    code = await asyncio.to_thread(main, ["nlu", "export-learned", "--min-agreement", "0.9", "--out-dir", str(out_dir),
                                          "--heldout-dir", str(heldout_dir)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "30 accepted examples with agreement >= 0.9" in printed and "zh: training" in printed
    assert (out_dir / "zh.yml").exists() and (heldout_dir / "learned_heldout_en.yml").exists()
    assert await asyncio.to_thread(main, ["nlu", "export-learned", "--since", "yesterday"]) == 2

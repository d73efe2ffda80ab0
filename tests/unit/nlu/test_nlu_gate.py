"""The model gate: macro-F1 and the pass/refuse decision on given figures, the evaluation sets, the command's edge
cases, and the real command refusing a deliberately worse copy of the trained model."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from bot.commands.nlu_learned import evaluation_sets, render_nlu_yaml, run_gate
from bot.nlu.model.gate import (
    HELDOUT,
    LEARNED_HELDOUT,
    MIN_LEARNED_EXAMPLES,
    SetScore,
    decide,
    macro_f1,
    refusal_message,
)

PROJECT_ROOT = Path(__file__).resolve().parents[3]
MODEL = PROJECT_ROOT / "models" / "aftersales.tar.gz"
REFUSAL = re.compile(
    r"refusing the new model: held-out macro-F1 (\d\.\d{3}) < current (\d\.\d{3}) \u2212 0\.01; "
    r"keep the current model or retrain with NLU_GATE=off"
)


def test_macro_f1() -> None:
    assert macro_f1(["a", "a", "b", "b"], ["a", "a", "b", "b"]) == 1.0
    # a: P 1/2, R 1/2 → F1 0.5; b: P 1/2, R 1/2 → 0.5
    assert macro_f1(["a", "a", "b", "b"], ["a", "b", "a", "b"]) == 0.5
    # b never predicted: F1 0; a: P 2/4, R 1 → 2/3; the macro average over the gold categories a and b
    assert macro_f1(["a", "a", "b", "b"], ["a", "a", "a", "a"]) == pytest.approx((2 / 3 + 0) / 2)
    # a category only predicted (c) is not averaged in, but costs its gold category the recall
    assert macro_f1(["a", "a"], ["a", "c"]) == pytest.approx(2 / 3)
    assert macro_f1([], []) == 0.0
    with pytest.raises(ValueError):
        macro_f1(["a"], [])


@pytest.mark.parametrize(("current", "candidate", "passed"), [
    (0.951, 0.951, True), (0.951, 0.960, True), (0.951, 0.941, True), (0.951, 0.9409, False), (0.951, 0.912, False),
])
def test_decision_on_one_set(current: float, candidate: float, passed: bool) -> None:
    decision = decide([SetScore(HELDOUT, 330, current, candidate)], tolerance=0.01)
    assert decision.passed is passed
    if not passed:
        assert decision.failing is not None and decision.failing.name == HELDOUT


def test_refusal_message_names_the_set_and_both_figures() -> None:
    decision = decide([SetScore(HELDOUT, 330, 0.951, 0.912)], tolerance=0.01)
    assert decision.message == ("refusing the new model: held-out macro-F1 0.912 < current 0.951 \u2212 0.01; "
                                "keep the current model or retrain with NLU_GATE=off")
    assert REFUSAL.fullmatch(decision.message)
    assert refusal_message(SetScore(LEARNED_HELDOUT, 25, 0.8, 0.7), 0.02).startswith(
        "refusing the new model: learned held-out macro-F1 0.700 < current 0.800 \u2212 0.02;")


def test_every_set_must_pass_and_the_first_failure_is_named() -> None:
    scores = [SetScore(HELDOUT, 330, 0.90, 0.91), SetScore(LEARNED_HELDOUT, 40, 0.80, 0.70)]
    decision = decide(scores, tolerance=0.01)
    assert not decision.passed and "learned held-out macro-F1 0.700 < current 0.800" in decision.message
    assert decide(scores, tolerance=0.2).passed
    both = decide([SetScore(HELDOUT, 330, 0.9, 0.5), SetScore(LEARNED_HELDOUT, 40, 0.8, 0.1)], tolerance=0.0)
    assert both.failing is not None and both.failing.name == HELDOUT


def test_no_current_model_passes() -> None:
    decision = decide([SetScore(HELDOUT, 330, None, 0.1)])
    assert decision.passed and "no current model" in decision.message
    with pytest.raises(ValueError):
        decide([SetScore(HELDOUT, 1, 0.5, 0.5)], tolerance=-0.1)


def _write_set(path: Path, count: int) -> None:
    labels = ["report_fault", "complaint"]
    examples: dict[str, list[str]] = {label: [] for label in labels}
    for index in range(count):
        examples[labels[index % 2]].append(f"example number {index}")
    path.write_text(render_nlu_yaml(examples), encoding="utf-8")


def test_learned_heldout_counts_from_twenty_examples(tmp_path: Path) -> None:
    _write_set(tmp_path / "heldout_en.yml", 6)
    _write_set(tmp_path / "learned_heldout_en.yml", MIN_LEARNED_EXAMPLES - 1)
    (tmp_path / "learned_heldout_zh.yml").write_text(render_nlu_yaml({}), encoding="utf-8")
    sets = evaluation_sets(tmp_path)
    assert [(s.name, len(s.texts)) for s in sets] == [(HELDOUT, 6)]
    assert set(sets[0].gold) == {"report_fault", "complaint"}
    _write_set(tmp_path / "learned_heldout_zh.yml", 1)  # together 20
    assert [(s.name, len(s.texts)) for s in evaluation_sets(tmp_path)] == [(HELDOUT, 6), (LEARNED_HELDOUT, 20)]
    with pytest.raises(FileNotFoundError):
        evaluation_sets(tmp_path / "nowhere")


def test_gate_without_a_current_model_passes_and_without_a_candidate_fails(tmp_path: Path) -> None:
    candidate = tmp_path / "candidate.tar.gz"
    candidate.write_bytes(b"not loaded")
    out, err = io.StringIO(), io.StringIO()
    assert run_gate(candidate, tmp_path / "missing.tar.gz", heldout_dir=tmp_path, out=out, err=err) == 0
    assert "no current model" in out.getvalue()
    assert run_gate(tmp_path / "nope.tar.gz", candidate, heldout_dir=tmp_path, out=out, err=err) == 2
    assert "no candidate model" in err.getvalue()


@pytest.mark.slow
def test_a_current_model_this_code_cannot_load_is_replaced(tmp_path: Path) -> None:
    for path in sorted((PROJECT_ROOT / "tests" / "nlu").glob("heldout_*.yml")):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    broken = tmp_path / "current.tar.gz"
    broken.write_bytes(b"not a model archive")
    out, err = io.StringIO(), io.StringIO()
    assert run_gate(broken, broken, heldout_dir=tmp_path, out=out, err=err) == 0
    assert "does not load with this code" in err.getvalue() and "accepting the new model" in err.getvalue()


def _worse_copy(model: Path, workdir: Path) -> Path:
    """The trained model with its intent labels permuted: every prediction lands on another intent."""
    import numpy as np

    unpacked = workdir / "unpacked"
    with tarfile.open(model) as archive:
        archive.extractall(unpacked)  # noqa: S202 - our own model archive
    weights = next(unpacked.rglob("linear_intent_model.npz"))
    with np.load(weights, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["labels"] = np.roll(arrays["labels"], 1)  # a derangement: no label keeps its row
    np.savez_compressed(weights, **arrays)
    worse = workdir / "worse.tar.gz"
    with tarfile.open(worse, "w:gz") as archive:
        for child in sorted(unpacked.iterdir()):
            archive.add(child, arcname=child.name)
    return worse


@pytest.mark.slow
@pytest.mark.skipif(not MODEL.exists(), reason="no trained model at models/aftersales.tar.gz: run `make train`")
def test_real_gate_refuses_a_deliberately_worse_model(tmp_path: Path) -> None:
    current = tmp_path / "current.tar.gz"
    current.write_bytes(MODEL.read_bytes())  # read, never overwrite, the trained model
    worse = _worse_copy(current, tmp_path)
    heldout = tmp_path / "heldout"
    heldout.mkdir()
    for path in sorted((PROJECT_ROOT / "tests" / "nlu").glob("heldout_*.yml")):  # our split, no learned slice
        (heldout / path.name).write_bytes(path.read_bytes())
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--log-level", "WARNING", "nlu", "gate", "--candidate", str(worse),
         "--current", str(current), "--heldout-dir", str(heldout)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900,
        env={**os.environ, "PYTHONHASHSEED": "0", "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert result.returncode == 3, result.stdout + result.stderr
    match = REFUSAL.search(result.stderr)
    assert match is not None, result.stderr
    candidate_f1, current_f1 = float(match.group(1)), float(match.group(2))
    assert current_f1 > 0.8 > candidate_f1
    assert "held-out (" in result.stdout and "examples): candidate" in result.stdout

"""The model gate: a newly trained model replaces the current one only if it is not worse on our held-out sets.

Framework-free: scores are computed from (gold, predicted) category lists, and the decision from the scores; the
command (`python -m bot nlu gate`, `bot/commands/nlu_learned.py`) loads the Rasa models and parses the texts.

Score: macro-F1 over triage categories, averaged over the categories present in the set's gold labels (an absent
category has no recall to measure; predicting it wrongly still costs the gold category its recall and no
category gains precision). The candidate passes a set when it is not more than `tolerance` below the current model
on it; it must pass every set. With no current model it passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_TOLERANCE = 0.01
#: A learned held-out set counts only from this many examples (fewer would make the figure noise).
MIN_LEARNED_EXAMPLES = 20
HELDOUT, LEARNED_HELDOUT = "held-out", "learned held-out"
REFUSED_EXIT = 3
_EPSILON = 1e-9


def macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """Macro-averaged F1 over the categories in `gold` (0.0 for an empty set)."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted labels differ in length")
    categories = sorted(set(gold))
    if not categories:
        return 0.0
    total = 0.0
    for category in categories:
        true_positive = sum(1 for g, p in zip(gold, predicted, strict=True) if g == category and p == category)
        predicted_positive = sum(1 for p in predicted if p == category)
        actual = sum(1 for g in gold if g == category)
        precision = true_positive / predicted_positive if predicted_positive else 0.0
        recall = true_positive / actual
        total += 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return total / len(categories)


@dataclass(frozen=True)
class SetScore:
    """One evaluation set's macro-F1 for the current model (None: no current model) and the candidate."""

    name: str
    examples: int
    current: float | None
    candidate: float


@dataclass(frozen=True)
class GateDecision:
    """Whether the candidate may replace the current model, and the one line that says why (not)."""

    passed: bool
    message: str
    failing: SetScore | None = None


def refusal_message(score: SetScore, tolerance: float) -> str:
    """The operator's message for a refused candidate, naming the set and both figures."""
    return (
        f"refusing the new model: {score.name} macro-F1 {score.candidate:.3f} < current {score.current:.3f} "
        f"\u2212 {tolerance:g}; keep the current model or retrain with NLU_GATE=off"
    )


def decide(scores: Sequence[SetScore], tolerance: float = DEFAULT_TOLERANCE) -> GateDecision:
    """Pass when the candidate is at most `tolerance` below the current model on every set (first failure named)."""
    if tolerance < 0:
        raise ValueError("tolerance must not be negative")
    compared = [s for s in scores if s.current is not None]
    if not compared:
        return GateDecision(True, "no current model to compare with: accepting the new model")
    for score in compared:
        assert score.current is not None
        if score.candidate + _EPSILON < score.current - tolerance:
            return GateDecision(False, refusal_message(score, tolerance), score)
    figures = ", ".join(f"{s.name} {s.candidate:.3f} (current {s.current:.3f})" for s in compared)
    return GateDecision(True, f"accepting the new model: macro-F1 {figures}")

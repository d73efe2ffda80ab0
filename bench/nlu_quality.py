"""NLU quality on a labelled set (e.g. ../shared/eval/dev.jsonl): macro-F1 per language, top-2 recall, calibration
error and what "did you mean" would do, for the trained model.

    python -m bench.nlu_quality --gold ../shared/eval/dev.jsonl [--model models/aftersales.tar.gz] [--json]

"Did you mean" is simulated with the FallbackClassifier's thresholds from config.yml (asked when the top
probability is below `threshold` or within `ambiguity_threshold` of the second); after a question the gold label
is taken as the customer's choice when it is among the buttons. Figures only: no text is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

import yaml

from bot.nlu.intents.categories import category_for_intent
from bot.nlu.intents.disambiguation import candidate_needs
from bot.nlu.model.calibration import expected_calibration_error

ROOT = Path(__file__).resolve().parent.parent
FALLBACK = "nlu_fallback"


def fallback_thresholds(config_path: Path) -> tuple[float, float]:
    """(threshold, ambiguity_threshold) of the FallbackClassifier in a Rasa config."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    for component in config.get("pipeline") or []:
        if component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", 0.3)), float(component.get("ambiguity_threshold", 0.1))
    return 0.0, 0.0


def macro_f1(pairs: list[tuple[str, str]], min_n: int = 8) -> float:
    """Macro-F1 over the gold classes with at least `min_n` items (the shared scorer's definition)."""
    classes = sorted({gold for gold, _ in pairs})
    scores = []
    for label in classes:
        n = sum(gold == label for gold, _ in pairs)
        if n < min_n:
            continue
        tp = sum(gold == label and pred == label for gold, pred in pairs)
        fp = sum(gold != label and pred == label for gold, pred in pairs)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / n
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


def category_ranking(ranking: list[dict[str, Any]]) -> list[str]:
    """Distinct triage categories in ranking order (as `python -m bot triage` maps the top intent)."""
    order: list[str] = []
    for entry in ranking:
        if entry.get("name") == FALLBACK:
            continue
        category = category_for_intent(entry.get("name")).value
        if category not in order:
            order.append(category)
    return order


def report(items: list[dict[str, Any]], rankings: list[list[dict[str, Any]]], threshold: float,
           ambiguity: float) -> dict[str, Any]:
    """The figures for gold items and the model's intent rankings (same order)."""
    by_language: dict[str, dict[str, Any]] = {}
    for language in sorted({item["lang"] for item in items}) + ["all"]:
        chosen = [(item, ranking) for item, ranking in zip(items, rankings, strict=True)
                  if language in ("all", item["lang"])]
        pairs, top2, confidences, hits, asked, after = [], 0, [], [], 0, 0
        for item, ranking in chosen:
            gold = item["intent"]
            intents = [r for r in ranking if r.get("name") != FALLBACK]
            categories = category_ranking(ranking)
            predicted = categories[0] if categories else "out_of_scope"
            pairs.append((gold, predicted))
            top2 += gold in categories[:2]
            top = float(intents[0]["confidence"]) if intents else 0.0
            second = float(intents[1]["confidence"]) if len(intents) > 1 else 0.0
            confidences.append(top)
            hits.append(predicted == gold)
            if top < threshold or top - second < ambiguity:
                asked += 1
                after += gold in candidate_needs(intents)
            else:
                after += predicted == gold
        n = len(chosen)
        by_language[language] = {
            "n": n, "macro_f1": round(macro_f1(pairs), 4), "accuracy": round(sum(hits) / n, 4),
            "top2_recall": round(top2 / n, 4), "ece": round(expected_calibration_error(confidences, hits), 4),
            "asked_share": round(asked / n, 4), "accuracy_after_choice": round(after / n, 4),
        }
    return by_language


async def _rankings(model: Path, texts: list[str]) -> list[list[dict[str, Any]]]:
    from bot.nlu.intents.triage import TriageRunner

    runner = TriageRunner(model)
    out = []
    for text in texts:
        parsed = await runner.parse(text)
        out.append(parsed.get("intent_ranking") or [])
    return out


def main() -> int:
    """Print the figures (or one JSON object)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", required=True, help="JSON lines with id, lang, text, intent")
    parser.add_argument("--model", default=str(ROOT / "models" / "aftersales.tar.gz"))
    parser.add_argument("--config", default=str(ROOT / "config.yml"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    items = [json.loads(line) for line in Path(args.gold).read_text(encoding="utf-8").splitlines() if line.strip()]
    rankings = asyncio.run(_rankings(Path(args.model), [item["text"] for item in items]))
    threshold, ambiguity = fallback_thresholds(Path(args.config))
    figures = report(items, rankings, threshold, ambiguity)
    if args.json:
        print(json.dumps(figures))
    else:
        for language, row in figures.items():
            print(language, " ".join(f"{k}={v}" for k, v in row.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

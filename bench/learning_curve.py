"""The learning loop as a simulation: how much do agents' corrections of real messages help?

    python -m bench.learning_curve --gold ../shared/eval/dev.jsonl [--model models/aftersales.tar.gz]
                                   [--sizes 0 50 100 200] [--folds 5] [--json]

5-fold over the labelled set: for each fold, our training data plus N messages of the other four folds (as if
agents had corrected them, labelled with their gold category) train the intent classifier, which is scored on the
held-out fold (macro-F1 per language, the shared scorer's definition). The features are the trained pipeline's own
(its featurizers, vocabularies fitted on our data) and the classifier is the pipeline's (`fit_linear_model` with
the `config.yml` settings), so no Rasa training runs per point. The labelled texts stay in memory: nothing is
written into the project, and the shipped model never sees them. Prints figures only.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse
import yaml

from bench.nlu_quality import macro_f1
from bot.nlu.intents.categories import category_for_intent
from bot.nlu.model.linear_model import fit_linear_model

ROOT = Path(__file__).resolve().parent.parent
ENCODER = "SentenceEncoderFeaturizer"


def classifier_config(config_path: Path) -> dict[str, Any]:
    """The LinearIntentClassifier's settings in a Rasa config."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    return next(c for c in config["pipeline"] if str(c.get("name", "")).endswith("LinearIntentClassifier"))


def featurize(model: Path, texts: list[str], sparse_names: list[str], dense_names: list[str]
              ) -> tuple[scipy.sparse.csr_matrix, np.ndarray]:
    """Sparse blocks (aligned, zero-filled) and dense rows of `texts` from the trained pipeline's featurizers."""
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage

    from bot.nlu.components.linear_intent_classifier import aligned_row, dense_sentence_features, sentence_features
    from bot.nlu.intents.triage import quiet_rasa_logs

    quiet_rasa_logs()
    agent = Agent.load(str(model))
    runner = agent.processor.graph_runner  # type: ignore[union-attr]
    schema = agent.processor.model_metadata.predict_schema  # type: ignore[union-attr]
    node = next(name for name in schema.nodes if ENCODER in name)
    blocks, dense = [], []
    for start in range(0, len(texts), 200):
        messages = runner.run(
            inputs={"__message__": [UserMessage(t) for t in texts[start : start + 200]]}, targets=[node]
        )[node]
        for message in messages:
            blocks.append([sentence_features(message, [name]) for name in sparse_names])
            row = dense_sentence_features(message, dense_names)
            dense.append(row.ravel() if row is not None else None)
    widths = [max((b[i].shape[1] for b in blocks if b[i] is not None), default=0) for i in range(len(sparse_names))]
    width = next((len(d) for d in dense if d is not None), 0)
    sparse = scipy.sparse.vstack([aligned_row(b, widths) for b in blocks]).tocsr()
    return sparse, np.vstack([d if d is not None else np.zeros(width) for d in dense])


def training_examples() -> list[tuple[str, str]]:
    """(text, intent) of our own training data."""
    from rasa.shared.nlu.training_data.loading import load_data

    examples: list[tuple[str, str]] = []
    for language in ("zh", "en"):
        data = load_data(str(ROOT / "data" / "nlu" / language))
        examples += [(str(m.get("text")), str(m.get("intent"))) for m in data.intent_examples]
    return examples


def run(gold_path: Path, model: Path, config_path: Path, sizes: list[int], folds: int, seed: int) -> dict[str, Any]:
    """The curve: macro-F1 per language for each number of corrections (mean over folds)."""
    settings = classifier_config(config_path)
    items = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    ours = training_examples()
    texts = [t for t, _ in ours] + [item["text"] for item in items]
    sparse, dense = featurize(model, texts, list(settings["featurizers"]), list(settings["dense_featurizers"]))
    n_ours = len(ours)
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    fold_of = {index: position % folds for position, index in enumerate(order)}
    curve: dict[str, Any] = {}
    for size in sizes:
        scores: dict[str, list[float]] = {"zh": [], "en": []}
        for fold in range(folds):
            pool = [i for i in order if fold_of[i] != fold][:size]
            test = [i for i in order if fold_of[i] == fold]
            rows = list(range(n_ours)) + [n_ours + i for i in pool]
            labels = [intent for _, intent in ours] + [items[i]["intent"] for i in pool]
            model_ = fit_linear_model(
                sparse[rows], labels, dense=dense[rows], dense_weight=float(settings.get("dense_weight", 0.6)),
                c=float(settings.get("C", 5.0)), class_weight=settings.get("class_weight", "balanced"),
                min_df=int(settings.get("min_df", 1)),
            )
            probabilities = model_.predict_proba(sparse[[n_ours + i for i in test]], dense[[n_ours + i for i in test]])
            predicted = [category_for_intent(model_.labels[k]).value for k in probabilities.argmax(axis=1)]
            for language in scores:
                pairs = [(items[i]["intent"], p) for i, p in zip(test, predicted, strict=True)
                         if items[i]["lang"] == language]
                scores[language].append(macro_f1(pairs, min_n=max(2, 8 // folds)))
        curve[str(size)] = {language: round(float(np.mean(values)), 4) for language, values in scores.items()}
    return {"folds": folds, "curve": curve}


def main() -> int:
    """Print the curve (or one JSON object)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", required=True)
    parser.add_argument("--model", default=str(ROOT / "models" / "aftersales.tar.gz"))
    parser.add_argument("--config", default=str(ROOT / "config.yml"))
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 50, 100, 200])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(Path(args.gold), Path(args.model), Path(args.config), args.sizes, args.folds, args.seed)
    print(json.dumps(result) if args.json else "\n".join(
        f"{size:>4} corrections: zh {row['zh']:.3f}  en {row['en']:.3f}" for size, row in result["curve"].items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

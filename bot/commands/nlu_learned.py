"""`python -m bot nlu export-learned` and `python -m bot nlu gate`: learned examples and the model gate.

export-learned puts the learned examples into Rasa's training data; gate keeps a worse model from replacing the
current one.

export-learned writes the accepted examples (`NluFeedbackService.learned_examples`) as Rasa YAML, a snapshot
rewritten each time: `data/nlu/learned/{zh,en}.yml` for training and, for a deterministic one in five (by
`text_hash`), `tests/nlu/learned_heldout_{zh,en}.yml` instead. Texts already in the training data or in our
held-out split are left out (a duplicate with another intent would fail `rasa data validate`; one in the held-out
split would leak it), and so are texts whose accepted copies disagree. It prints counts, never a customer's text.

gate loads each model (Rasa, as `bot.nlu.intents.triage` does) and scores it on `tests/nlu/heldout_*.yml` and, from
`MIN_LEARNED_EXAMPLES` on, on `tests/nlu/learned_heldout_*.yml`; the decision is `bot.nlu.model.gate`'s.
"""

from __future__ import annotations

import asyncio
import gc
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from bot.nlu.model.gate import (
    DEFAULT_TOLERANCE,
    HELDOUT,
    LEARNED_HELDOUT,
    MIN_LEARNED_EXAMPLES,
    REFUSED_EXIT,
    SetScore,
    decide,
)
from bot.nlu.text.language import EN, detect_language
from bot.nlu.text.normalise import normalise
from bot.services.nlu_feedback.types import LearnedExample

LANGUAGES = ("zh", "en")
HELDOUT_SHARE = 5  # one in five
TRAINING_HEADER = (
    "# Learned from corrections: accepted examples exported by `python -m bot nlu export-learned` (do not edit;\n"
    "# rewritten from the database at each export). Texts are masked ([phone], [address], [name] …).\n"
)
HELDOUT_HEADER = (
    "# Held-out slice of the learned examples (one in five by text hash), exported by `python -m bot nlu\n"
    "# export-learned`: never trained on; `python -m bot nlu gate` scores new models on it.\n"
)
# Characters YAML does not allow, and those Python's splitlines() (which Rasa's reader uses) breaks lines at.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
# Rasa reads `[text](entity)`, `[text]{...}` and `[text][...]` as entity annotations: a space after "]" defuses them.
_ENTITY_CLOSE = re.compile(r"\](?=[(\[{])")
_ANNOTATION = re.compile(r"\[([^\]]+?)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")


def yaml_safe_text(text: str) -> str | None:
    """`text` as one safe line of a Rasa examples block (None when nothing is left)."""
    cleaned = " ".join(_UNSAFE.sub(" ", text).split())
    cleaned = _ENTITY_CLOSE.sub("] ", cleaned).strip()
    return cleaned or None


def is_heldout(text_hash: str) -> bool:
    """The deterministic held-out slice: one text hash in five."""
    return int(text_hash[:8], 16) % HELDOUT_SHARE == 0


def language_file(text: str) -> str:
    """Which file a masked text goes to: en when English, else zh (mixed and undetected too)."""
    return EN if detect_language(text) == EN else "zh"


def render_nlu_yaml(examples: Mapping[str, Sequence[str]], header: str = "") -> str:
    """Rasa 3.1 NLU YAML with one `- intent:` block per label (sorted); `nlu: []` when there are none."""
    lines = [header.rstrip("\n")] if header else []
    lines.append('version: "3.1"')
    blocks = [(label, texts) for label, texts in sorted(examples.items()) if texts]
    if not blocks:
        lines.append("nlu: []")
    else:
        lines += ["", "nlu:"]
        for label, texts in blocks:
            lines += [f"  - intent: {label}", "    examples: |"]
            lines += [f"      - {text}" for text in texts]
    return "\n".join(lines) + "\n"


def comparable(text: str) -> str:
    """The form in which two texts count as the same example."""
    return " ".join(normalise(_ANNOTATION.sub(r"\1", text)).split())


def texts_in(paths: Iterable[Path]) -> set[str]:
    """Every example text of these Rasa NLU YAML files (entity annotations removed), in `comparable` form."""
    import yaml

    found: set[str] = set()
    for path in paths:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in document.get("nlu") or [] if isinstance(document, dict) else []:
            if isinstance(item, dict) and isinstance(item.get("examples"), str):
                for line in item["examples"].splitlines():
                    if line.strip().startswith("-"):
                        found.add(comparable(line.strip()[1:].strip()))
    return found


@dataclass
class ExportPlan:
    """Where each learned text goes: per language, label → texts, for training and held out; what was skipped."""

    training: dict[str, dict[str, list[str]]] = field(default_factory=lambda: {lang: {} for lang in LANGUAGES})
    heldout: dict[str, dict[str, list[str]]] = field(default_factory=lambda: {lang: {} for lang in LANGUAGES})
    conflicting: int = 0
    known: int = 0
    empty: int = 0


def plan_export(learned: Sequence[LearnedExample], known_texts: set[str]) -> ExportPlan:
    """Split the learned examples into training and held-out texts per language (deterministic for a database)."""
    plan = ExportPlan()
    by_hash: dict[str, list[LearnedExample]] = {}
    for example in learned:
        by_hash.setdefault(example.text_hash, []).append(example)
    for text_hash in sorted(by_hash, key=lambda h: min(e.id for e in by_hash[h])):
        copies = by_hash[text_hash]
        if len({e.label for e in copies}) > 1:
            plan.conflicting += len(copies)
            continue
        first = min(copies, key=lambda e: e.id)
        text = yaml_safe_text(first.text)
        if text is None:
            plan.empty += 1
            continue
        if comparable(text) in known_texts:
            plan.known += 1
            continue
        target = plan.heldout if is_heldout(text_hash) else plan.training
        target[language_file(text)].setdefault(first.label, []).append(text)
    return plan


def _write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(content, encoding="utf-8")
    os.replace(temporary, path)


def _counts(by_label: Mapping[str, Sequence[str]]) -> str:
    total = sum(len(texts) for texts in by_label.values())
    detail = ", ".join(f"{label} {len(texts)}" for label, texts in sorted(by_label.items()))
    return f"{total}" + (f" ({detail})" if detail else "")


def write_export(plan: ExportPlan, out_dir: Path, heldout_dir: Path, out: TextIO) -> None:
    """Write the four files and print the counts per language and label."""
    for language in LANGUAGES:
        training_path = out_dir / f"{language}.yml"
        heldout_path = heldout_dir / f"learned_heldout_{language}.yml"
        _write(training_path, render_nlu_yaml(plan.training[language], TRAINING_HEADER))
        _write(heldout_path, render_nlu_yaml(plan.heldout[language], HELDOUT_HEADER))
        print(f"  {language}: training {_counts(plan.training[language])} -> {training_path}; "
              f"held out {_counts(plan.heldout[language])} -> {heldout_path}", file=out)
    print(f"  left out: {plan.known} already in the training or held-out data, {plan.conflicting} with "
          f"disagreeing copies, {plan.empty} empty", file=out)


async def _learned(database_url: str, since: date | None, min_agreement: float) -> list[LearnedExample]:
    from bot.db.session import create_async_db_engine, make_session_factory
    from bot.services.nlu_feedback.service import NluFeedbackService

    engine = create_async_db_engine(database_url)
    try:
        return await NluFeedbackService(make_session_factory(engine)).learned_examples(
            since=since, min_agreement=min_agreement
        )
    finally:
        await engine.dispose()


def run_export_learned(
    database_url: str, *, since: date | None, min_agreement: float, out_dir: Path, heldout_dir: Path,
    training_dir: Path, out: TextIO | None = None,
) -> int:
    """Export the accepted examples; `training_dir` (data/nlu) and `heldout_dir` hold the texts already known."""
    sink = out or sys.stdout
    learned = asyncio.run(_learned(database_url, since, min_agreement))
    resolved_out = out_dir.resolve()
    known_files = [p for p in sorted(training_dir.rglob("*.yml")) if resolved_out not in p.resolve().parents]
    known_files += sorted(heldout_dir.glob("heldout_*.yml"))
    plan = plan_export(learned, texts_in(known_files))
    print(f"export-learned: {len(learned)} accepted examples with agreement >= {min_agreement:g}", file=sink)
    write_export(plan, out_dir, heldout_dir, sink)
    return 0


# --- gate ----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EvalSet:
    """Texts and gold categories of one evaluation set."""

    name: str
    texts: tuple[str, ...]
    gold: tuple[str, ...]


def _examples(paths: Sequence[Path]) -> tuple[list[str], list[str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    from bot.nlu.intents.categories import category_for_intent

    texts, gold = [], []
    for path in paths:
        for message in load_data(str(path)).intent_examples:
            texts.append(str(message.get("text")))
            gold.append(category_for_intent(message.get("intent")).value)
    return texts, gold


def evaluation_sets(heldout_dir: Path) -> list[EvalSet]:
    """Our held-out split, and the learned held-out slice when it has `MIN_LEARNED_EXAMPLES` or more."""
    ours = sorted(heldout_dir.glob("heldout_*.yml"))
    if not ours:
        raise FileNotFoundError(f"no held-out split (heldout_*.yml) in {heldout_dir}")
    texts, gold = _examples(ours)
    sets = [EvalSet(HELDOUT, tuple(texts), tuple(gold))]
    learned = sorted(heldout_dir.glob("learned_heldout_*.yml"))
    if learned:
        texts, gold = _examples(learned)
        if len(texts) >= MIN_LEARNED_EXAMPLES:
            sets.append(EvalSet(LEARNED_HELDOUT, tuple(texts), tuple(gold)))
    return sets


BATCH = 64
_LETTER = re.compile(r"[^\W\d_]")


def load_model(model_path: Path) -> Any:
    """A trained Rasa model (`rasa.core.agent.Agent`), with Rasa's logs (which echo texts) kept to warnings."""
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    for name in ("rasa", "tensorflow", "absl"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return Agent.load(str(model_path))


def classify_all(agent: Any, texts: Sequence[str]) -> list[str]:
    """The triage category of every text, as `python -m bot triage` gives it, parsed in batches.

    `Agent.parse_message` runs the NLU graph on one message at a time; the graph takes a list, which lets the
    featurizers (the sentence encoder above all) work on a batch: about 15 times faster. The parse data are shaped
    as `MessageProcessor.parse_message` shapes them, then mapped as the triage command maps them.
    """
    from rasa.core.channels.channel import UserMessage
    from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.nlu.intents.triage import MAX_TRIAGE_CHARS, fallback_result, result_from_parse, sanitise

    processor = agent.processor
    target = processor.model_metadata.nlu_target
    categories: list[str] = []
    for start in range(0, len(texts), BATCH):
        batch = [sanitise(text) for text in texts[start : start + BATCH]]
        parsable = [i for i, text in enumerate(batch) if _LETTER.search(text) and len(text) <= MAX_TRIAGE_CHARS]
        # A leading "/" would be read as an intent payload: the full-width slash keeps the text a text.
        safe = [batch[i][: len(batch[i]) - len(batch[i].lstrip())] + "\uff0f" + batch[i].lstrip()[1:]
                if batch[i].lstrip().startswith("/") else batch[i] for i in parsable]
        parsed: dict[int, dict[str, Any]] = {}
        if safe:
            results = processor.graph_runner.run(
                inputs={PLACEHOLDER_MESSAGE: [UserMessage(text) for text in safe],
                        PLACEHOLDER_TRACKER: DialogueStateTracker.from_events("nlu-gate", [])},
                targets=[target],
            )
            for index, message in zip(parsable, results[target], strict=True):
                data: dict[str, Any] = {"text": "", "intent": {"name": None, "confidence": 0.0}, "entities": []}
                data.update(message.as_dict(only_output_properties=True))
                parsed[index] = data
        for index, text in enumerate(batch):
            result = result_from_parse(None, text, parsed[index]) if index in parsed else fallback_result(None, text)
            categories.append(str(result["category"]))
    return categories


def predict(model_path: Path, sets: Sequence[EvalSet]) -> list[list[str]]:
    """The model's categories for every text of every set (the model is loaded once, then released)."""
    agent = load_model(model_path)
    try:
        return [classify_all(agent, eval_set.texts) for eval_set in sets]
    finally:
        del agent
        gc.collect()  # two models need not be in memory at once


def run_gate(
    candidate: Path, current: Path, *, tolerance: float = DEFAULT_TOLERANCE, heldout_dir: Path,
    out: TextIO | None = None, err: TextIO | None = None,
) -> int:
    """0 when the candidate may replace the current model, `REFUSED_EXIT` (3) when not, 2 on a usage error."""
    from bot.nlu.model.gate import macro_f1

    sink, errors = out or sys.stdout, err or sys.stderr
    if not candidate.is_file():
        print(f"nlu gate: no candidate model at {candidate}", file=errors)
        return 2
    if not current.is_file():
        print(f"nlu gate: no current model at {current}: accepting the new model", file=sink)
        return 0
    sets = evaluation_sets(heldout_dir)
    try:
        current_predictions = predict(current, sets)
    except Exception as exc:  # noqa: BLE001 - any load failure: the current model cannot serve either
        # A model the current code cannot load (a changed component format) is no model to keep.
        print(f"nlu gate: the current model at {current} does not load with this code ({type(exc).__name__}): "
              "accepting the new model", file=errors)
        return 0
    candidate_predictions = predict(candidate, sets)
    scores = [
        SetScore(s.name, len(s.texts), macro_f1(s.gold, now), macro_f1(s.gold, new))
        for s, now, new in zip(sets, current_predictions, candidate_predictions, strict=True)
    ]
    decision = decide(scores, tolerance)
    for score in scores:
        print(f"nlu gate: {score.name} ({score.examples} examples): candidate {score.candidate:.3f}, "
              f"current {score.current:.3f}", file=sink)
    if not decision.passed:
        print(decision.message, file=errors)
        return REFUSED_EXIT
    print(f"nlu gate: {decision.message}", file=sink)
    return 0


def run_nlu_command(args: Any, database_url: str, project_root: Path) -> int:
    """Dispatch `python -m bot nlu <export-learned|gate>` (relative paths: from the working directory)."""
    heldout_dir = Path(args.heldout_dir) if args.heldout_dir else project_root / "tests" / "nlu"
    if args.nlu_command == "export-learned":
        since = None
        if args.since:
            try:
                since = date.fromisoformat(args.since)
            except ValueError:
                print("nlu export-learned: --since must be a date, YYYY-MM-DD", file=sys.stderr)
                return 2
        if not 0.0 <= args.min_agreement <= 1.0:
            print("nlu export-learned: --min-agreement must be between 0 and 1", file=sys.stderr)
            return 2
        out_dir = Path(args.out_dir) if args.out_dir else project_root / "data" / "nlu" / "learned"
        return run_export_learned(
            database_url, since=since, min_agreement=args.min_agreement, out_dir=out_dir, heldout_dir=heldout_dir,
            training_dir=project_root / "data" / "nlu",
        )
    if args.tolerance < 0:
        print("nlu gate: --tolerance must not be negative", file=sys.stderr)
        return 2
    return run_gate(Path(args.candidate), Path(args.current), tolerance=args.tolerance, heldout_dir=heldout_dir)

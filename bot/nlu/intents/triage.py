"""`python -m bot triage`: classify JSON lines with the same trained model the Rasa server runs."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from bot.domain.taxonomy import Category
from bot.nlu.intents.categories import category_for_intent
from bot.nlu.text.language import detect_language

logger = logging.getLogger(__name__)

#: Longer texts are not customer messages (pasted logs, attacks): answered without running the model.
MAX_TRIAGE_CHARS = 4000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
#: Entities that are reported as their own fields, not in `entities`.
_FIELD_ENTITIES = {"language", "urgency"}
DEFAULT_LANGUAGE = "zh"


def sanitise(text: Any) -> str:
    """Any JSON value as safe text: lone surrogates replaced, control characters turned into spaces."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    return _CONTROL.sub(" ", _SURROGATE.sub("\ufffd", text))


def fallback_result(item_id: Any, text: str) -> dict[str, Any]:
    """The answer for input that carries no recoverable need: out of scope with zero confidence."""
    language = detect_language(text) if text else None
    return {
        "id": item_id,
        "language": language or DEFAULT_LANGUAGE,
        "category": Category.OUT_OF_SCOPE.value,
        "intent": Category.OUT_OF_SCOPE.value,
        "confidence": 0.0,
        "urgency": "normal",
        "entities": [],
    }


def result_from_parse(item_id: Any, text: str, parsed: dict[str, Any]) -> dict[str, Any]:
    """A triage line from Rasa's parse data; the best real intent is used even below the fallback threshold."""
    ranking = [r for r in parsed.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
    top = ranking[0] if ranking else (parsed.get("intent") or {})
    intent = top.get("name") or Category.OUT_OF_SCOPE.value
    entities = parsed.get("entities") or []
    language = next((e["value"] for e in entities if e.get("entity") == "language"), None)
    urgency = next((e["value"] for e in entities if e.get("entity") == "urgency"), None)
    return {
        "id": item_id,
        "language": language or detect_language(text) or DEFAULT_LANGUAGE,
        "category": category_for_intent(intent).value,
        "intent": intent,
        "confidence": round(float(top.get("confidence") or 0.0), 4),
        "urgency": urgency or parsed.get("urgency") or "normal",
        "entities": [
            {"entity": e["entity"], "value": e.get("value"), "start": e.get("start"), "end": e.get("end")}
            for e in entities
            if e.get("entity") not in _FIELD_ENTITIES
        ],
    }


def read_items(lines: Iterable[str]) -> Iterator[tuple[Any, str | None]]:
    """(id, text) for every non-blank input line; a line that is not a JSON object yields (None, None)."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            logger.warning("triage.bad_line line=%d", number)
            yield None, None
            continue
        if not isinstance(obj, dict):
            yield None, None
            continue
        yield obj.get("id"), sanitise(obj.get("text"))


def quiet_rasa_logs() -> None:
    """Rasa's structured logs default to DEBUG and would print every customer's text: keep them to warnings."""
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    for name in ("rasa", "tensorflow", "absl"):
        logging.getLogger(name).setLevel(logging.WARNING)


class TriageRunner:
    """Loads one trained model and classifies texts with it."""

    def __init__(self, model_path: Path) -> None:
        from rasa.core.agent import Agent  # heavy: only the triage process pays for it

        quiet_rasa_logs()
        if not model_path.exists():
            raise FileNotFoundError(f"no trained model at {model_path}: run `make train`")
        self._agent = Agent.load(str(model_path))

    async def parse(self, text: str) -> dict[str, Any]:
        """Rasa's parse data for a customer's text (never read as a "/intent" payload)."""
        # Rasa reads a leading "/" as an intent payload ("/greet"); a customer's text must never be one. The
        # full-width slash keeps the length (entity offsets) and normalises back to "/" for the tokenizer.
        stripped = len(text) - len(text.lstrip())
        safe = text[:stripped] + "／" + text[stripped + 1 :] if text.lstrip().startswith("/") else text
        return dict(await self._agent.parse_message(safe))

    async def classify(self, item_id: Any, text: str | None) -> dict[str, Any]:
        """One triage result; never raises for bad text."""
        if text is None or not _LETTER.search(text) or len(text) > MAX_TRIAGE_CHARS:
            return fallback_result(item_id, text or "")
        return result_from_parse(item_id, text, await self.parse(text))


async def _run(model_path: Path, source: TextIO, sink: TextIO) -> int:
    runner = TriageRunner(model_path)
    count = 0
    for item_id, text in read_items(source):
        result = await runner.classify(item_id, text)
        sink.write(json.dumps(result, ensure_ascii=False) + "\n")
        count += 1
    return count


def run_triage(model_path: Path, input_path: Path, output_path: Path) -> int:
    """Classify every line of `input_path` into `output_path`; returns the number of lines written."""
    with input_path.open(encoding="utf-8", errors="replace") as source, output_path.open(
        "w", encoding="utf-8"
    ) as sink:
        return asyncio.run(_run(model_path, source, sink))

"""PatternEntityExtractor and EntityMerger graph components on Rasa messages."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components import pattern_extractor
from bot.nlu.components.entity_merger import EntityMerger, merge_entities
from bot.nlu.components.pattern_extractor import PatternEntityExtractor

PATTERN, CATALOGUE, DIET = "PatternEntityExtractor", "CatalogueEntityExtractor", "DIETClassifier"


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def _extractor(tmp_path: Any, **config: Any) -> PatternEntityExtractor:
    return PatternEntityExtractor.create(
        {**PatternEntityExtractor.get_default_config(), **config},
        LocalModelStorage(tmp_path),
        Resource("pattern_extractor"),
        _context(),
    )


def _merger(tmp_path: Any, **config: Any) -> EntityMerger:
    return EntityMerger.create(
        {**EntityMerger.get_default_config(), **config},
        LocalModelStorage(tmp_path),
        Resource("entity_merger"),
        _context(),
    )


def _entity(entity: str, value: str, start: int, end: int, extractor: str) -> dict[str, Any]:
    return {"entity": entity, "value": value, "start": start, "end": end, "extractor": extractor}


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> date:
    """Freeze the extractor's calendar day."""
    today = date(2025, 6, 15)
    monkeypatch.setattr(pattern_extractor, "today_in", lambda zone: today)
    return today


# --- PatternEntityExtractor -----------------------------------------------------------------------------------------
def test_extracts_entities_with_offsets_into_the_original_text(tmp_path: Any, fixed_today: date) -> None:
    text = "工单AS-20250305-ABCDEF，空調顯示E4，电话138 1234 5678，昨天買的"
    message = Message({TEXT: text})

    _extractor(tmp_path).process([message])

    entities = message.get(ENTITIES)
    assert [(e["entity"], e["value"], text[e["start"] : e["end"]]) for e in entities] == [
        ("ticket_number", "AS-20250305-ABCDEF", "AS-20250305-ABCDEF"),
        ("error_code", "E4", "E4"),
        ("phone", "+8613812345678", "138 1234 5678"),
        ("purchase_date", "2025-06-14", "昨天"),
    ]
    assert all(e["confidence_entity"] == 1.0 and e["extractor"] == PATTERN for e in entities)
    assert "entities" in message.output_properties


@pytest.mark.parametrize(
    "text",
    ["356938035643808", "X1 Carbon and i7", "price 3999", "2025-02-30", "空调不制冷", ""],
)
def test_adds_nothing_to_text_without_pattern_entities(tmp_path: Any, fixed_today: date, text: str) -> None:
    message = Message({TEXT: text})

    _extractor(tmp_path).process([message])

    assert message.get(ENTITIES) is None


def test_uses_the_normalised_text_when_present(tmp_path: Any, fixed_today: date) -> None:
    # What a normaliser would produce (same length); the values come from it, the offsets from the original.
    message = Message({TEXT: "錯誤碼e01", "normalised_text": "错误码e01"})

    _extractor(tmp_path).process([message])

    assert [(e["value"], e["start"], e["end"]) for e in message.get(ENTITIES)] == [("E01", 3, 6)]


def test_keeps_entities_of_other_extractors_even_when_they_overlap(tmp_path: Any, fixed_today: date) -> None:
    diet = _entity("phone", "1234 5678", 6, 15, DIET)
    message = Message({TEXT: "电话138 1234 5678", ENTITIES: [diet]})

    _extractor(tmp_path).process([message])

    assert [e["extractor"] for e in message.get(ENTITIES)] == [DIET, PATTERN]


def test_reprocessing_adds_no_duplicates(tmp_path: Any, fixed_today: date) -> None:
    extractor = _extractor(tmp_path)
    message = Message({TEXT: "E1报错, call +44 20 7946 0958"})

    extractor.process([message])
    extractor.process([message])

    assert [e["entity"] for e in message.get(ENTITIES)] == ["error_code", "phone"]


def test_emits_only_the_configured_entities(tmp_path: Any, fixed_today: date) -> None:
    message = Message({TEXT: "E1报错，昨天买的"})

    _extractor(tmp_path, entities=["purchase_date"]).process([message])

    assert [e["entity"] for e in message.get(ENTITIES)] == ["purchase_date"]


def test_month_first_config(tmp_path: Any, fixed_today: date) -> None:
    message = Message({TEXT: "bought 05/03/2025"})

    _extractor(tmp_path, day_first=False).process([message])

    assert message.get(ENTITIES)[0]["value"] == "2025-05-03"


def test_unknown_entity_types_are_rejected(tmp_path: Any) -> None:
    with pytest.raises(ValueError, match="cannot extract"):
        _extractor(tmp_path, entities=["phone", "email"])


def test_today_is_taken_in_the_configured_zone() -> None:
    from zoneinfo import ZoneInfo

    assert isinstance(pattern_extractor.today_in(ZoneInfo("Asia/Shanghai")), date)


# --- EntityMerger ---------------------------------------------------------------------------------------------------
def test_same_type_overlap_keeps_the_better_extractor() -> None:
    diet = _entity("phone", "1234 5678", 6, 15, DIET)
    pattern = _entity("phone", "+8613812345678", 2, 15, PATTERN)
    catalogue = _entity("error_code", "E4", 20, 22, CATALOGUE)
    diet_code = _entity("error_code", "E4", 20, 22, DIET)

    assert merge_entities([diet, pattern, diet_code, catalogue]) == [pattern, catalogue]


def test_different_types_are_kept_unless_their_spans_are_identical() -> None:
    code = _entity("error_code", "E14", 10, 13, PATTERN)
    model = _entity("product_model", "E14", 10, 13, CATALOGUE)
    brand = _entity("brand", "ThinkPad", 0, 8, CATALOGUE)
    overlapping = _entity("product_model", "ThinkPad E14", 0, 13, DIET)

    assert merge_entities([brand, overlapping, model, code]) == [brand, overlapping, code]


def test_within_one_extractor_the_longer_span_wins() -> None:
    short = _entity("product_model", "Mate", 0, 4, DIET)
    long = _entity("product_model", "Mate 60", 0, 7, DIET)

    assert merge_entities([short, long]) == [long]


def test_unknown_extractors_rank_last_and_tags_never_conflict() -> None:
    regex = _entity("phone", "13812345678", 0, 11, "RegexEntityExtractor")
    diet = _entity("phone", "13812345678", 0, 11, DIET)
    language = _entity("language", "en", 0, 11, "LanguageDetector")
    urgency = _entity("urgency", "high", 0, 11, "UrgencyTagger")
    no_offsets = {"entity": "phone", "value": "13812345678", "extractor": "Other"}

    assert merge_entities([regex, language, diet, urgency, no_offsets]) == [language, diet, urgency, no_offsets]


def test_merger_component_replaces_the_entities(tmp_path: Any, fixed_today: date) -> None:
    text = "call 138 1234 5678"
    diet = _entity("phone", "1234 5678", 9, 18, DIET)
    message = Message({TEXT: text, ENTITIES: [diet]})

    _extractor(tmp_path).process([message])
    _merger(tmp_path).process([message])

    assert [(e["extractor"], e["value"]) for e in message.get(ENTITIES)] == [(PATTERN, "+8613812345678")]


def test_merger_priority_is_configurable(tmp_path: Any) -> None:
    pattern = _entity("phone", "+8613812345678", 0, 11, PATTERN)
    diet = _entity("phone", "13812345678", 0, 11, DIET)
    message = Message({TEXT: "13812345678", ENTITIES: [pattern, diet]})

    _merger(tmp_path, extractor_priority=[DIET, PATTERN]).process([message])

    assert message.get(ENTITIES) == [diet]


def test_merger_leaves_messages_without_entities_alone(tmp_path: Any) -> None:
    message = Message({TEXT: "hello"})

    _merger(tmp_path).process([message])

    assert message.get(ENTITIES) is None


def test_reads_the_key_the_text_normaliser_writes() -> None:
    normaliser = pytest.importorskip("bot.nlu.components.normaliser")
    from bot.nlu.text.normalise import NORMALISED_TEXT

    assert normaliser.NORMALISED_TEXT == NORMALISED_TEXT

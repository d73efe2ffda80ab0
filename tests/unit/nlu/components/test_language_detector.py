"""The `language` entity: zh / en / mixed by the share of Han characters vs Latin words."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components.language_detector import LanguageDetector
from bot.nlu.text.language import LANGUAGE_ENTITY, detect_language, says_too_little


def _detector(tmp_path: Any, **config: Any) -> LanguageDetector:
    return LanguageDetector.create(
        {**LanguageDetector.get_default_config(), **config},
        LocalModelStorage(tmp_path),
        Resource("language_detector"),
        ExecutionContext(GraphSchema({}), "test"),
    )


def _language_entities(message: Message) -> list[dict[str, Any]]:
    return [e for e in message.get(ENTITIES, []) if e["entity"] == LANGUAGE_ENTITY]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("空调不制冷了", "zh"),
        ("冷氣機一直滴水", "zh"),  # traditional characters
        ("我的iPhone屏幕碎了", "zh"),  # one brand name in a Chinese sentence: 6 Han / 1 Latin word
        ("格力KFR-35GW空调不制冷", "zh"),  # model numbers count as little
        ("my laptop won't charge", "en"),
        ("ｍｙ ｐｈｏｎｅ ｉｓ ｂｒｏｋｅｎ", "en"),  # full-width letters are folded
        ("Müller's café fridge is broken", "en"),
        ("I bought it at 京东 last week", "en"),  # 2 Han / 6 words = 0.25
        ("my 空调 is broken", "mixed"),  # 2 / 5 = 0.4
        ("帮我check一下order status", "mixed"),  # 4 / 7
        ("hello 你好", "mixed"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["", None, "   ", "😀👍", "12345", "？！。…", "🙂 1234 ~~"])
def test_no_language_without_han_or_latin_letters(text: str | None) -> None:
    assert detect_language(text) is None


def test_thresholds_are_configurable() -> None:
    # "my 空调 is broken" has a Han share of 0.4.
    assert detect_language("my 空调 is broken", zh_threshold=0.4) == "zh"
    assert detect_language("my 空调 is broken", en_threshold=0.4) == "en"


def test_process_adds_one_language_entity_per_message(tmp_path: Any) -> None:
    detector = _detector(tmp_path)
    zh, en, mixed = (
        Message({TEXT: "空调不制冷了"}),
        Message({TEXT: "my laptop won't charge"}),
        Message({TEXT: "my 空调 is broken"}),
    )

    detector.process([zh, en, mixed])

    assert _language_entities(zh) == [
        {
            "entity": "language",
            "value": "zh",
            "start": 0,
            "end": 6,
            "confidence": 1.0,
            "extractor": "LanguageDetector",
        }
    ]
    assert [e["value"] for e in _language_entities(en)] == ["en"]
    assert [e["value"] for e in _language_entities(mixed)] == ["mixed"]
    assert "entities" in zh.output_properties


def test_process_keeps_other_entities(tmp_path: Any) -> None:
    other = {"entity": "product", "value": "空调", "start": 0, "end": 2}
    message = Message({TEXT: "空调不制冷", ENTITIES: [other]})

    _detector(tmp_path).process([message])

    assert message.get(ENTITIES)[0] == other
    assert [e["value"] for e in _language_entities(message)] == ["zh"]


@pytest.mark.parametrize("text", ["", "😀", "🙂👍 123"])
def test_process_sets_no_entity_for_text_without_letters(tmp_path: Any, text: str) -> None:
    message = Message({TEXT: text})

    _detector(tmp_path).process([message])

    assert _language_entities(message) == []


def test_process_tolerates_a_message_without_text(tmp_path: Any) -> None:
    message = Message({})

    _detector(tmp_path).process([message])

    assert _language_entities(message) == []


def test_inconsistent_thresholds_are_rejected(tmp_path: Any) -> None:
    with pytest.raises(ValueError, match="en_threshold < zh_threshold"):
        _detector(tmp_path, zh_threshold=0.3, en_threshold=0.5)


@pytest.mark.parametrize("text", ["ok", "OK", "P60 Pro", "KFR-35GW", "iPhone 15", "Mate 60 Pro", "E1"])
def test_a_short_latin_answer_keeps_the_conversation_language(tmp_path: Any, text: str) -> None:
    """A Chinese customer typing "ok" or a model number is not switched to English: no language entity, so the
    `language` slot keeps its value."""
    assert says_too_little(text)
    detector = _detector(tmp_path)
    [message] = detector.process([Message({TEXT: text})])
    assert not [e for e in message.get(ENTITIES, []) if e["entity"] == LANGUAGE_ENTITY]


@pytest.mark.parametrize("text", ["hi", "yes", "thanks", "my phone is broken", "haier fridge", "ok 好的"])
def test_words_that_tell_the_language_still_set_it(text: str) -> None:
    assert not says_too_little(text)

"""Urgency: safety hazards, angry escalation, negation, and the UrgencyTagger component."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components.urgency_tagger import UrgencyTagger
from bot.nlu.extraction.urgency import classify_urgency, detect_urgency


@pytest.mark.parametrize(
    "text",
    [
        "空调冒烟了",
        "插座冒火星了",  # sparks
        "the charger caught fire",
        "冷氣機冒煙了",  # traditional
        "我的phone冒烟了",  # mixed
        "有股烧焦味",
        "一股糊味",
        "插座着火了",
        "插座打火",
        "充电的时候有火花",
        "电池鼓包了",
        "電池鼓起來了",
        "洗衣机漏电，摸一下麻手",
        "触电了",
        "进水了还插着电在充电",
        "厨房有煤气味",
        "燃气灶漏气",
        "充电宝爆炸了",
        "不知道为什么冒烟了",  # 不 negates 知道, not 冒烟
        "一直不停冒烟",  # 不停 means "keeps"
        "my microwave is smoking",
        "there's a burning smell from the TV",
        "it smells like burning plastic",
        "the charger caught fire",
        "flames came out of the back",
        "the socket is sparking",
        "swollen battery in my laptop",
        "the battery is bulging",
        "I got shocked when I touched the washer",
        "tingling when I touch the case",
        "water is leaking near the socket",
        "I can smell gas",
        "gas leak from the cooker",
        "the power bank exploded",
        "I don't know why it's smoking",
    ],
)
def test_safety(text: str) -> None:
    assert classify_urgency(text) == "safety"


@pytest.mark.parametrize(
    "text",
    [
        "我要投诉你们",
        "再不处理我就打12315",
        "找消协",
        "我要曝光你们",
        "我会找媒体",
        "我已经请了律师",
        "去法院起诉",
        "给你们差评",
        "什么垃圾产品",
        "你们就是骗子",
        "要求退一赔三",
        "气死我了",
        "worst service ever",
        "I am furious",
        "this is disgusting",
        "total scam",
        "I'll talk to my lawyer",
        "I will sue you",
        "reporting you to the BBB",
        "I'm filing a chargeback",
        "never again buying from you",
        "this is unacceptable",
        "fix it now!!!",
        "修好没有！！！",
        "still broken 😡",
        "🤬",
        "THIS IS RIDICULOUS FIX MY FRIDGE",
    ],
)
def test_high(text: str) -> None:
    assert classify_urgency(text) == "high"


@pytest.mark.parametrize(
    "text",
    [
        "没有冒烟",
        "没冒烟也没起火",
        "没有闻到烧焦味",
        "沒有冒煙",  # traditional, negated
        "no smoke, just not cooling",
        "it's not sparking",
        "no smoke or sparks, it just won't turn on",
        "there is no burning smell",
        "空调不制冷",
        "my laptop won't charge",
        "燃气灶打火打不着",  # won't ignite: not a hazard
        "要装漏电保护器吗",  # a residual-current device
        "垃圾处理器坏了",  # a garbage disposer
        "my smoke detector keeps beeping",
        "Amazon Fire tablet won't charge",
        "DJI Spark drone won't connect",
        "我在火星基地",  # Mars, not a spark
        "看不懂这火星文",
        "I live near the fire station",
        "the fire alarm test tripped the breaker, now the fridge is off",
        "USB HDMI VGA ports not working",
        "thanks!",
        "",
    ],
)
def test_normal(text: str) -> None:
    assert classify_urgency(text) == "normal"


def test_safety_wins_over_high_and_the_span_is_the_trigger() -> None:
    text = "垃圾产品，插座冒煙了"
    hit = detect_urgency(text)
    assert hit is not None
    assert hit.level == "safety"
    assert text[hit.start : hit.end] == "冒煙"


def test_a_negated_hazard_does_not_hide_a_later_one() -> None:
    assert classify_urgency("没有冒烟，但是有烧焦味") == "safety"


def test_normalised_text_is_used_when_given() -> None:
    # A normaliser's output (same length) is what the lexicon sees; offsets still index the original text.
    assert classify_urgency("XX了", normalised="冒烟了") == "safety"


def _tagger(tmp_path: Any) -> UrgencyTagger:
    return UrgencyTagger.create(
        UrgencyTagger.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("urgency_tagger"),
        ExecutionContext(GraphSchema({}), "test"),
    )


def test_tagger_sets_urgency_and_adds_an_entity(tmp_path: Any) -> None:
    other = {"entity": "product_category", "value": "空调", "start": 0, "end": 2}
    urgent = Message({TEXT: "空调冒烟了", ENTITIES: [other]})
    calm = Message({TEXT: "空调不制冷"})

    _tagger(tmp_path).process([urgent, calm])

    assert urgent.get("urgency") == "safety"
    assert urgent.get(ENTITIES) == [
        other,
        {
            "entity": "urgency",
            "value": "safety",
            "start": 2,
            "end": 4,
            "confidence_entity": 1.0,
            "extractor": "UrgencyTagger",
        },
    ]
    assert {"urgency", "entities"} <= set(urgent.output_properties)
    assert calm.get("urgency") == "normal"
    assert calm.get(ENTITIES) is None


def test_tagger_reads_the_normalised_text(tmp_path: Any) -> None:
    message = Message({TEXT: "XX了", "normalised_text": "冒烟了"})

    _tagger(tmp_path).process([message])

    assert message.get("urgency") == "safety"


def test_tagger_is_idempotent_and_tolerates_missing_text(tmp_path: Any) -> None:
    tagger = _tagger(tmp_path)
    message, empty = Message({TEXT: "I will sue you!!!"}), Message({})

    tagger.process([message, empty])
    tagger.process([message, empty])

    assert [e["value"] for e in message.get(ENTITIES)] == ["high"]
    assert empty.get("urgency") == "normal"

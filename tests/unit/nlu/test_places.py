"""Places named in passing (bot.nlu.extraction.places) and the PlaceEntityExtractor component."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components.normaliser import TextNormaliser
from bot.nlu.components.place_extractor import PlaceEntityExtractor
from bot.nlu.extraction.places import PlaceFinder, address_span
from bot.nlu.text.normalise import normalise


@pytest.fixture(scope="module")
def finder() -> PlaceFinder:
    return PlaceFinder()


def _places(finder: PlaceFinder, text: str) -> list[str]:
    return [text[s.start : s.end] for s in finder.find(text, normalise(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我家的美的空调不制冷了，我在深圳市南山区科技园", ["深圳市", "南山区"]),
        ("我在乌鲁木齐市，冰箱坏了", ["乌鲁木齐市"]),
        ("人在成都市武侯区，电话13912345678", ["成都市", "武侯区"]),
        ("我廣東的冷氣壞了", ["廣東"]),  # traditional: found on the normalised text, span on the original
        ("江苏省外电话都无法联系", ["江苏省"]),
        ("Haier fridge not cooling, I'm in Berlin", ["Berlin"]),
        ("is there a service centre near New York", ["New York"]),
        ("service provider in Bangalore for my tablet", ["Bangalore"]),
        ("Montreal, where the offer is not valid", ["Montreal"]),
        ("My laptop broke, I am in Leeds", ["Leeds"]),
        ("I live in Reading and the washer leaks", ["Reading"]),
    ],
)
def test_places_in_sentences_are_found(finder: PlaceFinder, text: str, expected: list[str]) -> None:
    assert _places(finder, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the screen goes black after a minute",  # "Goes" is a Dutch town
        "Mobile phone will not charge",  # Mobile, Alabama
        "Reading the manual did not help",  # Reading, England, without a preposition of place
        "@Delta Hi @Delta, I heard back",  # handles never count
        "东方财富特权没了",  # 东方 is a city in Hainan and an everyday word
        "装在郊区的房子里，城区也有",  # generic division names
        "Nice phone, shame about the battery",
        "#London #fail my phone",
        "my name is Jordan and my fridge is warm",
        "mail me at support@paris.example.com",
    ],
)
def test_everyday_words_handles_and_generic_names_are_not_places(finder: PlaceFinder, text: str) -> None:
    assert _places(finder, text) == []


def test_empty_and_odd_text(finder: PlaceFinder) -> None:
    assert finder.find("") == []
    assert _places(finder, "😡😡 \ud800 北京市\x00") == ["北京市"]
    assert _places(finder, "深圳" * 3000)  # long text: no error, spans found


def test_the_component_adds_location_entities_on_the_original_text(tmp_path) -> None:  # type: ignore[no-untyped-def]
    component = PlaceEntityExtractor.create(
        {}, LocalModelStorage(tmp_path), Resource("places"), ExecutionContext(GraphSchema({}), "places")
    )
    text = "我在廣州市天河區，冰箱不製冷"
    [message] = component.process(TextNormaliser().process([Message({TEXT: text})]))
    locations = [e for e in message.get(ENTITIES) if e["entity"] == "location"]
    spans = [(e["value"], text[e["start"] : e["end"]]) for e in locations]
    assert spans == [("廣州市天河區", "廣州市天河區")]  # adjacent divisions are one place
    assert all(e["extractor"] == "PlaceEntityExtractor" for e in locations)
    [empty] = component.process([Message({TEXT: ""})])
    assert not empty.get(ENTITIES)


def test_a_chinese_name_never_straddles_two_words(finder: PlaceFinder) -> None:
    text = "跟我约了周六安装，系统重新安排"
    # Token boundaries as the tokenizer gives them: 跟|我|约|了|周六|安装|，|系统|重新|安排
    words = ["跟", "我", "约", "了", "周六", "安装", "，", "系统", "重新", "安排"]
    starts, ends, position = set(), set(), 0
    for word in words:
        starts.add(position)
        position += len(word)
        ends.add(position)
    assert finder.find(text, text, (starts, ends)) == []
    assert [s.text for s in finder.find("我家在六安", "我家在六安", ({0, 1, 2, 3}, {1, 2, 3, 5}))] == ["六安"]


@pytest.mark.parametrize(("text", "place", "expected"), [
    ("北京市海淀区中关村大街27号", "北京市海淀区", "北京市海淀区中关村大街27号"),
    ("我在深圳市南山区科技园，空调坏了", "深圳市南山区", "深圳市南山区科技园"),
    ("上海市浦东新区张江镇祖冲之路899号3栋501室", "上海市浦东新区", "上海市浦东新区张江镇祖冲之路899号3栋501室"),
    ("北京市海淀区的空调坏了", "北京市海淀区", "北京市海淀区"),  # 的 ends the address
    ("广州市天河区空调不制冷", "广州市天河区", "广州市天河区"),  # what follows is not an address
    ("I'm in Berlin, near the station", "Berlin", "Berlin"),  # other places are kept as found
    ("我在乌鲁木齐市", "成都市", "成都市"),  # not in the text
])
def test_an_address_runs_on_from_the_place_while_it_reads_like_one(text: str, place: str, expected: str) -> None:
    assert address_span(text, place) == expected


def test_a_word_made_of_places_is_read_as_those_places(finder: PlaceFinder) -> None:
    """jieba keeps 上海浦东新区 as one word: it is still 上海 + 浦东新区 (and 周六|安装 still holds no 六安)."""
    text = "冰箱不冷了，上海浦东新区，麻烦来看看"
    words = ["冰箱", "不冷", "了", "，", "上海浦东新区", "，", "麻烦", "来", "看看"]
    starts, ends, position = set(), set(), 0
    for word in words:
        starts.add(position)
        position += len(word)
        ends.add(position)
    assert [s.text for s in finder.find(text, text, (starts, ends))] == ["上海", "浦东新区"]


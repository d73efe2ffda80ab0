"""Parts read in the light of the product a message names, and product words in set phrases."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource

from bot.nlu.components.catalogue_matcher import CatalogueEntityExtractor
from bot.nlu.lexicon.catalogue_context import Match, compared_part, implied_categories, in_set_phrase, parts_in_context
from bot.nlu.text.normalise import normalise

OWNERS = {"motherboard": frozenset({"laptop", "desktop"}), "mainboard": frozenset({"tv", "air_conditioner"}),
          "fan": frozenset({"desktop"}), "battery": frozenset({"phone", "laptop"})}
ALTERNATIVES = {"主板": ("motherboard", "mainboard"), "风扇": ("fan",), "battery": ("battery",)}


def test_a_part_takes_the_kind_of_the_product_named() -> None:
    text = "空调主板坏了"
    found = [Match(0, 2, "product_category", "air_conditioner"), Match(2, 4, "part", "motherboard")]
    assert parts_in_context(text, found, OWNERS, ALTERNATIVES)[1].value == "mainboard"


def test_a_part_no_named_product_has_is_dropped_and_without_a_product_it_stands() -> None:
    text = "空调就跟电风扇一样吵"
    found = [Match(0, 2, "product_category", "air_conditioner"), Match(5, 7, "part", "fan")]
    assert [m.entity for m in parts_in_context(text, found, OWNERS, ALTERNATIVES)] == ["product_category"]
    assert parts_in_context("主板坏了", [Match(0, 2, "part", "motherboard")], OWNERS, ALTERNATIVES)[0].value == \
        "motherboard"


def test_a_part_stands_within_the_family_of_the_product_named() -> None:
    owners = {**OWNERS, "disk": frozenset({"server"})}
    found = [Match(3, 11, "product_category", "laptop"), Match(20, 30, "part", "disk")]
    kept = parts_in_context("my notebook needs a hard drive", found, owners, {})
    assert [m.value for m in kept] == ["laptop", "disk"]


def test_model_names_of_lines_we_do_not_stock_name_their_kind() -> None:
    found = implied_categories("after the update on my op5t and my galaxy note 9")
    assert [m.value for m in found] == ["phone", "phone"]
    assert implied_categories("opinion: the pavilion was nice") == []


def test_compared_parts_and_set_phrases() -> None:
    assert compared_part("比风扇都不如", 1, 3) and compared_part("跟电风扇一样", 2, 4)
    assert not compared_part("风扇坏了", 0, 2) and not compared_part("压缩机和主板都坏了", 4, 6)
    assert in_set_phrase("I heard back over the phone today", 22, 27, "phone")
    assert in_set_phrase("what is your phone number", 13, 18, "phone")
    assert in_set_phrase("a PC case for $69", 2, 4, "desktop")
    assert not in_set_phrase("my phone screen is cracked", 3, 8, "phone")
    # A number after the word: the customer's phone number (at the phone question or the summary), no product.
    assert in_set_phrase("phone is 139 8765 4321", 0, 5, "phone")
    assert in_set_phrase("my phone: +44 7700 900123", 3, 8, "phone")
    assert not in_set_phrase("phone 14 pro has no signal", 0, 5, "phone")
    assert not in_set_phrase("phone 2 years old, battery dead", 0, 5, "phone")


@pytest.fixture(scope="module")
def matcher(tmp_path_factory: pytest.TempPathFactory) -> CatalogueEntityExtractor:
    return CatalogueEntityExtractor.create(
        {"catalogue_path": "data/catalogue/catalogue.yml"}, LocalModelStorage(Path(tmp_path_factory.mktemp("cm"))),
        Resource("catalogue"), ExecutionContext(GraphSchema({}), "catalogue"),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("美的空调主板坏了", {("product_category", "air_conditioner"), ("part", "mainboard")}),
        ("联想笔记本主板坏了", {("product_category", "laptop"), ("part", "motherboard")}),
        ("空调不制冷，就跟电风扇一样", {("product_category", "air_conditioner")}),
        ("I heard back over the phone after our call", set()),
        ("solar and battery setup, can the freezer run on batteries", {("product_category", "refrigerator")}),
        ("室外机的噪音太大", {("product_category", "air_conditioner")}),
        ("my Ideapad 710S keeps freezing", {("product_category", "laptop")}),
        ("does it fit the side by side model", {("product_category", "refrigerator")}),
        ("iPhone 15 battery drains fast", {("product_category", "phone"), ("part", "battery")}),
        ("空调压缩机和主板都坏了", {("product_category", "air_conditioner"), ("part", "compressor"),
                             ("part", "mainboard")}),
        ("I accidentally dropped my oneplus3 t and broke the glass", {("product_category", "phone")}),
        ("service provider for my Motorola Xoom", {("product_category", "tablet")}),
        ("an opinion about the pavilion", set()),
        ("sending my notebook in for a hard drive replacement", {("product_category", "laptop"), ("part", "disk")}),
    ],
)
def test_the_matcher_reads_parts_and_products_in_context(
    matcher: CatalogueEntityExtractor, text: str, expected: set[tuple[str, str]]
) -> None:
    kinds = ("part", "product_category")
    found = {(f.entity, f.value) for f in matcher.find(normalise(text), text) if f.entity in kinds}
    assert found == expected

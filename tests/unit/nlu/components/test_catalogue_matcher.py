"""CatalogueEntityExtractor and the catalogue lexicon it is built from (data/catalogue/catalogue.yml)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sqlalchemy.orm import Session

from bot.db.models.catalogue import Brand, ProductModel
from bot.db.session import create_sync_engine
from bot.nlu.components.catalogue_matcher import CatalogueEntityExtractor, Found, resolve_overlaps
from bot.nlu.components.normaliser import NORMALISED_TEXT
from bot.nlu.lexicon.catalogue_lexicon import export_catalogue, lexicon_from_seed, load_catalogue
from bot.nlu.text.normalise import normalise
from bot.settings import PROJECT_ROOT

CATALOGUE = PROJECT_ROOT / "data" / "catalogue" / "catalogue.yml"
RESOURCE = Resource("catalogue_matcher")


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def _config(**overrides: Any) -> dict[str, Any]:
    return {**CatalogueEntityExtractor.get_default_config(), "catalogue_path": str(CATALOGUE), **overrides}


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> LocalModelStorage:
    """One model storage for the module's trained extractor."""
    return LocalModelStorage(tmp_path_factory.mktemp("model_storage"))


@pytest.fixture(scope="module")
def extractor(storage: LocalModelStorage) -> Iterator[CatalogueEntityExtractor]:
    """An extractor created from the committed catalogue and trained on no examples."""
    component = CatalogueEntityExtractor.create(_config(), storage, RESOURCE, _context())
    component.train(TrainingData())
    yield component


def _entities(extractor: CatalogueEntityExtractor, text: str) -> list[dict[str, Any]]:
    message = Message({TEXT: text})
    extractor.process([message])
    return list(message.get(ENTITIES, []))


def _found(extractor: CatalogueEntityExtractor, text: str) -> set[tuple[str, str, str]]:
    """(entity, value, original surface) triples."""
    return {(e["entity"], e["value"], text[e["start"] : e["end"]]) for e in _entities(extractor, text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "格力空调E1报错",
            {("brand", "gree", "格力"), ("product_category", "air_conditioner", "空调"),
             ("symptom", "error_code_shown", "报错")},
        ),
        ("冷氣機不冷", {("product_category", "air_conditioner", "冷氣"), ("symptom", "not_cooling", "不冷")}),
        (
            "my Redmi Note 12 screen cracked",
            {("brand", "xiaomi", "Redmi"), ("product_category", "phone", "Redmi"), ("part", "screen", "screen"),
             ("symptom", "cracked", "cracked")},
        ),
        (
            "ＭＹ ＰＨＯＮＥ ＷＯＮ’Ｔ ＣＨＡＲＧＥ",
            {("product_category", "phone", "ＰＨＯＮＥ"), ("symptom", "wont_charge", "ＷＯＮ’Ｔ ＣＨＡＲＧＥ")},
        ),
        ("my A/C wont turn on", {("product_category", "air_conditioner", "A/C"),
                                 ("symptom", "wont_power_on", "wont turn on")}),
        ("海爾冰箱不製冷還結霜", {("brand", "haier", "海爾"), ("product_category", "refrigerator", "冰箱"),
                             ("symptom", "not_cooling", "不製冷"), ("symptom", "ice_buildup", "結霜")}),
        (
            "LG TV, no sound",
            {("brand", "lg", "LG"), ("product_category", "tv", "TV"), ("symptom", "no_sound", "no sound")},
        ),
        ("HW-PH-SCR-001 有货吗", {("part", "screen", "HW-PH-SCR-001")}),
        ("换个屏幕总成要多少钱", {("part", "screen", "屏幕总成")}),
    ],
)
def test_finds_catalogue_entities(extractor: CatalogueEntityExtractor, text: str, expected: set[Any]) -> None:
    assert _found(extractor, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "remind me tomorrow",  # "mi"
        "LGBT rights",  # "LG"
        "go back, my account",  # "ac"
        "a 1.5hp unit, 2pcs",  # "hp", "pc"
        "Ronshenx is not a brand",  # "Ronshen"
        "",
        "😀👍",
    ],
)
def test_latin_terms_need_word_boundaries(extractor: CatalogueEntityExtractor, text: str) -> None:
    assert _entities(extractor, text) == []


def test_models_match_with_or_without_separators_and_imply_their_brand(extractor: CatalogueEntityExtractor) -> None:
    for text in ("华为mate60pro充不进电", "华为 Mate 60 Pro 充不进电", "华为MATE-60-PRO充不进电"):
        found = _found(extractor, text)
        assert ("brand", "huawei", "华为") in found
        assert {f[:2] for f in found} == {("brand", "huawei"), ("product_model", "Mate 60 Pro"),
                                          ("product_category", "phone"), ("symptom", "wont_charge")}


def test_a_model_names_its_brand_and_category_when_the_message_does_not(extractor: CatalogueEntityExtractor) -> None:
    text = "我的iPhone15屏幕碎了"

    assert _found(extractor, text) == {
        ("product_model", "iPhone 15", "iPhone15"),
        ("brand", "apple", "iPhone15"),
        ("product_category", "phone", "iPhone15"),
        ("part", "screen", "屏幕"),
        ("symptom", "cracked", "碎了"),
    }


def test_longest_match_wins(extractor: CatalogueEntityExtractor) -> None:
    found = _found(extractor, "Redmi Note 13 Pro 不开机")

    # "Redmi" (brand) lies inside the model: only the model stays, and its brand comes from the catalogue.
    assert found == {
        ("product_model", "Redmi Note 13 Pro", "Redmi Note 13 Pro"),
        ("brand", "xiaomi", "Redmi Note 13 Pro"),
        ("product_category", "phone", "Redmi Note 13 Pro"),
        ("symptom", "wont_power_on", "不开机"),
    }
    assert _found(extractor, "笔记本电脑") == {("product_category", "laptop", "笔记本电脑")}  # not 电脑 / 笔记本


def test_same_span_matches_of_different_types_are_kept(extractor: CatalogueEntityExtractor) -> None:
    assert _found(extractor, "iPad坏了") == {
        ("brand", "apple", "iPad"),
        ("product_category", "tablet", "iPad"),
        ("symptom", "not_working", "坏了"),
    }


def test_brand_plus_category_aliases_give_both_entities(extractor: CatalogueEntityExtractor) -> None:
    assert _found(extractor, "华为手机") == {("brand", "huawei", "华为"), ("product_category", "phone", "手机")}


def test_entity_dicts_carry_extractor_confidence_and_original_offsets(extractor: CatalogueEntityExtractor) -> None:
    text = "Hi，我的 GREE 冷氣 漏水"
    message = Message({TEXT: text, ENTITIES: [{"entity": "language", "value": "zh", "start": 0, "end": 14}]})

    extractor.process([message])

    entities = message.get(ENTITIES)
    assert entities[0]["entity"] == "language"  # earlier entities are kept
    assert [(e["entity"], text[e["start"] : e["end"]]) for e in entities[1:]] == [
        ("brand", "GREE"), ("product_category", "冷氣"), ("symptom", "漏水")
    ]
    for entity in entities[1:]:
        assert entity["extractor"] == "CatalogueEntityExtractor"
        assert entity["confidence_entity"] == 1.0
    assert ENTITIES in message.output_properties


def test_uses_the_stored_normalised_text(extractor: CatalogueEntityExtractor) -> None:
    message = Message({TEXT: "XXXX", NORMALISED_TEXT: "格力空调"})

    extractor.process([message])

    assert [(e["value"], e["start"], e["end"]) for e in message.get(ENTITIES)] == [
        ("gree", 0, 2), ("air_conditioner", 2, 4)
    ]


def test_entity_types_can_be_restricted(storage: LocalModelStorage) -> None:
    only_symptoms = CatalogueEntityExtractor.load(_config(entities=["symptom"]), storage, RESOURCE, _context())

    assert _found(only_symptoms, "格力空调不制冷") == {("symptom", "not_cooling", "不制冷")}


def test_unknown_entity_types_are_refused(storage: LocalModelStorage) -> None:
    with pytest.raises(ValueError, match="extracts only"):
        CatalogueEntityExtractor.load(_config(entities=["colour"]), storage, RESOURCE, _context())


def test_patterns_round_trip_through_the_model_storage(
    extractor: CatalogueEntityExtractor, storage: LocalModelStorage, tmp_path: Path
) -> None:
    # The catalogue file is gone: a loaded extractor must not need it.
    loaded = CatalogueEntityExtractor.load(
        _config(catalogue_path=str(tmp_path / "missing.yml")), storage, RESOURCE, _context()
    )

    for text in ("格力空调E1报错", "my Redmi Note 12 screen cracked", "iPhone15屏幕碎了", "remind me"):
        assert _found(loaded, text) == _found(extractor, text)


def test_resolve_overlaps() -> None:
    found = [
        Found(0, 2, "brand", "a"),
        Found(0, 6, "product_model", "m"),
        Found(4, 8, "part", "p"),
        Found(8, 10, "brand", "b"),
        Found(8, 10, "product_category", "c"),
    ]

    assert resolve_overlaps(found) == [
        Found(0, 6, "product_model", "m"),
        Found(8, 10, "brand", "b"),
        Found(8, 10, "product_category", "c"),
    ]


# --- the lexicon file ---------------------------------------------------------------------------------------


def test_committed_catalogue_equals_a_fresh_export(tmp_path: Path) -> None:
    fresh = tmp_path / "catalogue.yml"

    export_catalogue(None, fresh)

    assert CATALOGUE.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8"), (
        "data/catalogue/catalogue.yml is stale: run `python -m bot catalogue-export` and commit it"
    )


def test_catalogue_round_trips_and_covers_the_fault_lexicon() -> None:
    lexicon = load_catalogue(CATALOGUE)

    assert lexicon == lexicon_from_seed()
    zh_terms = [t for s in lexicon.symptoms for t in s.zh]
    en_terms = [t for s in lexicon.symptoms for t in s.en]
    assert len(zh_terms) >= 60 and len(en_terms) >= 60
    assert {"不制冷", "不制热", "漏水", "漏电", "开不了机", "黑屏", "花屏", "死机", "充不进电", "噪音大", "异响",
            "不脱水", "不加热", "显示E1"} <= set(zh_terms)
    assert {"won't turn on", "not cooling", "leaking", "black screen", "no sound", "won't charge", "overheating",
            "keeps restarting"} <= set(en_terms)
    assert {"屏幕总成", "格力", "不制冷"} <= set(lexicon.han_words())


def test_export_falls_back_to_the_seed_when_the_database_has_no_brands(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "catalogue.yml"

    export_catalogue(db_url, path)

    assert load_catalogue(path) == lexicon_from_seed()


def test_export_falls_back_when_the_database_file_does_not_exist(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'absent.db'}"

    export_catalogue(url, tmp_path / "catalogue.yml")

    assert not (tmp_path / "absent.db").exists()
    assert load_catalogue(tmp_path / "catalogue.yml") == lexicon_from_seed()


def test_export_reads_the_database_when_it_holds_brands(db_url: str, tmp_path: Path) -> None:
    engine = create_sync_engine(db_url)
    with Session(engine) as session, session.begin():
        session.add(Brand(id=1, code="acme", name_zh="极美", name_en="Acme", home_country="CN", aliases=["ACME电器"]))
        session.add(ProductModel(id=1, brand_id=1, category="tv", code="AC-55X", name_zh="极美 AC-55X 电视",
                                 name_en="Acme AC-55X tv", warranty_months=12, main_parts_warranty_months=36))
    engine.dispose()
    path = tmp_path / "catalogue.yml"

    export_catalogue(db_url, path)

    lexicon = load_catalogue(path)
    assert [(b.code, b.aliases) for b in lexicon.brands] == [("acme", ("ACME电器",))]
    assert [(m.brand, m.code) for m in lexicon.models] == [("acme", "AC-55X")]
    assert lexicon.parts == ()
    assert lexicon.symptoms == lexicon_from_seed().symptoms  # hand-written terms come along


# --- brands: support handles, brands we do not service, comparisons -----------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "surface"),
    [
        ("@AppleSupport my phone won't charge", "apple", "AppleSupport"),
        ("@HPSupport printer jammed again", "hp", "HPSupport"),
        ("@Lenovo_in laptop hinge broke", "lenovo", "Lenovo_in"),
        ("@AskPlayStation my console keeps crashing", "sony", "AskPlayStation"),
        ("@SamsungUK fridge leaking", "samsung", "SamsungUK"),
        ("hey @DellCares, still waiting", "dell", "DellCares"),
        ("@hp_uk the fan is loud", "hp", "hp_uk"),
        ("@HPIndia no response", "hp", "HPIndia"),
        ("求助@HPSupport，打印机卡纸", "hp", "HPSupport"),
        ("ＡＰＰＬＥＳＵＰＰＯＲＴ why", "apple", "ＡＰＰＬＥＳＵＰＰＯＲＴ"),  # a listed handle, typed without "@"
    ],
)
def test_support_handles_name_their_brand(
    extractor: CatalogueEntityExtractor, text: str, value: str, surface: str
) -> None:
    brands = {(v, s) for e, v, s in _found(extractor, text) if e == "brand"}

    assert brands == {(value, surface)}


@pytest.mark.parametrize(
    "text", ["@Support my laptop died", "@AskSupport help", "@Mapplesoft is hiring", "@PineAppleSupport hi", "@mius ok"]
)
def test_affixes_alone_and_names_inside_words_are_no_brand(extractor: CatalogueEntityExtractor, text: str) -> None:
    assert not [f for f in _found(extractor, text) if f[0] in ("brand", "unserved_brand")]


def test_an_e_mail_address_is_no_handle(extractor: CatalogueEntityExtractor) -> None:
    # "@apple" here is not a handle: the domain is read as a plain name, as before.
    assert {f for f in _found(extractor, "mail support@apple.com") if f[0] == "brand"} == {("brand", "apple", "apple")}


@pytest.mark.parametrize(
    ("text", "value", "surface"),
    [
        ("my Whirlpool dryer stopped heating", "Whirlpool", "Whirlpool"),
        ("@XboxSupport controller won't pair", "Microsoft", "XboxSupport"),
        ("my Xbox won't turn on", "Microsoft", "Xbox"),
        ("@Moto_Support screen flickers", "Motorola", "Moto_Support"),
        ("@OnePlus_Support no signal", "OnePlus", "OnePlus_Support"),
        ("@WhirlpoolCorp washer broke", "Whirlpool", "WhirlpoolCorp"),
        ("@BoschUK dishwasher error", "Bosch", "BoschUK"),
        ("松下冰箱不制冷", "Panasonic", "松下"),
        ("家里的博世洗碗机坏了", "Bosch", "博世"),
        ("魅族手机充不进电", "Meizu", "魅族"),
        ("我的一加手机黑屏了", "OnePlus", "一加手机"),
        ("it's a Brother printer", "Brother", "Brother printer"),
    ],
)
def test_brands_we_do_not_service_are_unserved_brand_entities(
    extractor: CatalogueEntityExtractor, text: str, value: str, surface: str
) -> None:
    found = _found(extractor, text)

    assert ("unserved_brand", value, surface) in found
    assert not [f for f in found if f[0] == "brand"]


@pytest.mark.parametrize(
    "text",
    ["螺丝松下来了", "上海市静安区中兴路100号", "热水器一加热就跳闸", "对方太不负责了", "my brother's phone is fine",
     "a sharp noise from the fan", "the aux cable is loose", "I found your address on Google Maps"],
)
def test_everyday_words_and_false_friends_are_no_brand(extractor: CatalogueEntityExtractor, text: str) -> None:
    assert not [f for f in _found(extractor, text) if f[0] in ("brand", "unserved_brand")]


@pytest.mark.parametrize(
    "text",
    [
        "建议买格力空调",
        "别人格力的整机保十年",
        "别人家的美的空调都没这个问题",
        "别人用的海尔就没事",
        "售后网点比联想等牌子少",
        "还不如买海尔",
        "比不上华为",
        "this is no better than Dell",
        "unlike Samsung, they never answer",
        "I'm going to switch to Samsung",
        "should go with LG instead",
        "建议买博世",
        "I'll switch to @XboxSupport",
    ],
)
def test_a_brand_only_compared_with_is_no_mention(extractor: CatalogueEntityExtractor, text: str) -> None:
    assert not [f for f in _found(extractor, text) if f[0] in ("brand", "unserved_brand")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我的格力空调坏了", {("brand", "gree", "格力")}),
        ("my HP printer", {("brand", "hp", "HP")}),
        ("格力比美的耐用", {("brand", "gree", "格力")}),  # the customer's own brand stays; the compared one goes
        ("我比较喜欢格力", {("brand", "gree", "格力")}),  # 比较 is "rather", not a comparison
        ("帮别人买的格力空调坏了", {("brand", "gree", "格力")}),
        ("my Dell is better than HP", {("brand", "dell", "Dell")}),
    ],
)
def test_ordinary_mentions_still_match(
    extractor: CatalogueEntityExtractor, text: str, expected: set[tuple[str, str, str]]
) -> None:
    assert {f for f in _found(extractor, text) if f[0] in ("brand", "unserved_brand")} == expected


def test_handle_entities_index_the_original_text(extractor: CatalogueEntityExtractor) -> None:
    text = "Hi @AskPlayStation，我的PS坏了 and @XboxSupport too"

    entities = [e for e in _entities(extractor, text) if e["entity"] in ("brand", "unserved_brand")]

    assert [(e["entity"], e["value"], text[e["start"] : e["end"]]) for e in entities] == [
        ("brand", "sony", "AskPlayStation"), ("unserved_brand", "Microsoft", "XboxSupport")
    ]


def test_stored_patterns_keep_the_handle_names(
    extractor: CatalogueEntityExtractor, storage: LocalModelStorage, tmp_path: Path
) -> None:
    loaded = CatalogueEntityExtractor.load(
        _config(catalogue_path=str(tmp_path / "missing.yml")), storage, RESOURCE, _context()
    )

    for text in ("@HPSupport hi", "@BrotherUK help", "建议买格力", "my Whirlpool washer"):
        assert _found(loaded, text) == _found(extractor, text)


def test_restricting_entity_types_drops_unserved_brands(storage: LocalModelStorage) -> None:
    only_brands = CatalogueEntityExtractor.load(_config(entities=["brand"]), storage, RESOURCE, _context())

    assert _found(only_brands, "@WhirlpoolCorp and @AppleSupport") == {("brand", "apple", "AppleSupport")}


def test_the_lexicon_carries_handles_and_other_brands() -> None:
    lexicon = load_catalogue(CATALOGUE)
    brands = {b.code: b for b in lexicon.brands}
    others = {b.code: b for b in lexicon.other_brands}

    assert "AppleSupport" in brands["apple"].handles and "PlayStation" in brands["sony"].aliases
    assert len(others) >= 50 and {"Xbox", "Surface Pro"} <= set(others["microsoft"].aliases)
    assert "XboxSupport" in others["microsoft"].handles and "Moto" in others["motorola"].aliases
    served = {normalise(s) for b in lexicon.brands for s in (b.name_zh, b.name_en, *b.aliases, *b.handles)}
    unserved = {normalise(s) for b in lexicon.other_brands for s in (b.name_zh, b.name_en, *b.aliases, *b.handles)}
    assert served.isdisjoint(unserved)
    assert not set(brands) & set(others)
    assert all("@" not in h for b in (*lexicon.brands, *lexicon.other_brands) for h in b.handles)

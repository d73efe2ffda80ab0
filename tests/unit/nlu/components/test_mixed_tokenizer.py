"""MixedScriptTokenizer: jieba with the catalogue for Han runs, whole codes and words, emoji, original offsets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.components.mixed_tokenizer import USER_DICT_FILE, MixedScriptTokenizer
from bot.nlu.components.normaliser import NORMALISED_TEXT
from bot.settings import PROJECT_ROOT

CATALOGUE = PROJECT_ROOT / "data" / "catalogue" / "catalogue.yml"
RESOURCE = Resource("mixed_tokenizer")


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> LocalModelStorage:
    """One model storage for the module's trained tokenizer."""
    return LocalModelStorage(tmp_path_factory.mktemp("model_storage"))


@pytest.fixture(scope="module")
def tokenizer(storage: LocalModelStorage) -> Iterator[MixedScriptTokenizer]:
    """A tokenizer created from the committed catalogue and trained (jieba starts in about a second: once)."""
    config = {**MixedScriptTokenizer.get_default_config(), "catalogue_path": str(CATALOGUE)}
    component = MixedScriptTokenizer.create(config, storage, RESOURCE, _context())
    component.train(TrainingData())
    yield component


def _tokens(tokenizer: MixedScriptTokenizer, text: str, **data: Any) -> list[tuple[str, str]]:
    """(token text, original surface) pairs."""
    message = Message({TEXT: text, **data})
    tokens = tokenizer.tokenize(message, TEXT)
    return [(t.text, text[t.start : t.end]) for t in tokens]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("格力空调不制冷了", ["格力", "空调", "不制冷", "了"]),
        ("小米手机屏幕总成坏了", ["小米", "手机", "屏幕总成", "坏了"]),
        ("华为手机充不进电", ["华为", "手机", "充不进电"]),
        ("惠普电脑开不了机", ["惠普", "电脑", "开不了机"]),
        ("格力空调E1报错", ["格力", "空调", "e1", "报错"]),
    ],
)
def test_chinese_keeps_catalogue_and_fault_terms_whole(
    tokenizer: MixedScriptTokenizer, text: str, expected: list[str]
) -> None:
    assert [token for token, _ in _tokens(tokenizer, text)] == expected


@pytest.mark.parametrize(
    "code", ["KFR-35GW", "KFR-35GW/N1A1", "X1", "E1", "i7-1360P", "AS-20261120-K7PQ2M", "3.5mm", "iPhone15"]
)
def test_codes_and_model_numbers_are_one_token(tokenizer: MixedScriptTokenizer, code: str) -> None:
    text = f"我的{code}坏了, my {code}."

    surfaces = [surface for _, surface in _tokens(tokenizer, text)]

    assert surfaces == ["我", "的", code, "坏了", "my", code]


def test_english_words_contractions_and_punctuation(tokenizer: MixedScriptTokenizer) -> None:
    pairs = _tokens(tokenizer, "My laptop WON'T charge, it's dead... (again)!")

    assert [t for t, _ in pairs] == ["my", "laptop", "won't", "charge", "it's", "dead", "again"]
    assert [s for _, s in pairs] == ["My", "laptop", "WON'T", "charge", "it's", "dead", "again"]


def test_curly_apostrophes_fold_into_the_same_contraction(tokenizer: MixedScriptTokenizer) -> None:
    assert _tokens(tokenizer, "won’t") == [("won't", "won’t")]


def test_each_emoji_is_a_token(tokenizer: MixedScriptTokenizer) -> None:
    family = "👨\u200d👩\u200d👧"
    text = f"好😀😀👍🏽🇨🇳1️⃣{family} ok"

    surfaces = [s for _, s in _tokens(tokenizer, text)]

    assert surfaces == ["好", "😀", "😀", "👍🏽", "🇨🇳", "1️⃣", family, "ok"]


def test_whitespace_and_punctuation_are_not_tokens(tokenizer: MixedScriptTokenizer) -> None:
    assert _tokens(tokenizer, "  ，。！？…—  ?! \n") == []
    assert _tokens(tokenizer, "") == []


def test_traditional_and_full_width_text_gives_normalised_tokens_at_original_offsets(
    tokenizer: MixedScriptTokenizer,
) -> None:
    pairs = _tokens(tokenizer, "冷氣機不冷，ＫＦＲ－３５ＧＷ")

    assert pairs == [("冷气机", "冷氣機"), ("不冷", "不冷"), ("kfr-35gw", "ＫＦＲ－３５ＧＷ")]


def test_token_offsets_index_the_original_text(tokenizer: MixedScriptTokenizer) -> None:
    text = "Hi 客服，我的 Redmi Note 12 螢幕碎了😭 order AS-20261120-K7PQ2M 還沒到"
    message = Message({TEXT: text})

    tokens = tokenizer.tokenize(message, TEXT)

    assert [t.start for t in tokens] == sorted(t.start for t in tokens)
    for token in tokens:
        assert len(token.text) == token.end - token.start
        assert text[token.start : token.end].strip() == text[token.start : token.end]


def test_the_stored_normalised_text_is_used(tokenizer: MixedScriptTokenizer) -> None:
    assert _tokens(tokenizer, "ABC", **{NORMALISED_TEXT: "xyz"}) == [("xyz", "ABC")]


def test_process_sets_text_tokens_and_splits_intents(storage: LocalModelStorage) -> None:
    config = {
        **MixedScriptTokenizer.get_default_config(),
        "catalogue_path": str(CATALOGUE),
        "intent_tokenization_flag": True,
    }
    component = MixedScriptTokenizer.load(config, storage, RESOURCE, _context())
    message = Message({TEXT: "空调漏水", INTENT: "report_fault"})

    component.process_training_data(TrainingData([message]))

    assert [t.text for t in message.get(TOKENS_NAMES[TEXT])] == ["空调", "漏水"]
    assert [t.text for t in message.get(TOKENS_NAMES[INTENT])] == ["report", "fault"]


def test_user_words_round_trip_through_the_model_storage(
    tokenizer: MixedScriptTokenizer, storage: LocalModelStorage, tmp_path: Path
) -> None:
    with storage.read_from(RESOURCE) as directory:
        stored = (directory / USER_DICT_FILE).read_text(encoding="utf-8").split()
    assert {"格力", "屏幕总成", "不制冷", "充不进电"} <= set(stored)

    # The catalogue file is gone: a loaded tokenizer must not need it.
    config = {**MixedScriptTokenizer.get_default_config(), "catalogue_path": str(tmp_path / "missing.yml")}
    loaded = MixedScriptTokenizer.load(config, storage, RESOURCE, _context())

    assert [t for t, _ in _tokens(loaded, "屏幕总成坏了")] == ["屏幕总成", "坏了"]


def test_create_without_the_catalogue_file_fails_clearly(tmp_path: Path) -> None:
    config = {**MixedScriptTokenizer.get_default_config(), "catalogue_path": str(tmp_path / "missing.yml")}

    with pytest.raises(FileNotFoundError, match="catalogue-export"):
        MixedScriptTokenizer.create(config, LocalModelStorage(tmp_path), RESOURCE, _context())


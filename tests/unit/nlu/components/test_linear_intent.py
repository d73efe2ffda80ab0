"""Whole-text character n-grams and the linear intent classifier: training, prediction, persistence, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.components.char_ngram_featurizer import CharNgramFeaturizer
from bot.nlu.components.linear_intent_classifier import LinearIntentClassifier
from bot.nlu.components.normaliser import TextNormaliser
from bot.nlu.model.linear_model import LinearModel, fit_linear_model

TRAINING = [
    ("空调不制冷了", "report_fault"), ("冰箱不制冷", "report_fault"), ("洗衣机坏了漏水", "report_fault"),
    ("my laptop won't charge", "report_fault"), ("phone screen is broken", "report_fault"),
    ("我要退货", "return_refund"), ("申请退款", "return_refund"), ("I want a refund", "return_refund"),
    ("please refund my order", "return_refund"), ("退货退款怎么弄", "return_refund"),
    ("什么时候上门安装", "installation_request"), ("预约安装空调", "installation_request"),
    ("can you install my dishwasher", "installation_request"), ("book an installation", "installation_request"),
]


def _context(name: str) -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), name)


def _messages(texts: list[str]) -> list[Message]:
    messages = [Message({TEXT: text}) for text in texts]
    return TextNormaliser().process(messages)


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def _trained(storage: LocalModelStorage) -> tuple[CharNgramFeaturizer, LinearIntentClassifier]:
    data = TrainingData([Message({TEXT: text, INTENT: intent}) for text, intent in TRAINING])
    TextNormaliser().process(data.training_examples)
    featurizer = CharNgramFeaturizer.create({"alias": "text_chars"}, storage, Resource("chars"), _context("chars"))
    featurizer.train(data)
    featurizer.process_training_data(data)
    classifier = LinearIntentClassifier.create({"C": 10.0}, storage, Resource("linear"), _context("linear"))
    classifier.train(data)
    return featurizer, classifier


def test_character_ngrams_cross_word_boundaries_and_read_the_normalised_text(storage: LocalModelStorage) -> None:
    featurizer, _ = _trained(storage)
    [message] = featurizer.process(_messages(["空調不製冷"]))  # traditional: normalised to 空调不制冷 first
    _, sentence = message.get_sparse_features(TEXT)
    assert sentence is not None and sentence.features.shape[0] == 1
    vocabulary = featurizer._vectorizer.vocabulary  # type: ignore[union-attr]
    present = {term for term, column in vocabulary.items() if sentence.features.tocsr()[0, column] > 0}
    assert {"空调不制", "调不制冷"} <= present  # n-grams that span the words 空调 | 不制冷
    sequence, _ = message.get_sparse_features(TEXT)
    assert sequence is None  # sentence features only


def test_classifier_predicts_unseen_phrasings_in_both_languages(storage: LocalModelStorage) -> None:
    featurizer, classifier = _trained(storage)
    messages = classifier.process(featurizer.process(_messages(["热水器坏了", "refund please", "上门安装电视"])))
    assert [m.get(INTENT)["name"] for m in messages] == ["report_fault", "return_refund", "installation_request"]
    for message in messages:
        ranking = message.get(INTENT_RANKING_KEY)
        assert ranking[0] == message.get(INTENT)
        assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
        assert [r["confidence"] for r in ranking] == sorted((r["confidence"] for r in ranking), reverse=True)


def test_persisted_components_load_and_predict_the_same(storage: LocalModelStorage) -> None:
    featurizer, classifier = _trained(storage)
    texts = ["洗衣机漏水", "I want my money back", "安装"]
    before = [m.get(INTENT_RANKING_KEY) for m in classifier.process(featurizer.process(_messages(texts)))]
    config = {**CharNgramFeaturizer.get_default_config(), "alias": "text_chars"}
    loaded_featurizer = CharNgramFeaturizer.load(config, storage, Resource("chars"), _context("chars"))
    loaded = LinearIntentClassifier.load(
        {**LinearIntentClassifier.get_default_config(), "C": 10.0}, storage, Resource("linear"), _context("linear")
    )
    after = [m.get(INTENT_RANKING_KEY) for m in loaded.process(loaded_featurizer.process(_messages(texts)))]
    assert [[r["name"] for r in x] for x in after] == [[r["name"] for r in x] for x in before]
    for x, y in zip(after, before, strict=True):
        assert [r["confidence"] for r in x] == pytest.approx([r["confidence"] for r in y])


def test_an_untrained_or_missing_model_answers_no_intent(storage: LocalModelStorage) -> None:
    classifier = LinearIntentClassifier.load(
        LinearIntentClassifier.get_default_config(), storage, Resource("absent"), _context("linear")
    )
    [message] = classifier.process(_messages(["空调坏了"]))
    assert message.get(INTENT) == {"name": None, "confidence": 0.0}
    assert message.get(INTENT_RANKING_KEY) == []


def test_text_without_known_ngrams_gets_a_valid_low_confidence_ranking(storage: LocalModelStorage) -> None:
    featurizer, classifier = _trained(storage)
    [message] = classifier.process(featurizer.process(_messages(["🙂🙂🙂"])))
    ranking = message.get(INTENT_RANKING_KEY)
    assert len(ranking) == 3 and ranking[0]["confidence"] < 0.6


def test_blending_with_an_earlier_ranking_moves_the_probabilities(storage: LocalModelStorage) -> None:
    featurizer, classifier = _trained(storage)
    classifier.component_config["blend_previous"] = 0.5
    [message] = featurizer.process(_messages(["空调不制冷"]))
    message.set(INTENT_RANKING_KEY, [{"name": "return_refund", "confidence": 1.0}])
    [message] = classifier.process([message])
    ranking = {r["name"]: r["confidence"] for r in message.get(INTENT_RANKING_KEY)}
    assert ranking["return_refund"] >= 0.5
    assert sum(ranking.values()) == pytest.approx(1.0)


def test_linear_model_weighting_min_df_and_round_trip(tmp_path: Path) -> None:
    counts = scipy.sparse.csr_matrix(np.array([[2, 0, 1, 0], [0, 3, 1, 0], [1, 0, 1, 0], [0, 1, 1, 1]]))
    model = fit_linear_model(counts, ["a", "b", "a", "b"], c=10.0, min_df=2)
    assert model.keep.tolist() == [0, 1, 2]  # feature 3 occurs once: dropped
    weighted = model.weigh(counts)
    assert np.allclose(np.sqrt(weighted.multiply(weighted).sum(axis=1)), 1.0)
    probabilities = model.predict_proba(counts)
    assert probabilities.shape == (4, 2) and np.allclose(probabilities.sum(axis=1), 1.0)
    assert [model.labels[i] for i in probabilities.argmax(axis=1)] == ["a", "b", "a", "b"]
    model.save(tmp_path / "m.npz")
    loaded = LinearModel.load(tmp_path / "m.npz")
    assert np.allclose(loaded.predict_proba(counts), probabilities)
    assert np.allclose(loaded.predict_proba(scipy.sparse.csr_matrix((1, 4))).sum(), 1.0)  # an empty row


def test_linear_model_refuses_an_unknown_format(tmp_path: Path) -> None:
    np.savez(tmp_path / "bad.npz", version=np.array([99]))
    with pytest.raises(ValueError, match="unsupported"):
        LinearModel.load(tmp_path / "bad.npz")


def test_fast_scores_equal_the_matrix_formula() -> None:
    """`scores` (per-row gather) gives what weigh(counts) @ coef.T + intercept gives, duplicates and wide rows too."""
    train = scipy.sparse.random(40, 300, density=0.05, random_state=4, format="csr")
    train.data = np.ceil(train.data * 3)
    model = fit_linear_model(train, [["a", "b", "c"][i % 3] for i in range(40)], min_df=2)
    rows = scipy.sparse.random(25, 320, density=0.08, random_state=5, format="csr")  # 20 features unseen in training
    rows.data = np.ceil(rows.data * 4)
    rows = scipy.sparse.vstack([rows, scipy.sparse.csr_matrix((1, 320))]).tocsr()  # an empty row
    coo = scipy.sparse.coo_matrix(([1.0, 2.0], ([0, 0], [7, 7])), shape=(1, 320))  # a duplicate entry (sums to 3)
    rows = scipy.sparse.vstack([rows, coo]).tocsr()
    expected = np.asarray(model.weigh(rows[:, :300]) @ model.coef.T) + model.intercept
    assert np.allclose(model.scores(rows), expected, atol=1e-12)
    assert np.allclose(model.predict_proba(rows).sum(axis=1), 1.0)


# --- several sparse featurizers, missing blocks, dense features, calibration ---------------------------------------

KEYWORD_PATTERNS = [{"name": "refund", "pattern": "退款|退货|refund"}, {"name": "install", "pattern": "安装|install"}]


def _pipeline(storage: LocalModelStorage, extra: list[tuple[str, str]]) -> tuple[list, TrainingData]:
    """Tokenizer, keyword regexes, word counts and character n-grams (as in config.yml), trained on TRAINING+extra."""
    from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
    from rasa.nlu.featurizers.sparse_featurizer.regex_featurizer import RegexFeaturizer

    from bot.nlu.components.mixed_tokenizer import MixedScriptTokenizer

    data = TrainingData(
        [Message({TEXT: text, INTENT: intent}) for text, intent in [*TRAINING, *extra]],
        regex_features=KEYWORD_PATTERNS,
    )
    TextNormaliser().process_training_data(data)
    tokenizer = MixedScriptTokenizer.create({"catalogue_path": None}, storage, Resource("tokens"), _context("tokens"))
    keywords = RegexFeaturizer.create(
        {**RegexFeaturizer.get_default_config(), "alias": "keywords", "case_sensitive": False,
         "use_word_boundaries": False},
        storage, Resource("keywords"), _context("keywords"),
    )
    words = CountVectorsFeaturizer.create(
        {**CountVectorsFeaturizer.get_default_config(), "alias": "words", "max_ngram": 2},
        storage, Resource("words"), _context("words"),
    )
    chars = CharNgramFeaturizer.create({"alias": "text_chars"}, storage, Resource("chars"), _context("chars"))
    components: list = [tokenizer, keywords, words, chars]
    for component in components:
        component.train(data)
        component.process_training_data(data)
    return components, data


def _featurized(components: list, texts: list[str]) -> list[Message]:
    messages = _messages(texts)
    for component in components:
        messages = component.process(messages)
    return messages


def _assert_valid_ranking(message: Message, labels: set[str]) -> list[dict]:
    ranking = message.get(INTENT_RANKING_KEY)
    assert len(ranking) == len(labels) and {r["name"] for r in ranking} == labels
    assert ranking[0] == message.get(INTENT)
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    assert all(np.isfinite(r["confidence"]) and 0.0 <= r["confidence"] <= 1.0 for r in ranking)
    assert [r["confidence"] for r in ranking] == sorted((r["confidence"] for r in ranking), reverse=True)
    return ranking


def _train_classifier(storage: LocalModelStorage, data: TrainingData, **config: object) -> LinearIntentClassifier:
    classifier = LinearIntentClassifier.create({"C": 10.0, **config}, storage, Resource("linear"), _context("linear"))
    classifier.train(data)
    return classifier


def test_a_training_message_without_word_tokens_does_not_break_several_featurizers(
    storage: LocalModelStorage,
) -> None:
    components, data = _pipeline(storage, [("。。。", "report_fault"), ("！！！？？？", "return_refund")])
    dots = data.training_examples[len(TRAINING)]
    assert dots.get(TEXT) == "。。。"
    assert dots.get_sparse_features(TEXT, ["words"])[1] is None  # no tokens: no word block
    assert dots.get_sparse_features(TEXT, ["text_chars"])[1] is not None
    classifier = _train_classifier(storage, data, featurizers=["keywords", "words", "text_chars"])
    model = classifier._model
    assert model is not None and len(model.block_widths) == 3
    assert model.block_widths[2] == len(components[3]._vectorizer.vocabulary)
    labels = {intent for _, intent in TRAINING}
    messages = classifier.process(_featurized(components, ["。。。", "空调不制冷", "I want a refund", "…"]))
    for message in messages:
        _assert_valid_ranking(message, labels)
    assert [m.get(INTENT)["name"] for m in messages[1:3]] == ["report_fault", "return_refund"]


def test_missing_blocks_are_zeros_in_their_own_columns(storage: LocalModelStorage) -> None:
    components, data = _pipeline(storage, [("。。。", "report_fault")])
    classifier = _train_classifier(storage, data, featurizers=["keywords", "words", "text_chars"])
    model = classifier._model
    assert model is not None
    [message] = _featurized(components, ["。。。"])
    char_block = scipy.sparse.csr_matrix(message.get_sparse_features(TEXT, ["text_chars"])[1].features)
    assert char_block.nnz > 0  # "。" n-grams were seen in training
    keywords_width, words_width, _ = model.block_widths
    row = scipy.sparse.hstack([scipy.sparse.csr_matrix((1, keywords_width + words_width)), char_block]).tocsr()
    expected = dict(zip(model.labels, model.predict_proba(row)[0], strict=True))
    [message] = classifier.process([message])
    ranking = _assert_valid_ranking(message, set(model.labels))
    assert {r["name"]: r["confidence"] for r in ranking} == pytest.approx(expected)


def test_all_featurizers_by_default_keep_a_missing_block_in_its_own_columns(storage: LocalModelStorage) -> None:
    """With `featurizers: None` (all sparse features) "。。。" must be read as with the same featurizers listed."""
    components, data = _pipeline(storage, [("空调不制冷了。。。", "report_fault")])
    listed = _train_classifier(storage, data, featurizers=["keywords", "words", "text_chars"])
    default = LinearIntentClassifier.create({"C": 10.0}, storage, Resource("linear_all"), _context("linear_all"))
    default.train(data)
    [dots] = _featurized(components, ["。。。"])
    assert dots.get_sparse_features(TEXT, ["words"])[1] is None
    assert dots.get_sparse_features(TEXT, ["text_chars"])[1].features.nnz > 0
    for text in ["空调不制冷", "。。。"]:  # the two models are the same regression; only "。。。" lacks blocks
        [by_list] = listed.process(_featurized(components, [text]))
        [by_default] = default.process(_featurized(components, [text]))
        expected = {r["name"]: r["confidence"] for r in by_list.get(INTENT_RANKING_KEY)}
        assert {r["name"]: r["confidence"] for r in by_default.get(INTENT_RANKING_KEY)} == pytest.approx(expected)


INTENTS = ["installation_request", "report_fault", "return_refund"]


def _with_dense(messages: list[Message], directions: list[int], width: int = 4) -> list[Message]:
    """Dense sentence features from an `encoder`: the unit vector of axis `direction`, slightly blurred."""
    from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE
    from rasa.shared.nlu.training_data.features import Features

    for index, (message, direction) in enumerate(zip(messages, directions, strict=True)):
        vector = np.full(width, 0.05 * (index % 3))
        vector[direction] += 1.0
        vector /= np.linalg.norm(vector)
        message.add_features(Features(vector.reshape(1, -1), FEATURE_TYPE_SENTENCE, TEXT, "encoder"))
    return messages


def _trained_with_dense(
    storage: LocalModelStorage, **config: object
) -> tuple[CharNgramFeaturizer, LinearIntentClassifier]:
    data = TrainingData([Message({TEXT: text, INTENT: intent}) for text, intent in TRAINING])
    TextNormaliser().process_training_data(data)
    _with_dense(data.training_examples, [INTENTS.index(intent) for _, intent in TRAINING])
    featurizer = CharNgramFeaturizer.create({"alias": "text_chars"}, storage, Resource("chars"), _context("chars"))
    featurizer.train(data)
    featurizer.process_training_data(data)
    classifier = LinearIntentClassifier.create(
        {"C": 10.0, "dense_featurizers": ["encoder"], "dense_weight": 1.0, **config},
        storage, Resource("linear"), _context("linear"),
    )
    classifier.train(data)
    return featurizer, classifier


def test_the_classifier_reads_the_dense_block(storage: LocalModelStorage) -> None:
    featurizer, classifier = _trained_with_dense(storage)
    assert classifier._model is not None and classifier._model.dense_dimensions == 4
    for intent in INTENTS:
        [message] = featurizer.process(_with_dense(_messages(["🙂🙂🙂"]), [INTENTS.index(intent)]))
        [message] = classifier.process([message])
        _assert_valid_ranking(message, set(INTENTS))
        assert message.get(INTENT)["name"] == intent


def test_a_message_without_or_with_foreign_dense_features_is_read_from_its_sparse_ones(
    storage: LocalModelStorage,
) -> None:
    featurizer, classifier = _trained_with_dense(storage)
    model = classifier._model
    assert model is not None
    [plain] = classifier.process(featurizer.process(_messages(["空调不制冷"])))
    ranking = _assert_valid_ranking(plain, set(INTENTS))
    sparse = plain.get_sparse_features(TEXT, None)[1].features
    expected = dict(zip(model.labels, model.predict_proba(sparse, np.zeros((1, 4)))[0], strict=True))
    assert {r["name"]: r["confidence"] for r in ranking} == pytest.approx(expected)  # zeros for the dense block
    [foreign] = classifier.process(featurizer.process(_with_dense(_messages(["空调不制冷"]), [1], width=7)))
    assert {r["name"]: r["confidence"] for r in foreign.get(INTENT_RANKING_KEY)} == pytest.approx(expected)


def test_no_dense_featurizers_means_a_sparse_only_model(storage: LocalModelStorage) -> None:
    _, classifier = _trained_with_dense(storage, dense_featurizers=[])
    assert classifier._model is not None and classifier._model.dense_dimensions == 0


def test_the_classifier_calibrates_on_a_held_out_split_and_keeps_it_when_loaded(storage: LocalModelStorage) -> None:
    featurizer, classifier = _trained_with_dense(storage, calibration_fraction=0.25)
    model = classifier._model
    assert model is not None
    assert model.calibration.get("heldout_n") == 4.0  # round(0.25 * 14), stratified over 3 intents
    assert model.temperature == model.calibration["temperature"]
    loaded = LinearIntentClassifier.load(
        {"C": 10.0, "dense_featurizers": ["encoder"], "dense_weight": 1.0, "calibration_fraction": 0.25},
        storage, Resource("linear"), _context("linear"),
    )
    assert loaded._model is not None and loaded._model.temperature == model.temperature
    assert loaded._model.dense_dimensions == 4
    texts = ["洗衣机漏水", "refund please"]
    before = classifier.process(featurizer.process(_with_dense(_messages(texts), [1, 2])))
    after = loaded.process(featurizer.process(_with_dense(_messages(texts), [1, 2])))
    for x, y in zip(before, after, strict=True):
        assert [r["name"] for r in x.get(INTENT_RANKING_KEY)] == [r["name"] for r in y.get(INTENT_RANKING_KEY)]
        assert [r["confidence"] for r in x.get(INTENT_RANKING_KEY)] == pytest.approx(
            [r["confidence"] for r in y.get(INTENT_RANKING_KEY)]
        )

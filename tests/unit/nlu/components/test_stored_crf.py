"""The stored CRF extractor loads its trained taggers (no training at load) and predicts what it predicted before;
a model without stored taggers still loads the way Rasa's extractor does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.components.crf_entity_extractor import StoredCRFEntityExtractor

PLACES = ["Manchester", "Leeds", "Pune", "Boston", "Lyon", "Osaka"]
THINGS = ["washer", "fridge", "laptop", "phone"]


def _example(place: str, thing: str) -> Message:
    text = f"my {thing} in {place} is broken"
    start = text.index(place)
    entity = {"entity": "location", "value": place, "start": start, "end": start + len(place)}
    return Message({TEXT: text, INTENT: "report_fault", ENTITIES: [entity]})


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "crf")


def _pipeline(storage: LocalModelStorage, data: TrainingData | None = None) -> list[Any]:
    """A tokenizer and a featurizer (Rasa's CRF needs features present), trained on `data` when given."""
    tokenizer = WhitespaceTokenizer.create(WhitespaceTokenizer.get_default_config(), storage, Resource("tok"),
                                           _context())
    if data is None:
        return [tokenizer, CountVectorsFeaturizer.load(CountVectorsFeaturizer.get_default_config(), storage,
                                                       Resource("cvf"), _context())]
    featurizer = CountVectorsFeaturizer.create(CountVectorsFeaturizer.get_default_config(), storage,
                                               Resource("cvf"), _context())
    tokenizer.process_training_data(data)
    featurizer.train(data)
    featurizer.process_training_data(data)
    return [tokenizer, featurizer]


def _locations(extractor: CRFEntityExtractor, storage: LocalModelStorage) -> list[Any]:
    messages = [Message({TEXT: "my phone in Leeds is broken"})]
    for component in _pipeline(storage):
        messages = component.process(messages)
    [message] = extractor.process(messages)
    return [(e["entity"], e["value"]) for e in message.get(ENTITIES, [])]


def test_stored_taggers_load_without_training(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    storage = LocalModelStorage(tmp_path)
    data = TrainingData([_example(p, t) for p in PLACES for t in THINGS])
    _pipeline(storage, data)
    config = {**StoredCRFEntityExtractor.get_default_config(), "max_iterations": 30}
    trained = StoredCRFEntityExtractor.create(config, storage, Resource("crf"), _context())
    trained.train(data)
    before = _locations(trained, storage)
    assert before == [("location", "Leeds")]

    def no_training(*_: Any, **__: Any) -> Any:
        raise AssertionError("the CRF was trained again at load")

    with monkeypatch.context() as patched:
        patched.setattr(CRFEntityExtractor, "train_model", classmethod(no_training))
        loaded = StoredCRFEntityExtractor.load(config, storage, Resource("crf"), _context())
        # CRFsuite reads the model from the loaded buffer in place: it must outlive the load (churn the heap).
        churn = [bytes([i % 256]) * 4096 for i in range(5000)]
        assert _locations(loaded, storage) == before and churn

    with storage.write_to(Resource("crf")) as model_dir:  # a model from before: no stored taggers
        for path in model_dir.glob("crf_tagger_*.crfsuite"):
            path.unlink()
    assert _locations(StoredCRFEntityExtractor.load(config, storage, Resource("crf"), _context()), storage) == before

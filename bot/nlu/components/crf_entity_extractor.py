"""`StoredCRFEntityExtractor`: Rasa's `CRFEntityExtractor`, stored as its trained CRFsuite models.

Rasa 3.6 stores the CRF's *training data* and trains the CRFs again every time a model is loaded: measured with
py-spy, that was 76% of our Rasa server's cold start (about 30 s on this 2-core machine). This subclass keeps
Rasa's features, training and prediction unchanged and also writes each trained tagger's model file; loading reads
those files into memory (`pycrfsuite.Tagger.open_inmemory`, the buffer kept alive beside the tagger) instead of
training. A model trained by Rasa's own extractor (no tagger files) still loads the old way.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

import rasa.shared.utils.io
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor, CRFToken

logger = logging.getLogger(__name__)

ORDER_FILE = "crf_order.json"


def _tagger_file(tag_name: str) -> str:
    return f"crf_tagger_{tag_name}.crfsuite"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class StoredCRFEntityExtractor(CRFEntityExtractor):
    """Rasa's CRF entity extractor that loads its trained models instead of training again."""

    def persist(self, dataset: list[list[CRFToken]]) -> None:
        """Rasa's files (training data and tag order), plus one CRFsuite model file per trained tagger."""
        super().persist(dataset)
        with self._model_storage.write_to(self._resource) as model_dir:
            for tag_name, tagger in (self.entity_taggers or {}).items():
                source = tagger.modelfile.name
                if source is None:
                    continue
                with open(source, "rb") as trained:
                    (model_dir / _tagger_file(tag_name)).write_bytes(trained.read())

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CRFEntityExtractor:
        """The stored taggers; Rasa's loading (training again) only when they are missing."""
        import pycrfsuite
        import sklearn_crfsuite

        try:
            with model_storage.read_from(resource) as model_dir:
                crf_order = rasa.shared.utils.io.read_json_file(model_dir / ORDER_FILE)
                files = {tag: model_dir / _tagger_file(tag) for tag in crf_order}
                if not all(path.exists() for path in files.values()):
                    logger.info("crf.load_by_training reason=no_stored_taggers")
                    return super().load(config, model_storage, resource, execution_context, **kwargs)
                taggers: OrderedDict[str, Any] = OrderedDict()
                for tag_name, path in files.items():
                    crf = sklearn_crfsuite.CRF(algorithm="lbfgs", c1=config["L1_c"], c2=config["L2_c"],
                                               max_iterations=config["max_iterations"],
                                               all_possible_transitions=True)
                    model_bytes = path.read_bytes()
                    tagger = pycrfsuite.Tagger()
                    tagger.open_inmemory(model_bytes)  # CRFsuite reads from this buffer without copying it:
                    crf._stored_model = model_bytes  # it must live as long as the tagger
                    crf._tagger = tagger  # what `CRF.tagger_` would open from a file
                    crf._info_cached = None
                    taggers[tag_name] = crf
        except ValueError:
            logger.warning("crf.load_failed resource=%s", resource.name)
            return cls(config, model_storage, resource)
        extractor = cls(config, model_storage, resource, taggers)
        extractor.crf_order = crf_order
        return extractor

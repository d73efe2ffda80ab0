"""What our graph components share, so that each component module holds only its own rule.

* `StatelessComponent`: nothing to train or persist; `create` merges the default config with the given one and
  hands it to `from_config` (by default the class takes no arguments).
* `EachMessage`: `process` runs the per-message hook `process_message` on every message; `EachTrainingMessage`
  runs it on every training example too (`process_training_data`).
* `PersistedOnTrain`: built from its source data (`from_source`) by `create`; `train` stores it (`persist`) and
  `load` rebuilds it from the stored file (`from_stored`).
* `read_stored` and `store_text`: one file in the component's model storage.
* `rule_entity`, `append_entities` and `replace_own_entities`: an entity found by a rule (confidence 1.0) and the
  two ways such entities join a message's entities.

Rasa finds a component's `create`, `load` and run methods with `getattr` on the registered (concrete) class and
reads their annotations with `typing.get_type_hints`, so inherited methods serve as well as the class's own as long
as every annotation here resolves at runtime: the types they name are imported at module level.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import ENTITY_ATTRIBUTE_CONFIDENCE_TYPE
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

_Stateless = TypeVar("_Stateless", bound="StatelessComponent")
_Persisted = TypeVar("_Persisted", bound="PersistedOnTrain")
_Read = TypeVar("_Read")


class StatelessComponent(GraphComponent):
    """A component with nothing to train or persist: built from its merged config alone."""

    @classmethod
    def create(
        cls: type[_Stateless],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> _Stateless:
        """Create the component (it has nothing to train or persist) from its default config updated by `config`."""
        return cls.from_config({**cls.get_default_config(), **config})

    @classmethod
    def from_config(cls: type[_Stateless], config: dict[str, Any]) -> _Stateless:
        """The component for the merged `config`; validates it where there is anything to validate."""
        return cls()


class EachMessage:
    """`process` as a loop over the messages, each handed to `process_message`."""

    def process_message(self, message: Message) -> None:
        """Work on one message, in place."""
        raise NotImplementedError

    def process(self, messages: list[Message]) -> list[Message]:
        """Run `process_message` on every message."""
        for message in messages:
            self.process_message(message)
        return messages


class EachTrainingMessage(EachMessage):
    """`EachMessage` that also works on every training example, as on the messages at inference."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Run `process_message` on every training example."""
        for example in training_data.training_examples:
            self.process_message(example)
        return training_data


class PersistedOnTrain(GraphComponent):
    """A component built from its source data (`from_source`), which training stores in the model.

    `train` writes what the component was built with (`persist`; the training examples are not used); `load` reads
    the file `STORED_FILE` back (`read_stored_file`) and rebuilds the component from it (`from_stored`), so that a
    loaded model needs no source file. When nothing is stored it logs `NOT_STORED` (the resource's name its one
    argument) on the component module's logger and builds the component from its source again.
    """

    STORED_FILE: ClassVar[str]
    NOT_STORED: ClassVar[str]
    _resource: Resource

    @classmethod
    def create(
        cls: type[_Persisted],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> _Persisted:
        """Create the component from its source data, for its default config updated by `config`."""
        return cls.from_source({**cls.get_default_config(), **config}, model_storage, resource)

    @classmethod
    def load(
        cls: type[_Persisted],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> _Persisted:
        """Rebuild the component from what training stored (from its source data when nothing is stored)."""
        config = {**cls.get_default_config(), **config}
        log = logging.getLogger(cls.__module__)
        stored = read_stored(model_storage, resource, cls.STORED_FILE, cls.read_stored_file, log, cls.NOT_STORED)
        if stored is None:
            return cls.from_source(config, model_storage, resource)
        return cls.from_stored(config, model_storage, resource, stored)

    @classmethod
    def from_source(
        cls: type[_Persisted], config: dict[str, Any], model_storage: ModelStorage, resource: Resource
    ) -> _Persisted:
        """The component built from its source data for the merged `config`."""
        raise NotImplementedError

    @staticmethod
    def read_stored_file(path: Path) -> Any:
        """What the stored file holds; its text by default."""
        return path.read_text(encoding="utf-8")

    @classmethod
    def from_stored(
        cls: type[_Persisted], config: dict[str, Any], model_storage: ModelStorage, resource: Resource, stored: Any
    ) -> _Persisted:
        """The component rebuilt from `stored` (what `read_stored_file` read) for the merged `config`."""
        raise NotImplementedError

    def persist(self) -> None:
        """Write the component's data to its model storage (the file `STORED_FILE`)."""
        raise NotImplementedError

    def train(self, training_data: TrainingData) -> Resource:
        """Store the component's data in the model (the training examples are not used)."""
        self.persist()
        return self._resource


def read_stored(
    model_storage: ModelStorage, resource: Resource, filename: str, read: Callable[[Path], _Read],
    log: logging.Logger, missing: str,
) -> _Read | None:
    """`read` of the file `filename` stored at training time; None when there is none or it does not parse.

    `missing` is the warning `log` then writes, with the resource's name as its one argument.
    """
    try:
        with model_storage.read_from(resource) as directory:
            return read(directory / filename)
    except (ValueError, FileNotFoundError):
        log.warning(missing, resource.name)
        return None


def store_text(model_storage: ModelStorage, resource: Resource, filename: str, text: str) -> None:
    """Write `text` (UTF-8) as the file `filename` of the component's model storage."""
    with model_storage.write_to(resource) as directory:
        (directory / filename).write_text(text, encoding="utf-8")


def rule_entity(entity: str, value: Any, start: int, end: int) -> dict[str, Any]:
    """An entity found by a rule (a pattern, the lexicon, a gazetteer): certain, so of confidence 1.0."""
    return {
        ENTITY_ATTRIBUTE_TYPE: entity,
        ENTITY_ATTRIBUTE_VALUE: value,
        ENTITY_ATTRIBUTE_START: start,
        ENTITY_ATTRIBUTE_END: end,
        ENTITY_ATTRIBUTE_CONFIDENCE_TYPE: 1.0,
    }


def append_entities(message: Message, entities: list[dict[str, Any]]) -> None:
    """Add `entities` after the message's entities."""
    message.set(ENTITIES, [*message.get(ENTITIES, []), *entities], add_to_output=True)


def replace_own_entities(message: Message, extractor: str, entities: list[dict[str, Any]]) -> None:
    """Put `entities` in place of those `extractor` added before (re-processing adds no second copy)."""
    others = [e for e in message.get(ENTITIES) or [] if e.get(EXTRACTOR) != extractor]
    message.set(ENTITIES, [*others, *entities], add_to_output=True)

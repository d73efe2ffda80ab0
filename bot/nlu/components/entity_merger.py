"""Settles conflicts between entity extractors; runs last in the NLU pipeline.

The rule, applied to every message:

* Two entities *conflict* when they have the same type and overlapping spans ("138 1234 5678" as a phone from
  PatternEntityExtractor and "1234 5678" as a phone from DIETClassifier), or different types and the very same
  span from extractors of different rank ("E14" as error_code and as product_model).
* Of conflicting entities the one from the better-ranked extractor stays: PatternEntityExtractor (validated
  patterns) > CatalogueEntityExtractor (the product catalogue) > PlaceEntityExtractor (gazetteers) >
  CRFEntityExtractor or DIETClassifier (statistical)
  > any other; within one rank the longer span stays, then the one that came first.
* Different types whose spans merely overlap are all kept ("AS-20250305-ABCDEF" as ticket_number and "20250305"
  as a date from another extractor are settled by the patterns themselves, not here).
* Whole-message tags (`language`, `urgency`) and entities without integer offsets take no part and are kept.

Surviving entities keep their original order.
"""

from __future__ import annotations

import bisect
import logging
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    EXTRACTOR,
)
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components.base import EachMessage, StatelessComponent

logger = logging.getLogger(__name__)

DEFAULT_EXTRACTOR_PRIORITY = (
    "PatternEntityExtractor", "CatalogueEntityExtractor", "PlaceEntityExtractor", "StoredCRFEntityExtractor",
    "CRFEntityExtractor",
    "DIETClassifier",
)
DEFAULT_EXEMPT_ENTITIES = ("language", "urgency")


def merge_entities(
    entities: list[dict[str, Any]],
    extractor_priority: tuple[str, ...] = DEFAULT_EXTRACTOR_PRIORITY,
    exempt_entities: tuple[str, ...] = DEFAULT_EXEMPT_ENTITIES,
) -> list[dict[str, Any]]:
    """The entities left after dropping the losers of every conflict (the rule is in the module docstring)."""
    rank = {name: index for index, name in enumerate(extractor_priority)}
    contenders = sorted(
        (
            (rank.get(entity.get(EXTRACTOR) or "", len(rank)), start - end, index)
            for index, entity in enumerate(entities)
            if entity.get(ENTITY_ATTRIBUTE_TYPE) not in exempt_entities
            and isinstance(start := entity.get(ENTITY_ATTRIBUTE_START), int)
            and isinstance(end := entity.get(ENTITY_ATTRIBUTE_END), int)
        )
    )  # best first: extractor rank, then longer, then earlier
    kept_by_type: dict[Any, list[tuple[int, int]]] = {}  # per type: the kept spans, non-overlapping and sorted
    rank_at_span: dict[tuple[int, int], int] = {}  # the rank of the entities kept at each exact span
    dropped: set[int] = set()
    for entity_rank, _, index in contenders:
        entity = entities[index]
        span = (entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END])
        kept = kept_by_type.setdefault(entity.get(ENTITY_ATTRIBUTE_TYPE), [])
        at = bisect.bisect_right(kept, span)
        overlaps_same_type = (at > 0 and kept[at - 1][1] > span[0]) or (at < len(kept) and kept[at][0] < span[1])
        if overlaps_same_type or rank_at_span.get(span, entity_rank) != entity_rank:
            dropped.add(index)
            continue
        kept.insert(at, span)
        rank_at_span[span] = entity_rank
    return [entity for index, entity in enumerate(entities) if index not in dropped]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class EntityMerger(EachMessage, StatelessComponent):
    """Drops duplicate and conflicting entities from different extractors, preferring the more precise one."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config."""
        return {
            # Extractor class names, best first; extractors not listed rank after all of these.
            "extractor_priority": list(DEFAULT_EXTRACTOR_PRIORITY),
            # Entity types that tag the whole message and never conflict.
            "exempt_entities": list(DEFAULT_EXEMPT_ENTITIES),
        }

    def __init__(self, config: dict[str, Any]) -> None:
        """Keep the priority and the exempt types."""
        self._priority = tuple(config["extractor_priority"])
        self._exempt = tuple(config["exempt_entities"])

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> EntityMerger:
        """The merger for the merged `config`."""
        return cls(config)

    def process_message(self, message: Message) -> None:
        """Replace the message's entities with the merged list."""
        entities = message.get(ENTITIES) or []
        merged = merge_entities(entities, self._priority, self._exempt)
        if len(merged) != len(entities):
            logger.debug("entity_merger.dropped count=%d", len(entities) - len(merged))
            message.set(ENTITIES, merged, add_to_output=True)

"""Catalogue entities — brand, unserved_brand, product_category, product_model, part, symptom — by phrase matching.

A spaCy `PhraseMatcher` (blank pipeline, no model) runs over *match tokens* of the normalised text: one token
per Han character, per run of letters (with inner apostrophes) and per run of digits; ``- / . _ + @ ( ) [ ]``
and whitespace separate tokens without being tokens; any other character is a token of its own, so that
punctuation stops a match. Hence "Mate 60", "mate60" and "MATE-60" all match the model "Mate 60", and
traditional or full-width spellings match through the normalisation.

A match starting with a letter or digit must start on a word boundary and end on one — or where letters
meet digits ("iPhone15"): "mi" does not match in "remind", "lg" not in "LGBT", "ac" not in "back", "hp" not in
"1.5hp". Of overlapping matches the longest wins (then the earliest); matches of different entity types over
the very same span are all kept ("iPad": brand apple and product_category tablet). A model match also yields
its brand over the same span unless the message names that brand (`model_implies_brand`).

Brands (`bot.nlu.lexicon.brand_mentions`): an @handle names a brand when it is one of the brand's support handles or its
ASCII name inside support-style affixes ("@AppleSupport", "@Lenovo_in", "@AskPlayStation"); the entity spans the
handle without the "@". Brands we do not service are `unserved_brand` entities valued by their English name
("Whirlpool"). A brand that is only compared with ("建议买格力", "比联想等牌子", "better than Dell") and a name
inside a phrase where it is an ordinary word ("螺丝松下来了") yield no entity. Parts are read in the light of the
product the message names, and product words in set phrases ("over the phone") name no product
(`bot.nlu.lexicon.catalogue_context`).

Values are codes: brand code, category code, model code, part kind, canonical symptom. Offsets index the
original message text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, NamedTuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components.base import EachMessage, PersistedOnTrain, append_entities, rule_entity, store_text
from bot.nlu.components.normaliser import normalised_text
from bot.nlu.lexicon.brand_mentions import HandleResolver, handle_spans, is_comparison, is_false_friend
from bot.nlu.lexicon.catalogue_context import Match, implied_categories, parts_in_context
from bot.nlu.lexicon.catalogue_lexicon import (
    BRAND,
    DEFAULT_CATALOGUE_PATH,
    PART,
    PRODUCT_CATEGORY,
    PRODUCT_MODEL,
    SYMPTOM,
    UNSERVED_BRAND,
    Term,
    load_catalogue,
)
from bot.nlu.text.normalise import HAN_CLASS, normalise

PATTERNS_FILE = "patterns.json"
ENTITY_TYPES = (BRAND, UNSERVED_BRAND, PRODUCT_CATEGORY, PRODUCT_MODEL, PART, SYMPTOM)
_BRAND_TYPES = frozenset({BRAND, UNSERVED_BRAND})

_LETTERS = f"[^\\W\\d_{HAN_CLASS}]"
_MATCH_TOKEN = re.compile(f"[{HAN_CLASS}]|{_LETTERS}+(?:'{_LETTERS}+)*|\\d+|[^\\s\\-/._+@()\\[\\]]")
_HAN = re.compile(f"[{HAN_CLASS}]")
#: Stands for every token no pattern contains, so that the spaCy vocabulary does not grow with user text.
_OTHER = "\x00"


class Found(NamedTuple):
    """One match: [start, end) in the text, entity type and value."""

    start: int
    end: int
    entity: str
    value: str


def match_tokens(text: str) -> list[tuple[str, int, int]]:
    """The match tokens of normalised `text`, as (text, start, end)."""
    return [(m.group(), m.start(), m.end()) for m in _MATCH_TOKEN.finditer(text)]


def _is_word_char(char: str) -> bool:
    return char.isalnum() and not _HAN.match(char)


def _on_boundaries(text: str, start: int, end: int) -> bool:
    if start > 0 and _is_word_char(text[start - 1]) and _is_word_char(text[start]):
        return False
    if end < len(text) and _is_word_char(text[end]) and _is_word_char(text[end - 1]):
        return text[end - 1].isalpha() and text[end].isdigit()  # "iphone|15", not "x50|s"
    return True


def resolve_overlaps(found: list[Found]) -> list[Found]:
    """Keep the longest of overlapping matches (then the earliest); same-span matches of other types stay."""
    kept: list[Found] = []
    for item in sorted(found, key=lambda f: (f.start - f.end, f.start)):
        clashes = [k for k in kept if item.start < k.end and k.start < item.end]
        if all((k.start, k.end) == (item.start, item.end) and k.entity != item.entity for k in clashes):
            kept.append(item)
    return sorted(kept)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class CatalogueEntityExtractor(EachMessage, PersistedOnTrain, EntityExtractorMixin):
    """Finds catalogue and fault terms in messages; the patterns are stored in the model at training time."""

    STORED_FILE = PATTERNS_FILE
    NOT_STORED = "catalogue_matcher.no_stored_patterns resource=%s"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config."""
        return {
            # The lexicon written by `python -m bot catalogue-export`, relative to where Rasa runs. Read at
            # training time only: the patterns are stored in the model.
            "catalogue_path": DEFAULT_CATALOGUE_PATH,
            # Entity types to extract (a subset of brand, unserved_brand, product_category, product_model, part,
            # symptom).
            "entities": list(ENTITY_TYPES),
            # A model match also yields its brand (same span) when the message does not name the brand.
            "model_implies_brand": True,
        }

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
        terms: list[Term], model_brands: dict[str, str], handle_names: list[Term] | None = None,
        part_categories: dict[str, list[str]] | None = None, part_alternatives: dict[str, list[str]] | None = None,
        model_categories: dict[str, str] | None = None,
    ) -> None:
        """Build the phrase matcher over `terms` and the handle reader over `handle_names` (default: the terms).

        `part_categories` and `part_alternatives` (from the lexicon) read parts in the light of the product named.
        """
        import spacy
        from spacy.matcher import PhraseMatcher

        self._model_storage = model_storage
        self._resource = resource
        self._entities = frozenset(config["entities"])
        if not self._entities <= set(ENTITY_TYPES):
            raise ValueError(f"CatalogueEntityExtractor extracts only {list(ENTITY_TYPES)}: {config['entities']}")
        self._implies_brand = bool(config["model_implies_brand"])
        self._terms = [t for t in terms if t.entity in self._entities]
        self._model_brands = model_brands
        self._model_categories = dict(model_categories or {})
        names = self._terms if handle_names is None else handle_names
        self._handle_names = [t for t in names if t.entity in self._entities and t.entity in _BRAND_TYPES]
        self._handles = HandleResolver((t.text, (t.entity, t.value)) for t in self._handle_names)
        self._owners = {k: frozenset(v) for k, v in (part_categories or {}).items()}
        self._alternatives = {k: tuple(v) for k, v in (part_alternatives or {}).items()}
        self._vocab = spacy.blank("xx").vocab
        self._matcher = PhraseMatcher(self._vocab, attr="LOWER")
        self._labels: list[tuple[str, str]] = []
        self._known: set[str] = set()
        patterns: dict[tuple[str, str], list[Any]] = {}
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for term in self._terms:
            words = tuple(token for token, _, _ in match_tokens(normalise(term.text)))
            if not words or (term.entity, words) in seen:
                continue  # an earlier term of this type already claims these tokens
            seen.add((term.entity, words))
            self._known.update(words)
            patterns.setdefault((term.entity, term.value), []).append(self._doc(list(words)))
        for index, (label, docs) in enumerate(patterns.items()):
            self._labels.append(label)
            self._matcher.add(str(index), docs)
        self.find("warm-up 预热")  # spaCy initialises lazily (~0.2 s): pay it here, not on the first message

    def _doc(self, words: list[str]) -> Any:
        from spacy.tokens import Doc

        return Doc(self._vocab, words=words)

    @classmethod
    def from_source(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource
    ) -> CatalogueEntityExtractor:
        """Create the extractor from the configured catalogue file."""
        path = Path(config["catalogue_path"])
        if not path.is_file():
            raise FileNotFoundError(f"catalogue lexicon {path} not found: run `python -m bot catalogue-export`")
        lexicon = load_catalogue(path)
        model_brands = {model.code: model.brand for model in lexicon.models}
        return cls(
            config, model_storage, resource, lexicon.terms(), model_brands, lexicon.handle_names(),
            lexicon.part_categories(), lexicon.part_alternatives(), {m.code: m.category for m in lexicon.models},
        )

    @staticmethod
    def read_stored_file(path: Path) -> Any:
        """The stored patterns (JSON)."""
        return json.loads(path.read_text(encoding="utf-8"))

    @classmethod
    def from_stored(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, stored: Any
    ) -> CatalogueEntityExtractor:
        """Load the patterns stored at training time."""
        terms = [Term(*row) for row in stored["terms"]]
        handle_names = [Term(*row) for row in stored["handle_names"]] if "handle_names" in stored else None
        return cls(
            config, model_storage, resource, terms, stored["model_brands"], handle_names,
            stored.get("part_categories"), stored.get("part_alternatives"), stored.get("model_categories"),
        )

    def persist(self) -> None:
        """Write the terms, the model-to-brand map and the handle names to the model storage."""
        stored = {
            "terms": [list(t) for t in self._terms],
            "model_brands": self._model_brands,
            "handle_names": [list(t) for t in self._handle_names],
            "part_categories": {k: sorted(v) for k, v in self._owners.items()},
            "part_alternatives": {k: list(v) for k, v in self._alternatives.items()},
            "model_categories": self._model_categories,
        }
        store_text(self._model_storage, self._resource, PATTERNS_FILE, json.dumps(stored, ensure_ascii=False))

    def find(self, text: str, original: str | None = None) -> list[Found]:
        """The catalogue entities in normalised `text`, overlaps resolved.

        `original` (the text as typed, same length) lets handles be read with their capitals ("HPIndia").
        """
        tokens = match_tokens(text)
        if not tokens:
            return []
        cased = original if original is not None and len(original) == len(text) else text
        doc = self._doc([token if token in self._known else _OTHER for token, _, _ in tokens])
        found = []
        for match_id, first, last in self._matcher(doc):
            start, end = tokens[first][1], tokens[last - 1][2]
            if _on_boundaries(text, start, end):
                entity, value = self._labels[int(self._vocab.strings[match_id])]
                found.append(Found(start, end, entity, value))
        if self._handles:
            for start, end in handle_spans(text):
                named = self._handles.resolve(cased[start:end])
                if named is not None:
                    found.append(Found(start, end, *named))
        kept = [f for f in resolve_overlaps(found) if f.entity not in _BRAND_TYPES or self._names_a_brand(text, f)]
        kept = [Found(*m) for m in parts_in_context(text, (Match(*f) for f in kept), self._owners, self._alternatives)]
        if self._implies_brand and BRAND in self._entities:
            brands = {f.value for f in kept if f.entity == BRAND}
            for item in [f for f in kept if f.entity == PRODUCT_MODEL]:
                brand = self._model_brands.get(item.value)
                if brand and brand not in brands and not is_comparison(text, item.start, item.end):
                    kept.append(Found(item.start, item.end, BRAND, brand))
                    brands.add(brand)
        if PRODUCT_CATEGORY in self._entities and not any(f.entity == PRODUCT_CATEGORY for f in kept):
            # A model names its category ("iPhone 15" is a phone) when the message names none.
            model = next((f for f in kept if f.entity == PRODUCT_MODEL and f.value in self._model_categories), None)
            if model is not None:
                kept.append(Found(model.start, model.end, PRODUCT_CATEGORY, self._model_categories[model.value]))
            else:
                # A model name of a brand we do not stock ("oneplus3 t", "Galaxy Note 9") still names its kind.
                kept += [Found(*m) for m in implied_categories(text)[:1]]
        return sorted(kept)

    @staticmethod
    def _names_a_brand(text: str, found: Found) -> bool:
        # A brand only compared with ("建议买格力") or a name used as an ordinary word ("松下来") is no mention.
        return not (is_false_friend(text, found.start, found.end) or is_comparison(text, found.start, found.end))

    def process_message(self, message: Message) -> None:
        """Append the catalogue entities of the message."""
        text = normalised_text(message)
        if not text:
            return
        entities = [
            rule_entity(item.entity, item.value, item.start, item.end) for item in self.find(text, message.get(TEXT))
        ]
        if entities:
            self.add_extractor_name(entities)
            append_entities(message, entities)

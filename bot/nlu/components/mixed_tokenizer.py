"""Tokenizer for Chinese, English and mixed messages, on the normalised text with the original offsets.

* Runs of Han characters are segmented by a private jieba `Tokenizer` whose user dictionary holds every
  Chinese catalogue and fault term (格力, 屏幕总成, 不制冷 stay whole).
* Runs of letters and digits are words; ``- . / + _ @`` and apostrophes between them do not split, so model
  numbers, codes and contractions are one token each (``kfr-35gw/n1a1``, ``i7-1360p``, ``3.5mm``, ``won't``).
* Every emoji (with its modifiers, ZWJ sequences and flags) is one token.
* Whitespace, punctuation and other symbols are not tokens.

Token texts are normalised (simplified, half-width, lowercase); ``text[token.start:token.end]`` is the
original surface. The user dictionary is persisted in the model storage at training time, so a loaded model does
not need the catalogue file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components.base import PersistedOnTrain, store_text
from bot.nlu.components.normaliser import normalised_text
from bot.nlu.lexicon.catalogue_lexicon import DEFAULT_CATALOGUE_PATH, load_catalogue
from bot.nlu.text.normalise import HAN_CLASS

USER_DICT_FILE = "user_dict.txt"

# Pictographs and symbols that render as emoji; then skin tones, variation selectors, ZWJ sequences, tags, flags.
_PICTO = (
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u21aa\u231a-\u23ff\u24c2\u25aa-\u25fe\u2600-\u27bf"
    "\u2934\u2935\u2b05-\u2b55\u3030\u303d\u3297\u3299\U0001f000-\U0001faff"
)
_MODIFIERS = "[\ufe0e\ufe0f]?[\U0001f3fb-\U0001f3ff]?"
_EMOJI = (
    "[\U0001f1e6-\U0001f1ff]{2}"
    "|[#*0-9]\ufe0f?\u20e3"
    f"|[{_PICTO}]{_MODIFIERS}(?:\u200d[{_PICTO}]{_MODIFIERS})*[\U000e0020-\U000e007f]*"
)
_ALNUM = f"[^\\W_{HAN_CLASS}]"
_WORD = f"{_ALNUM}+(?:[-./+_@']{_ALNUM}+)*"
_TOKEN = re.compile(f"(?P<han>[{HAN_CLASS}]+)|(?P<emoji>{_EMOJI})|(?P<word>{_WORD})")


def read_user_words(catalogue_path: str | None) -> list[str]:
    """The Chinese terms of the catalogue lexicon at `catalogue_path` (none when the path is None)."""
    if catalogue_path is None:
        return []
    path = Path(catalogue_path)
    if not path.is_file():
        raise FileNotFoundError(f"catalogue lexicon {path} not found: run `python -m bot catalogue-export`")
    return load_catalogue(path).han_words()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class MixedScriptTokenizer(PersistedOnTrain, Tokenizer):
    """Jieba for Han runs with the catalogue as user dictionary; whole words, codes and emoji elsewhere."""

    STORED_FILE = USER_DICT_FILE
    NOT_STORED = "mixed_tokenizer.no_stored_dictionary resource=%s"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config."""
        return {
            # The lexicon written by `python -m bot catalogue-export`, relative to where Rasa runs; None = no
            # user dictionary. Read at training time only: the words are stored in the model.
            "catalogue_path": DEFAULT_CATALOGUE_PATH,
            # Let jieba guess unknown Chinese words with its HMM (as Rasa's JiebaTokenizer does).
            "hmm": True,
            # Split intents into sub-intents on `intent_split_symbol` (for multi-intent classification).
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            # Optional regular expression that further splits every token.
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def required_packages() -> list[str]:
        """Python packages this component needs."""
        return ["jieba"]

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, words: list[str]
    ) -> None:
        """Build the private jieba tokenizer with `words` as its user dictionary."""
        import jieba

        super().__init__(config)
        self._model_storage = model_storage
        self._resource = resource
        self._hmm = bool(config.get("hmm", True))
        self._words = sorted(set(words))
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        for word in self._words:
            self._jieba.add_word(word)
        self._split_compounds()

    def _split_compounds(self) -> None:
        # jieba's own dictionary has compounds of our words (格力空调, 手机电池): lower them so that brand,
        # category and part come out as separate tokens. Pairs only; ~50 ms for a few hundred words.
        words = set(self._words)
        known = self._jieba.FREQ
        for first in self._words:
            for second in self._words:
                if known.get(first + second) and first + second not in words:
                    self._jieba.suggest_freq((first, second), tune=True)

    @classmethod
    def from_source(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource
    ) -> MixedScriptTokenizer:
        """Create an untrained tokenizer with the user words of the configured catalogue."""
        return cls(config, model_storage, resource, read_user_words(config["catalogue_path"]))

    @classmethod
    def from_stored(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, stored: Any
    ) -> MixedScriptTokenizer:
        """Load the user words stored at training time (the catalogue file is not read)."""
        return cls(config, model_storage, resource, stored.split())

    def persist(self) -> None:
        """Write the user words, one a line, to the model storage."""
        store_text(self._model_storage, self._resource, USER_DICT_FILE, "".join(f"{w}\n" for w in self._words))

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Tokens of `message[attribute]`: normalised texts at the original offsets."""
        text = normalised_text(message, attribute)
        if not text:
            return []
        tokens: list[Token] = []
        for match in _TOKEN.finditer(text):
            if match.lastgroup != "han":
                tokens.append(Token(match.group(), match.start()))
                continue
            start = match.start()
            for piece in self._jieba.cut(match.group(), HMM=self._hmm):
                tokens.append(Token(piece, start))
                start += len(piece)
        return self._apply_token_pattern(tokens)

"""Length-preserving normalisation and the TextNormaliser component."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.components.normaliser import NORMALISED_TEXT, TextNormaliser, normalised_text
from bot.nlu.text.normalise import normalise

# Characters that exercise every rule: traditional (one-to-one and phrase-dependent), full-width, curly quotes,
# letters whose lowercase is longer, controls, surrogates, emoji with modifiers.
_TRICKY = "冷氣機螢幕總成壞乾燥隆著名髮發於臺瞭鍾ＡＢＣａ１２３！　’“İẞΣß\t\n\x00\x7f\ud800\udfff😀👍🏽\u200d🇨🇳 aZ-"


@given(st.text(alphabet=st.characters(blacklist_categories=())))
def test_length_is_preserved_for_any_text(text: str) -> None:
    assert len(normalise(text)) == len(text)


@given(st.text(alphabet=st.sampled_from(_TRICKY), max_size=40))
def test_length_is_preserved_for_mixed_script_text(text: str) -> None:
    assert len(normalise(text)) == len(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("冷氣機不冷", "冷气机不冷"),
        ("螢幕總成壞了", "萤幕总成坏了"),
        ("乾燥", "干燥"),  # the phrase dictionary (per character 乾 would also give 干)
        ("ＫＦＲ－３５ＧＷ　漏水！", "kfr-35gw 漏水!"),
        ("My Phone WON’T Charge", "my phone won't charge"),
        ("a\tb\nc\x00d\x7f", "a b c d "),
        ("x\ud800y", "x y"),
        ("我的iPhone屏幕碎了😀👍🏽", "我的iphone屏幕碎了😀👍🏽"),
        ("空调不制冷", "空调不制冷"),  # simplified text is unchanged
        ("", ""),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_lowercase_that_would_change_the_length_is_skipped() -> None:
    assert "İ".lower() != "i"  # two characters: "i" + combining dot
    assert normalise("İSTANBUL") == "İstanbul"


def test_normalise_keeps_offsets_of_a_traditional_phrase() -> None:
    text = "台灣的冷氣機，乾隆年間"
    result = normalise(text)
    assert len(result) == len(text)
    assert result.index("冷气机") == text.index("冷氣機")


def _normaliser(tmp_path: Path) -> TextNormaliser:
    return TextNormaliser.create(
        TextNormaliser.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("text_normaliser"),
        ExecutionContext(GraphSchema({}), "test"),
    )


def test_component_normalises_inference_messages(tmp_path: Path) -> None:
    messages = [Message({TEXT: "冷氣機ＯＫ"}), Message({TEXT: ""}), Message({"intent": "greet"})]

    _normaliser(tmp_path).process(messages)

    assert messages[0].get(NORMALISED_TEXT) == "冷气机ok"
    assert messages[1].get(NORMALISED_TEXT) == ""
    assert messages[2].get(NORMALISED_TEXT) is None
    assert NORMALISED_TEXT not in messages[0].output_properties  # stored, but not in the parse output


def test_component_normalises_training_examples(tmp_path: Path) -> None:
    data = TrainingData([Message({TEXT: "螢幕壞了", "intent": "report_fault"})])

    _normaliser(tmp_path).process_training_data(data)

    assert data.training_examples[0].get(NORMALISED_TEXT) == "萤幕坏了"


def test_normalised_text_reads_the_stored_form_or_computes_it() -> None:
    stored = Message({TEXT: "ABC", NORMALISED_TEXT: "xyz"})
    stale = Message({TEXT: "ABCD", NORMALISED_TEXT: "xyz"})  # wrong length: ignored
    missing = Message({TEXT: "冷氣"})

    assert normalised_text(stored) == "xyz"
    assert normalised_text(stale) == "abcd"
    assert normalised_text(missing) == "冷气"
    assert normalised_text(Message({})) is None
    assert normalised_text(Message({"action_text": "ÖK"}), "action_text") == "ök"

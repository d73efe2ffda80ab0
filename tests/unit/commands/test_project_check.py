"""The strict validation's exceptions: responses uttered by custom actions and the questions forms ask."""

from __future__ import annotations

from pathlib import Path

from bot.project_check import action_responses, form_questions

ROOT = Path(__file__).resolve().parents[3]


def test_form_questions_cover_every_required_slot(tmp_path: Path) -> None:
    domain = tmp_path / "domain.yml"
    text = "forms:\n  repair_form:\n    required_slots: [brand, phone]\n  empty_form: {}\n"
    domain.write_text(text, encoding="utf-8")
    assert form_questions(domain) == {"utter_ask_brand", "utter_ask_phone", "utter_ask_repair_form_brand",
                                      "utter_ask_repair_form_phone"}


def test_every_question_of_our_forms_exists_as_a_response() -> None:
    import yaml

    responses = set(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"])
    asked = {name for name in form_questions(ROOT / "domain.yml") if name.count("_form_") == 0}
    missing = {name for name in asked if name not in responses}
    # Slots asked by a custom action (action_ask_<slot>) need no response.
    custom = {f"utter_ask_{name.removeprefix('action_ask_')}" for name in action_responses(ROOT / "actions")
              if name.startswith("action_ask_")}
    assert missing <= custom, missing - custom

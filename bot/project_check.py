"""`python -m bot validate`: Rasa's own project validation, strict, with one documented exception.

Rasa counts a response as unused unless a story or rule utters it, but most of ours are uttered by custom
actions (`dispatcher.utter_message(response=...)`) with values filled in, and forms ask for their slots with
`utter_ask_<slot>` on their own. Those warnings are accepted exactly for the responses whose names appear as string
literals in `actions/` and for the questions of the forms' required slots; every other warning fails the check.
"""

from __future__ import annotations

import ast
import re
import warnings
from pathlib import Path

_UNUSED = re.compile(r"The utterance '([^']+)' is not used in any story or rule\.")
#: Responses that Rasa's built-in actions utter (action_default_fallback says utter_default).
_RASA_DEFAULT_RESPONSES = frozenset({"utter_default"})
#: Rasa warns about this on every domain load, whatever the domain (slot mappings are explicit here).
_NOISE = ("Slot auto-fill has been removed",)


def action_responses(actions_dir: Path) -> set[str]:
    """Every string literal in the actions package, subpackages included (response names among them)."""
    names: set[str] = set()
    for path in sorted(actions_dir.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                names.add(node.value)
    return names


def form_questions(domain_file: Path) -> set[str]:
    """`utter_ask_<slot>` and `utter_ask_<form>_<slot>` for every required slot of every form of the domain."""
    import yaml

    forms = (yaml.safe_load(domain_file.read_text(encoding="utf-8")) or {}).get("forms") or {}
    names: set[str] = set()
    for form, spec in forms.items():
        for slot in (spec or {}).get("required_slots") or []:
            names |= {f"utter_ask_{slot}", f"utter_ask_{form}_{slot}"}
    return names


def check_project(root: Path) -> list[str]:
    """Problems found by Rasa's validator (empty when the project is clean)."""
    from rasa.cli.utils import validate_files
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        str(root / "config.yml"), str(root / "domain.yml"), [str(root / "data")]
    )
    used_by_actions = action_responses(root / "actions") | form_questions(root / "domain.yml") | _RASA_DEFAULT_RESPONSES
    problems: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            validate_files(fail_on_warnings=False, max_history=None, importer=importer)
        except SystemExit:
            problems.append("Rasa reported errors (see above)")
    for warning in caught:
        if not issubclass(warning.category, UserWarning) or issubclass(warning.category, DeprecationWarning):
            continue
        message = str(warning.message)
        unused = _UNUSED.search(message)
        if unused and unused.group(1) in used_by_actions:
            continue
        if message.startswith(_NOISE) or "site-packages" in warning.filename and "rasa" not in warning.filename:
            continue
        problems.append(message.splitlines()[0][:300])
    return problems

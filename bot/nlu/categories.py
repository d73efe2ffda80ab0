"""The one place where NLU intents map to triage categories (../shared/taxonomy.md)."""

from __future__ import annotations

from bot.domain.taxonomy import Category

#: Dialogue intents are answers inside a conversation, not needs: for triage they are greetings or out of scope.
DIALOGUE_INTENT_CATEGORIES: dict[str, Category] = {
    "affirm": Category.OUT_OF_SCOPE,
    "deny": Category.OUT_OF_SCOPE,
    "thank": Category.OUT_OF_SCOPE,
    "goodbye": Category.OUT_OF_SCOPE,
    "inform": Category.OUT_OF_SCOPE,
    "choose": Category.OUT_OF_SCOPE,
    "nlu_fallback": Category.OUT_OF_SCOPE,
}


def category_for_intent(intent: str | None) -> Category:
    """The triage category of an NLU intent; unknown intents are out of scope."""
    if not intent:
        return Category.OUT_OF_SCOPE
    try:
        return Category(intent)
    except ValueError:
        return DIALOGUE_INTENT_CATEGORIES.get(intent, Category.OUT_OF_SCOPE)

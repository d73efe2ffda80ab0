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

#: Intents finer than the taxonomy: a request about an existing ticket is triaged as its category.
SUB_INTENT_CATEGORIES: dict[str, Category] = {
    "cancel_ticket": Category.TICKET_STATUS,
}


def category_for_intent(intent: str | None) -> Category:
    """The triage category of an NLU intent; unknown intents are out of scope."""
    if not intent:
        return Category.OUT_OF_SCOPE
    try:
        return Category(intent)
    except ValueError:
        return SUB_INTENT_CATEGORIES.get(intent) or DIALOGUE_INTENT_CATEGORIES.get(intent, Category.OUT_OF_SCOPE)

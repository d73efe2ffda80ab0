"""Custom actions: thin adapters from Rasa trackers to `bot.services` (one module per capability).

`rasa run actions --actions actions` imports this package and registers every Action subclass found below.
"""

from actions import cancellation, disambiguation, forms, handoff, parts, routing, tickets, warranty

__all__ = ["cancellation", "disambiguation", "forms", "handoff", "parts", "routing", "tickets", "warranty"]

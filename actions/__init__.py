"""Custom actions: thin adapters from Rasa trackers to `bot.services` (one module or package per capability).

`rasa run actions --actions actions` imports this package and every module below it, subpackages included
(`actions.tickets`), and registers every concrete Action subclass found.
"""

from actions import disambiguation, forms, handoff, parts, routing, tickets, warranty

__all__ = ["disambiguation", "forms", "handoff", "parts", "routing", "tickets", "warranty"]

"""Handoff to a person and customer-satisfaction ratings (recorded, dispatched)."""

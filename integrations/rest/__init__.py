"""Rasa's REST channel, answering for failed turns (see `integrations.never_silent`)."""

"""Rasa graph components of the after-sales bot (imported only by the Rasa server process)."""

"""Rasa graph components of our NLU pipeline (`config.yml`); the plain text rules they use live in `bot.nlu`."""

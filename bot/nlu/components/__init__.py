"""Rasa graph components of our NLU pipeline (`config.yml`); the rules they run live in `bot.nlu`'s other packages."""

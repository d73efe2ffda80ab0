"""Custom actions for the action server (`rasa run actions`): thin adapters over `bot.services`."""

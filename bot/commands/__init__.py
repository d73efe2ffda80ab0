"""Command-line adapters of `python -m bot …` that print to the terminal: thin wrappers over `bot.services`."""

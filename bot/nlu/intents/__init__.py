"""Intents as the bot uses them: their triage categories, "did you mean" offers and the `triage` command."""

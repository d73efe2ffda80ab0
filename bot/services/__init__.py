"""Use cases that own transactions. No Rasa, no web framework in here."""

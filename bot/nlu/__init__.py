"""The after-sales bot's NLU: Rasa graph components (`components`) and the framework-free rules they run.

`text` (normalisation, script, language, masking of personal data), `extraction` (patterns, dates, places,
urgency, ratings), `lexicon` (the catalogue lexicon and how brand and part mentions are read), `model` (the intent
model, its encoder and calibration, the model gate) and `intents` (intent → category, "did you mean", the `triage`
command). Only `components` imports Rasa at module level.
"""

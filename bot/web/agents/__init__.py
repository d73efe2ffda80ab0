"""Agents' and managers' HTTP surface: sign-in, console, hand-off, conversation, dashboard and NLU-review APIs."""

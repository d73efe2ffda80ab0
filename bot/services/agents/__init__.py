"""Agents: accounts and sessions of the console, live assist, conversations and replies."""

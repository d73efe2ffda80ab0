"""The web chat: its page and the updates it polls."""

"""What the Rasa server's input channels share: one runtime (database, HTTP session) and per-conversation lanes."""

"""Query helpers over a caller's session. Repositories never commit: services own the transaction."""

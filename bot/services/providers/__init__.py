"""Service providers: their tickets, keys, status updates, notices and Telegram groups."""

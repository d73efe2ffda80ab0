"""Messages for customers: ticket updates and agents' messages, queued and delivered in order."""

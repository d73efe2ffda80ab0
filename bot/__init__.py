"""After-sales customer-service and ticket-triage bot for consumer electronics."""

__version__ = "0.1.0"

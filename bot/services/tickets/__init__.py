"""Tickets: filing, routing to outlets, SLA sweeps, warranty decisions."""

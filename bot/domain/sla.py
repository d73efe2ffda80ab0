"""Service-level deadlines: how long an outlet has to accept a ticket, and to resolve it."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.taxonomy import Priority

#: Resolution targets by priority; safety hazards must be attended within a day.
RESOLVE_WITHIN: dict[Priority, timedelta] = {
    Priority.SAFETY: timedelta(hours=24),
    Priority.HIGH: timedelta(hours=48),
    Priority.NORMAL: timedelta(hours=72),
    Priority.LOW: timedelta(hours=120),
}
#: Safety tickets cannot wait for an outlet's normal acceptance window.
SAFETY_ACCEPT_WITHIN = timedelta(minutes=30)


def resolve_due(created_at: datetime, priority: Priority) -> datetime:
    """When a ticket of this priority must be resolved."""
    return created_at + RESOLVE_WITHIN[priority]


def accept_due(routed_at: datetime, outlet_sla_minutes: int, priority: Priority) -> datetime:
    """When the assigned outlet must have accepted the ticket (the outlet's SLA, shorter for safety)."""
    window = timedelta(minutes=outlet_sla_minutes)
    if priority is Priority.SAFETY:
        window = min(window, SAFETY_ACCEPT_WITHIN)
    return routed_at + window

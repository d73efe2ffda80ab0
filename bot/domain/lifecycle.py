"""The ticket lifecycle as an explicit state machine."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType

from bot.domain.errors import IllegalTransitionError


class TicketStatus(str, Enum):
    """Where a ticket is in its life."""

    NEW = "new"
    ROUTED = "routed"
    REJECTED = "rejected"
    REROUTED = "rerouted"
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    IN_REPAIR = "in_repair"
    WAITING_PARTS = "waiting_parts"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"


_S = TicketStatus

#: Allowed next statuses. `rerouted` means "assigned to another outlet after a rejection, awaiting acceptance";
#: a rejection of a rerouted ticket goes back to `rejected` so that routing can try the next outlet.
TRANSITIONS: Mapping[TicketStatus, frozenset[TicketStatus]] = MappingProxyType(
    {
        _S.NEW: frozenset({_S.ROUTED, _S.CANCELLED}),
        _S.ROUTED: frozenset({_S.ACCEPTED, _S.REJECTED, _S.CANCELLED}),
        _S.REJECTED: frozenset({_S.REROUTED, _S.CANCELLED}),
        _S.REROUTED: frozenset({_S.ACCEPTED, _S.REJECTED, _S.CANCELLED}),
        _S.ACCEPTED: frozenset({_S.SCHEDULED, _S.IN_REPAIR, _S.WAITING_PARTS, _S.CANCELLED}),
        _S.SCHEDULED: frozenset({_S.IN_REPAIR, _S.WAITING_PARTS, _S.CANCELLED}),
        _S.IN_REPAIR: frozenset({_S.WAITING_PARTS, _S.RESOLVED}),
        _S.WAITING_PARTS: frozenset({_S.IN_REPAIR, _S.RESOLVED, _S.CANCELLED}),
        _S.RESOLVED: frozenset({_S.CLOSED, _S.IN_REPAIR}),
        _S.CLOSED: frozenset(),
        _S.CANCELLED: frozenset(),
    }
)

#: Statuses in which a ticket still occupies its outlet's capacity.
OPEN_STATUSES = frozenset(
    {_S.ROUTED, _S.REROUTED, _S.ACCEPTED, _S.SCHEDULED, _S.IN_REPAIR, _S.WAITING_PARTS}
)
TERMINAL_STATUSES = frozenset({_S.CLOSED, _S.CANCELLED})
#: Statuses in which the customer may still withdraw a ticket themselves: until the repair starts.
CUSTOMER_CANCELLABLE = frozenset({_S.NEW, _S.ROUTED, _S.REJECTED, _S.REROUTED, _S.ACCEPTED, _S.SCHEDULED})


def can_transition(current: TicketStatus, target: TicketStatus) -> bool:
    """Whether the lifecycle allows `current` → `target`."""
    return target in TRANSITIONS[current]


def check_transition(current: TicketStatus, target: TicketStatus) -> None:
    """Raise `IllegalTransitionError` unless `current` → `target` is allowed."""
    if not can_transition(current, target):
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "none (terminal)"
        raise IllegalTransitionError(
            f"ticket cannot go from {current.value} to {target.value}; allowed: {allowed}"
        )

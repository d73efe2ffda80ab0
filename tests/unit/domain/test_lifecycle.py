"""The ticket state machine and ticket numbers."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.domain.errors import IllegalTransitionError
from bot.domain.lifecycle import TERMINAL_STATUSES, TRANSITIONS, TicketStatus, can_transition, check_transition
from bot.domain.ticket_number import ALPHABET, is_ticket_number, new_ticket_number, normalise_ticket_number

S = TicketStatus

HAPPY_PATH = [S.NEW, S.ROUTED, S.ACCEPTED, S.SCHEDULED, S.IN_REPAIR, S.WAITING_PARTS, S.IN_REPAIR, S.RESOLVED, S.CLOSED]


def test_happy_path_is_allowed() -> None:
    for current, target in zip(HAPPY_PATH, HAPPY_PATH[1:], strict=False):
        check_transition(current, target)


def test_rejection_reroutes_and_can_be_rejected_again() -> None:
    for current, target in [(S.ROUTED, S.REJECTED), (S.REJECTED, S.REROUTED), (S.REROUTED, S.REJECTED),
                            (S.REROUTED, S.ACCEPTED)]:
        assert can_transition(current, target)


@pytest.mark.parametrize(
    "current,target",
    [(S.NEW, S.RESOLVED), (S.NEW, S.ACCEPTED), (S.CLOSED, S.IN_REPAIR), (S.CANCELLED, S.NEW),
     (S.RESOLVED, S.CANCELLED), (S.IN_REPAIR, S.ROUTED), (S.ROUTED, S.ROUTED)],
)
def test_illegal_transitions_raise_typed_error(current: TicketStatus, target: TicketStatus) -> None:
    with pytest.raises(IllegalTransitionError) as info:
        check_transition(current, target)
    assert current.value in info.value.message and target.value in info.value.message


def test_every_status_has_an_entry_and_terminals_lead_nowhere() -> None:
    assert set(TRANSITIONS) == set(TicketStatus)
    for status in TERMINAL_STATUSES:
        assert TRANSITIONS[status] == frozenset()
    # every non-terminal status can eventually end (closed or cancelled)
    for status in set(TicketStatus) - TERMINAL_STATUSES:
        seen, frontier = {status}, [status]
        while frontier:
            for nxt in TRANSITIONS[frontier.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    frontier.append(nxt)
        assert seen & TERMINAL_STATUSES, status


def test_ticket_number_format() -> None:
    numbers = {new_ticket_number(date(2026, 11, 25)) for _ in range(500)}
    assert len(numbers) == 500
    for number in numbers:
        assert re.fullmatch(r"AS-20261125-[A-Z2-9]{6}", number)
        assert not set(number[12:]) & set("01OI")
        assert is_ticket_number(number)
    assert set(ALPHABET) & set("01OI") == set()


@pytest.mark.parametrize(
    "typed,expected",
    [("as-20261125-abc234", "AS-20261125-ABC234"), (" AS 20261125 XYZ789 ", "AS-20261125-XYZ789"),
     ("AS-20261125-ABC10O", None), ("hello", None), ("AS-2026112-ABC234", None)],
)
def test_normalise_ticket_number(typed: str, expected: str | None) -> None:
    assert normalise_ticket_number(typed) == expected

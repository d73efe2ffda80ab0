"""Outbound pacing on a fake clock: one message a second per chat, thirty a second overall, 429 pauses."""

from __future__ import annotations

import asyncio

from integrations.telegram.pacing import Pacer
from tests.fakes.clock import FakeClock


async def _sends(pacer: Pacer, clock: FakeClock, chats: list[int]) -> list[tuple[int, float]]:
    sent: list[tuple[int, float]] = []

    async def one(chat: int) -> None:
        await pacer.acquire(chat)
        sent.append((chat, clock.now))

    for chat in chats:  # sequential callers, like one chat's worker
        await one(chat)
    return sent


async def test_one_chat_gets_at_most_one_message_a_second() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    sent = await _sends(pacer, clock, [1, 1, 1])
    assert [t for _, t in sent] == [0.0, 1.0, 2.0]


async def test_different_chats_do_not_wait_for_each_other() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    sent = await _sends(pacer, clock, [1, 2, 3])
    assert [t for _, t in sent] == [0.0, 0.0, 0.0]


async def test_at_most_thirty_messages_a_second_overall() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    times: list[float] = []

    async def one(chat: int) -> None:
        await pacer.acquire(chat)
        times.append(clock.now)

    await asyncio.gather(*(one(chat) for chat in range(75)))
    times.sort()
    assert times.count(0.0) == 30 and times.count(1.0) == 30 and times[60] == 2.0
    for i in range(len(times) - 30):
        assert times[i + 30] - times[i] >= 1.0, "31 messages inside one second"


async def test_retry_after_pauses_every_chat() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    await pacer.acquire(1)
    pacer.pause(7.5)
    await pacer.acquire(2)
    assert clock.now == 7.5
    pacer.pause(-3)  # nonsense from the server never makes us send early or wait backwards
    await pacer.acquire(3)
    assert clock.now == 7.5


async def test_concurrent_waiters_of_one_chat_never_share_a_slot() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    times: list[float] = []

    async def one() -> None:
        await pacer.acquire(9)
        times.append(clock.now)

    await asyncio.gather(*(one() for _ in range(4)))
    times.sort()
    assert all(b - a >= 1.0 for a, b in zip(times, times[1:], strict=False)), times

"""The one background loop: rounds at the interval, failures survived, cancellation never swallowed."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import pytest

from bot.services.outbox.rows import attempt_each, clip_error
from bot.services.periodic import report_fields, run_periodic


@dataclass(frozen=True)
class _Report:
    created: int = 0
    sent: int = 0


async def test_a_failed_round_is_logged_and_the_loop_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.services.periodic")
    calls: list[int] = []
    fourth = asyncio.Event()

    async def step() -> _Report:
        calls.append(1)
        if len(calls) == 4:
            fourth.set()
        if len(calls) == 1:
            raise RuntimeError("database hiccup")
        return _Report(sent=2) if len(calls) == 2 else _Report()

    task = asyncio.create_task(run_periodic("demo_loop", 0.01, step))
    await asyncio.wait_for(fourth.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert "demo_loop.round_failed" in caplog.text and "RuntimeError: database hiccup" in caplog.text
    rounds = [r.getMessage() for r in caplog.records if r.getMessage().startswith("demo_loop.round ")]
    assert rounds == ["demo_loop.round sent=2"]  # an empty round logs nothing


async def test_cancellation_inside_a_round_ends_the_loop() -> None:
    started = asyncio.Event()

    async def step() -> None:
        started.set()
        await asyncio.sleep(60)

    task = asyncio.create_task(run_periodic("slow_loop", 0.01, step, first_delay_s=0))
    await asyncio.wait_for(started.wait(), 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 1)
    assert task.cancelled()


async def test_the_first_round_waits_for_its_delay() -> None:
    calls: list[float] = []
    loop = asyncio.get_running_loop()
    began = loop.time()

    async def step() -> None:
        calls.append(loop.time() - began)

    task = asyncio.create_task(run_periodic("delayed", 0.2, step, first_delay_s=0))
    await asyncio.sleep(0.1)
    task.cancel()
    assert len(calls) == 1 and calls[0] < 0.1


def test_report_fields_keeps_what_a_round_did() -> None:
    assert report_fields(_Report(created=1)) == {"created": 1}
    assert report_fields(_Report()) == {} and report_fields(None) == {} and report_fields(0) == {}
    assert report_fields(3) == {"count": 3} and report_fields(True) == {}


async def test_attempt_each_survives_a_crashing_row(caplog: pytest.LogCaptureFixture) -> None:
    running = 0
    most = 0

    async def attempt(row_id: int) -> str | None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)
        running -= 1
        if row_id == 2:
            raise ValueError("broken row")
        return None if row_id == 3 else "sent"

    statuses = await attempt_each([1, 2, 3, 4, 5], attempt, 2, "demo_outbox")
    assert statuses == ["sent", "sent", "sent"] and most == 2
    assert "demo_outbox.attempt_crashed id=2" in caplog.text


def test_clip_error_bounds_what_is_stored() -> None:
    assert clip_error(None) is None and clip_error("") is None
    assert clip_error("x" * 500) == "x" * 200

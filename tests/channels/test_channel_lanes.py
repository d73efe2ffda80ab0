"""The per-conversation lanes both channels run their turns in.

Arrival order kept within a lane even when slots are filled out of order; lanes run side by side; a failing or
skipped job does not block the lane; a full or closed lane set says so (the channel answers busy); shutdown drains.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from integrations.common.lanes import Lanes
from integrations.telegram.runtime import LANE_EVENTS as TELEGRAM_EVENTS
from integrations.wechat.runtime import LANE_EVENTS


async def test_jobs_run_in_reservation_order_even_when_filled_out_of_order() -> None:
    """The 4th slot filled first still runs last."""
    lanes = Lanes(LANE_EVENTS)
    done: list[int] = []
    slots = [lanes.reserve("oA") for _ in range(4)]

    def job(number: int, pause: float):  # type: ignore[no-untyped-def]
        async def run() -> None:
            await asyncio.sleep(pause)
            done.append(number)
        return run

    # The replay check of the 4th message finishes first, the 1st last: order must still be 1, 2, 3, 4.
    slots[3].fill(job(4, 0))
    slots[1].fill(job(2, 0.02))
    slots[2].fill(job(3, 0))
    await asyncio.sleep(0.05)
    assert done == []  # everything waits for the first slot
    slots[0].fill(job(1, 0.03))
    await lanes.drain(5)
    assert done == [1, 2, 3, 4]
    assert lanes.pending == 0


async def test_customers_do_not_wait_for_each_other() -> None:
    """A slow turn of one customer does not hold another's."""
    lanes = Lanes(LANE_EVENTS)
    release = asyncio.Event()
    done: list[str] = []

    async def slow() -> None:
        await release.wait()
        done.append("oA")

    async def fast() -> None:
        done.append("oB")

    lanes.reserve("oA").fill(slow)
    lanes.reserve("oB").fill(fast)
    await asyncio.sleep(0.02)
    assert done == ["oB"]
    release.set()
    await lanes.drain(5)
    assert done == ["oB", "oA"]


async def test_skipped_failing_and_stuck_jobs_do_not_block_the_lane(caplog: pytest.LogCaptureFixture) -> None:
    """Skipped, failing and timed-out jobs are passed (and logged under the channel's names)."""
    caplog.set_level(logging.INFO)
    lanes = Lanes(LANE_EVENTS, job_timeout_s=0.05)
    done: list[str] = []

    async def boom() -> None:
        raise RuntimeError("broken turn")

    async def stuck() -> None:
        await asyncio.sleep(10)

    async def last() -> None:
        done.append("last")

    lanes.reserve("oA").fill(None)
    lanes.reserve("oA").fill(boom)
    lanes.reserve("oA").fill(stuck)
    lanes.reserve("oA").fill(last)
    await lanes.drain(5)
    assert done == ["last"]
    assert "wechat.job_failed" in caplog.text and "wechat.job_timeout" in caplog.text


async def test_drain_cancels_what_does_not_finish_in_time() -> None:
    """A job still running when the drain times out is cancelled."""
    lanes = Lanes(LANE_EVENTS)
    started = asyncio.Event()

    async def forever() -> None:
        started.set()
        await asyncio.sleep(60)

    lanes.reserve("oA").fill(forever)
    await started.wait()
    await lanes.drain(0.05)
    assert lanes.pending == 0


async def test_submitted_jobs_of_one_chat_run_in_order_and_the_lane_goes_when_idle() -> None:
    """`submit` keeps a chat's order, and an idle lane leaves nothing behind."""
    lanes = Lanes(TELEGRAM_EVENTS)
    done: list[str] = []

    def job(name: str, pause: float):  # type: ignore[no-untyped-def]
        async def run() -> None:
            await asyncio.sleep(pause)
            done.append(name)
        return run

    lanes.submit(1, job("1a", 0.03))
    lanes.submit(1, job("1b", 0))
    lanes.submit(2, job("2a", 0))
    assert lanes.pending == 3
    await lanes.drain(5)
    assert done == ["2a", "1a", "1b"]
    assert lanes.pending == 0 and lanes._tails == {}


async def test_a_full_lane_set_has_no_room_and_a_closed_one_takes_nothing(caplog: pytest.LogCaptureFixture) -> None:
    """`has_room` says no at `max_pending` and after `close`, which refuses new jobs."""
    lanes = Lanes(TELEGRAM_EVENTS, max_pending=2)
    release = asyncio.Event()

    async def wait() -> None:
        await release.wait()

    async def boom() -> None:
        raise RuntimeError("broken turn")

    lanes.submit(1, wait)
    assert lanes.has_room()
    lanes.submit(2, boom)
    assert not lanes.has_room()
    release.set()
    await lanes.close(5)
    assert "telegram.update_failed" in caplog.text
    assert lanes.pending == 0 and not lanes.has_room()
    with pytest.raises(RuntimeError):
        lanes.submit(1, wait)

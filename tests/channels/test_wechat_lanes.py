"""Per-customer lanes: arrival order kept within a lane even when slots are filled out of order; lanes run side by
side; a failing or skipped job does not block the lane; shutdown drains."""

from __future__ import annotations

import asyncio
import logging

import pytest

from integrations.wechat.lanes import Lanes


async def test_jobs_run_in_reservation_order_even_when_filled_out_of_order() -> None:
    lanes = Lanes()
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
    lanes = Lanes()
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
    caplog.set_level(logging.INFO)
    lanes = Lanes(job_timeout_s=0.05)
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
    lanes = Lanes()
    started = asyncio.Event()

    async def forever() -> None:
        started.set()
        await asyncio.sleep(60)

    lanes.reserve("oA").fill(forever)
    await started.wait()
    await lanes.drain(0.05)
    assert lanes.pending == 0

"""One loop for every background worker: run a step every few seconds until cancelled, surviving failed rounds."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

Step = Callable[[], Awaitable[object]]


def report_fields(report: object) -> dict[str, object]:
    """The non-zero fields of a round's report (a dataclass, an int or None); empty when the round did nothing."""
    if dataclasses.is_dataclass(report) and not isinstance(report, type):
        return {key: value for key, value in dataclasses.asdict(report).items() if value}
    if isinstance(report, int) and not isinstance(report, bool) and report:
        return {"count": report}
    return {}


async def run_periodic(name: str, interval_s: float, step: Step, *, first_delay_s: float | None = None) -> None:
    """Await `step()` every `interval_s` seconds until cancelled.

    The first round comes after `first_delay_s` (default: `interval_s`). A round that raises is logged
    (`<name>.round_failed`, with the traceback) and the loop goes on: a database hiccup must not end a worker for the
    life of the process. Cancellation is never swallowed, neither while sleeping nor inside a round.
    A round whose report has non-zero fields is logged as `<name>.round k=v …`.
    """
    delay = interval_s if first_delay_s is None else first_delay_s
    while True:
        await asyncio.sleep(delay)
        delay = interval_s
        try:
            report = await step()
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.warning("%s.round_failed", name, exc_info=True)
            continue
        fields = report_fields(report)
        if fields:
            logger.info("%s.round %s", name, " ".join(f"{key}={value}" for key, value in fields.items()))

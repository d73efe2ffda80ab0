"""REST-channel load generator: simulated users, each holding one conversation after another, turn by turn.

Each user runs scripted flows (bench/conversation_flows.py) against `POST /webhooks/rest/webhook`; every flow is a
new conversation with a sender id of its own. A turn's latency is request sent → whole reply read. With a pause the
users behave like people (they think between turns); with no pause they saturate the server, and the throughput is
the number of turns answered per second inside the measuring window (after a warm-up, before the deadline).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import numpy as np

from bench.conversation_flows import Flow, carries_ticket_number

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadSpec:
    """How many users, for how long, and how they pace themselves."""

    users: int
    #: Users start new flows during this many seconds (after the warm-up); flows already started run to the end.
    duration_s: float
    #: Seconds a user waits between turns and between flows (0: as fast as the server answers).
    pause_s: float
    #: Seconds at the start whose answers do not count towards the throughput.
    warmup_s: float = 0.0
    timeout_s: float = 60.0
    #: Stop each user after this many flows (None: only the deadline stops them).
    max_flows_per_user: int | None = None


@dataclass(frozen=True)
class TurnSample:
    """One answered turn."""

    latency_ms: float
    finished: float
    ticket_turn: bool


@dataclass
class LoadReport:
    """What one or more load runs measured (merge the runs of one bot with `merge`)."""

    samples: list[TurnSample] = field(default_factory=list)
    flows: int = 0
    flows_with_ticket: int = 0
    errors: int = 0
    window_s: float = 0.0
    window_turns: int = 0

    def merge(self, other: LoadReport) -> None:
        """Add another run's figures to these."""
        self.samples += other.samples
        self.flows += other.flows
        self.flows_with_ticket += other.flows_with_ticket
        self.errors += other.errors
        self.window_s += other.window_s
        self.window_turns += other.window_turns

    def percentile_ms(self, q: float, ticket_only: bool = False) -> float:
        """The q-th percentile of turn latency (of the ticket-creating turns only, if asked); NaN with no samples."""
        values = [s.latency_ms for s in self.samples if s.ticket_turn or not ticket_only]
        return round(float(np.percentile(values, q)), 1) if values else float("nan")

    @property
    def throughput_msg_s(self) -> float:
        """Turns answered per second inside the measuring windows."""
        return round(self.window_turns / self.window_s, 2) if self.window_s else 0.0

    @property
    def ticket_ratio(self) -> float:
        """Share of finished flows whose final reply carried a ticket number."""
        return round(self.flows_with_ticket / self.flows, 3) if self.flows else 0.0


def reply_text(replies: Any) -> str:
    """The texts of a REST channel answer (a list of messages), joined."""
    if not isinstance(replies, list):
        return ""
    return "\n".join(str(m.get("text", "")) for m in replies if isinstance(m, dict))


class _Run:
    """One load run: shared state of its users."""

    def __init__(self, url: str, flows: Sequence[Flow], spec: LoadSpec, prefix: str, numbers: Iterator[int]) -> None:
        self.url, self.flows, self.spec, self.prefix, self.numbers = url, flows, spec, prefix, numbers
        self.report = LoadReport()
        self.started = time.perf_counter()
        self.window_start = self.started + spec.warmup_s
        self.deadline = self.window_start + spec.duration_s

    async def user(self, session: aiohttp.ClientSession, index: int) -> None:
        """One simulated user: flow after flow until the deadline."""
        if self.spec.pause_s:
            # Spread the first turns over one pause, as people do not all type at the same instant.
            await asyncio.sleep(self.spec.pause_s * index / self.spec.users)
        done = 0
        while time.perf_counter() < self.deadline and done != self.spec.max_flows_per_user:
            done += 1
            n = next(self.numbers)
            await self.converse(session, self.flows[n % len(self.flows)], n)
            if self.spec.pause_s:
                await asyncio.sleep(self.spec.pause_s)

    async def converse(self, session: aiohttp.ClientSession, flow: Flow, n: int) -> None:
        """Run one flow as a new conversation; a failed turn ends it (it does not count as finished)."""
        sender = f"{self.prefix}-{n}"
        last_reply = ""
        for turn, text in enumerate(flow.render(n)):
            if turn and self.spec.pause_s:
                await asyncio.sleep(self.spec.pause_s)
            started = time.perf_counter()
            try:
                async with session.post(self.url, json={"sender": sender, "message": text}) as response:
                    response.raise_for_status()
                    replies = await response.json()
            except (aiohttp.ClientError, asyncio.TimeoutError):
                self.report.errors += 1
                if self.report.errors == 1:  # the first one with its cause; the rest are counted
                    logger.warning("load.turn_failed flow=%s turn=%s", flow.name, turn, exc_info=True)
                return
            finished = time.perf_counter()
            self.report.samples.append(TurnSample((finished - started) * 1000, finished, turn == flow.ticket_turn))
            last_reply = reply_text(replies)
        self.report.flows += 1
        self.report.flows_with_ticket += carries_ticket_number(last_reply)

    def close(self) -> LoadReport:
        """Count the turns answered inside the window and return the report."""
        self.report.window_s = self.spec.duration_s
        self.report.window_turns = sum(self.window_start <= s.finished <= self.deadline for s in self.report.samples)
        return self.report


async def run_load(
    url: str, flows: Sequence[Flow], spec: LoadSpec, prefix: str, numbers: Iterator[int] | None = None
) -> LoadReport:
    """Run `spec.users` simulated users against the REST webhook at `url`; `numbers` numbers the flows (phones)."""
    run = _Run(url, flows, spec, prefix, numbers if numbers is not None else itertools.count())
    # One connection per user, kept alive between turns, as a browser or a channel gateway would.
    connector = aiohttp.TCPConnector(limit=spec.users)
    timeout = aiohttp.ClientTimeout(total=spec.timeout_s)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(run.user(session, i) for i in range(spec.users)))
    return run.close()

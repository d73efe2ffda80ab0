"""What the NLU feedback service takes and returns, and its pure rules (message keys, the winning label).

Framework-free: the action server imports it (to compute the message key of the user message it asks about), as
does our service (the console's assist and its triage corrections).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any


class Origin(str, Enum):
    """Where an example came from."""

    DID_YOU_MEAN = "did_you_mean"  # the customer chose among the bot's "did you mean" buttons
    AGENT = "agent"  # an agent corrected the live triage in the console
    LOW_CONFIDENCE = "low_confidence"  # the bot was unsure and nobody has labelled it yet


class LabelSource(str, Enum):
    """Who gave a label."""

    CUSTOMER = "customer"
    AGENT = "agent"
    SUPERVISOR = "supervisor"


class ReviewStatus(str, Enum):
    """A supervisor's verdict on an example."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Decision(str, Enum):
    """What a supervisor does with an example in the review queue."""

    ACCEPT = "accept"
    REJECT = "reject"
    RELABEL = "relabel"


CUSTOMER_ACTOR = "customer"
MAX_MESSAGE_KEY = 64


def message_key_of(timestamp: Any) -> str | None:
    """The message key of a Rasa user event: its timestamp with six decimals (`1733312345.678901`).

    Rasa's tracker JSON and the action server's tracker carry the same float `timestamp` for an event, so both
    sides derive the same key; a key given as text is brought to this form when it is a number, and kept as it is
    otherwise (a text hash, for examples created through the API).
    """
    if isinstance(timestamp, bool):
        return None
    if isinstance(timestamp, (int, float)):
        return f"{float(timestamp):.6f}" if math.isfinite(timestamp) and timestamp > 0 else None
    if isinstance(timestamp, str) and 0 < len(timestamp.strip()) <= MAX_MESSAGE_KEY:
        stripped = timestamp.strip()
        try:
            return message_key_of(float(stripped))
        except ValueError:
            return stripped
    return None


def latest_user_event(events: Iterable[Any]) -> dict[str, Any] | None:
    """The latest user event with text (what assist triages and a "did you mean" action asks about)."""
    for event in reversed(list(events)):
        if isinstance(event, dict) and event.get("event") == "user" and isinstance(event.get("text"), str):
            if event["text"].strip():
                return event
    return None


@dataclass(frozen=True)
class LabelView:
    """One label of an example."""

    label: str
    source: str
    actor: str
    at: datetime


@dataclass(frozen=True)
class Winner:
    """The label an example is learnt with, and the share of its labels that agree with it."""

    label: str | None
    agreement: float


def winner_of(labels: Sequence[LabelView]) -> Winner:
    """The supervisor's label if there is one (the latest), else the majority; a tie goes to the most recent label.

    Agreement is the share of all labels equal to the winner (a supervisor overruling two agents: 1/3).
    """
    if not labels:
        return Winner(None, 0.0)
    ordered = sorted(labels, key=lambda label: label.at)
    supervisors = [label for label in ordered if label.source == LabelSource.SUPERVISOR.value]
    if supervisors:
        winner = supervisors[-1].label
    else:
        counts: dict[str, int] = {}
        for label in ordered:
            counts[label.label] = counts.get(label.label, 0) + 1
        best = max(counts.values())
        winner = next(label.label for label in reversed(ordered) if counts[label.label] == best)
    agreement = sum(1 for label in labels if label.label == winner) / len(labels)
    return Winner(winner, round(agreement, 4))


@dataclass(frozen=True)
class ReviewItem:
    """An example as the review queue shows it (masked text only)."""

    id: int
    created_at: datetime
    channel: str
    language: str
    text: str
    predicted_intent: str | None
    predicted_confidence: float | None
    candidates: tuple[str, ...]
    origin: str
    review_status: str
    reviewed_by: str | None
    reviewed_at: datetime | None
    final_label: str | None
    labels: tuple[LabelView, ...]
    winner: str | None
    agreement: float


@dataclass(frozen=True)
class LearnedExample:
    """An accepted example ready for training: masked text, winning label, agreement."""

    id: int
    text: str
    text_hash: str
    language: str
    label: str
    agreement: float
    reviewed_at: datetime | None

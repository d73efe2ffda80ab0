"""Results of the handoff service: plain frozen dataclasses, detached from the ORM."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db.models import Handoff, as_utc


@dataclass(frozen=True)
class HandoffView:
    """A human-handoff request as callers see it."""

    id: int
    conversation_id: str
    channel: str
    language: str
    reason: str
    summary: str
    ticket_number: str | None
    status: str
    agent: str | None
    created_at: datetime
    taken_at: datetime | None
    closed_at: datetime | None
    created: bool = False  # False when `open` found the conversation's existing open handoff

    @classmethod
    def of(cls, handoff: Handoff, created: bool = False) -> HandoffView:
        """Detach an ORM handoff."""
        created_at = as_utc(handoff.created_at)
        assert created_at is not None  # NOT NULL column
        return cls(
            id=handoff.id,
            conversation_id=handoff.conversation_id,
            channel=handoff.channel,
            language=handoff.language,
            reason=handoff.reason,
            summary=handoff.summary,
            ticket_number=handoff.ticket_number,
            status=handoff.status,
            agent=handoff.agent,
            created_at=created_at,
            taken_at=as_utc(handoff.taken_at),
            closed_at=as_utc(handoff.closed_at),
            created=created,
        )

"""Agents take conversations from the bot and give them back: Rasa is told first, then the handoff changes.

Both use cases talk to Rasa before they write: when Rasa cannot be reached its `UpstreamError` propagates and
nothing has changed, so the agent can simply retry (a repeated `pause` or `resume` event is harmless to Rasa).
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from bot.domain.errors import ConflictError, DomainError
from bot.domain.handoff import HandoffReason, HandoffStatus, check_handoff_transition
from bot.domain.slots import LANGUAGE
from bot.services.handoff.service import HandoffService
from bot.services.handoff.types import HandoffView

logger = logging.getLogger(__name__)

TAKEOVER_SUMMARY = "agent takeover"


class EngagementRasa(Protocol):
    """The Rasa HTTP API calls taking over and resuming need (implemented by `RasaBridge`)."""

    async def pause(self, conversation_id: str) -> None:
        """Stop the bot answering in the conversation."""
        ...

    async def resume(self, conversation_id: str) -> None:
        """Let the bot answer again."""
        ...

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        """The conversation's tracker (its slots and latest input channel are read)."""
        ...


class HandoffEngagement:
    """Take-over (pause the bot, queue the conversation if needed, take it) and resume (wake the bot, close)."""

    def __init__(self, handoffs: HandoffService, rasa: EngagementRasa) -> None:
        self._handoffs = handoffs
        self._rasa = rasa

    async def take_over(self, conversation_id: str, agent: str) -> HandoffView:
        """Pause the bot and let `agent` take the conversation, queueing it first when it has no open handoff.

        Idempotent for the same agent; `ConflictError` when another agent has it. Rasa is paused first: when it
        cannot be reached, `UpstreamError` and nothing has changed.
        """
        current = await self._handoffs.get_open(conversation_id)
        if current is not None and current.status == HandoffStatus.TAKEN.value:
            if current.agent != agent.strip():
                raise ConflictError("another agent has taken this conversation")
            return current
        await self._rasa.pause(conversation_id)
        if current is None:
            tracker = await self._rasa.tracker(conversation_id)
            slots: dict[str, Any] = tracker["slots"] if isinstance(tracker.get("slots"), dict) else {}
            channel = str(tracker.get("latest_input_channel") or "unknown")[:24]
            language = str(slots.get(LANGUAGE) or "zh")[:8]
            current = await self._handoffs.open(
                conversation_id, channel, language, HandoffReason.REQUESTED.value, TAKEOVER_SUMMARY
            )
        try:
            view = await self._handoffs.take(current.id, agent)
        except DomainError:
            logger.info("agent.takeover_lost_race id=%s", current.id)
            raise
        logger.info("agent.takeover id=%s", view.id)
        return view

    async def resume(self, handoff_id: int) -> HandoffView:
        """Give the conversation back to the bot, then close the handoff.

        The transition is checked before Rasa is touched (`IllegalTransitionError`); when Rasa cannot be reached,
        `UpstreamError` and the handoff stays as it was, so the agent can retry.
        """
        current = await self._handoffs.get(handoff_id)
        check_handoff_transition(HandoffStatus(current.status), HandoffStatus.CLOSED)
        await self._rasa.resume(current.conversation_id)
        return await self._handoffs.close(handoff_id)

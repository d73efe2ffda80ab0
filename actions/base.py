"""The one place where actions turn failures into a polite answer in the customer's language."""

from __future__ import annotations

import asyncio
import logging
import traceback
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.runtime import Services, public_error, services

logger = logging.getLogger(__name__)
Events = list[dict[str, Any]]


def log_safe_traceback(exc: BaseException) -> str:
    """Where `exc`, and each exception it came from, was raised: the frames and the class names.

    Never the messages, which may carry what the customer said (a phone number, an address).
    """
    parts: list[str] = []
    current: BaseException | None = exc
    while current is not None and len(parts) < 10:
        frames = "".join(traceback.format_tb(current.__traceback__))
        parts.append(f"{frames}{public_error(current)}")
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return "\nraised from:\n".join(parts)


class ServiceAction(Action, ABC):
    """An action over the services: unexpected failures (database down, timeouts) become an apology, never silence."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        """Run `act` over the services; any failure is an apology in the customer's language."""
        try:
            return await self.act(dispatcher, tracker, await services())
        except (asyncio.TimeoutError, OSError, ConnectionError) as exc:
            logger.warning("action.unavailable action=%s error=%s", self.name(), public_error(exc))
        except Exception as exc:  # noqa: BLE001 - the customer gets an apology whatever broke
            logger.error("action.failed action=%s error=%s", self.name(), public_error(exc))
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("action.failed_traceback action=%s\n%s", self.name(), log_safe_traceback(exc))
        dispatcher.utter_message(response="service_unavailable")
        return []

    @abstractmethod
    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services) -> Events:
        """The action's work; raise freely, `run` answers for unexpected failures."""

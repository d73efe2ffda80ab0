"""The one place where actions turn failures into a polite answer in the customer's language."""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.runtime import Services, public_error, services

logger = logging.getLogger(__name__)
Events = list[dict[str, Any]]


class ServiceAction(Action, ABC):
    """An action over the services: unexpected failures (database down, timeouts) become an apology, never silence."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        try:
            return await self.act(dispatcher, tracker, await services())
        except (asyncio.TimeoutError, OSError, ConnectionError) as exc:
            logger.warning("action.unavailable action=%s error=%s", self.name(), public_error(exc))
        except Exception as exc:  # noqa: BLE001 - the customer gets an apology whatever broke
            logger.error("action.failed action=%s error=%s", self.name(), public_error(exc))
        dispatcher.utter_message(response="service_unavailable")
        return []

    @abstractmethod
    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services) -> Events:
        """The action's work; raise freely, `run` answers for unexpected failures."""

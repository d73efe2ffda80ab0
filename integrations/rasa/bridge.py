"""Client for the Rasa HTTP API calls our service makes: resume a conversation, ask for a rating, trigger an intent.

Rasa 3.6 (`rasa/server.py`): `POST /conversations/<id>/tracker/events` appends one event or a list of them (here
`{"event": "resume"}`, which ends a `pause` so the bot answers again, the `slot` event that gives the CSAT
question its ticket number, or a `bot` event: a ticket update or an agent's message for the customer, sent on
when `execute_side_effects=true`); `POST /conversations/<id>/execute` runs one action by name (`{"name": ...}`, no
prediction before it; 404 when the conversation has no tracker; deprecated in Rasa with a `FutureWarning`, used
here to start a bot turn without an intent in the domain); `POST /conversations/<id>/trigger_intent`
injects an intent and runs the bot's reply. Both bot turns are sent through `output_channel` (`latest` = the
channel the customer last wrote on). Every call needs `?token=` when Rasa runs with `--auth-token`. The token is a
secret: it is never logged, and the errors raised here carry neither the URL nor the chained client exception
(whose text would include the URL).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import quote

import aiohttp
from yarl import URL

from bot.domain.errors import UpstreamError, ValidationError
from bot.services.handoff.csat_dispatch import CSAT_ASK_ACTION, CSAT_TICKET_SLOT

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT_S = 5.0
_PATH_SAFE = "/:@!$&'()*+,;=-._~"  # RFC 3986 pchar (plus "/"), beyond letters and digits



class RasaBridge:
    """Calls Rasa's HTTP API on behalf of our service, through the process's one `ClientSession`."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        session: aiohttp.ClientSession,
        timeout_s: float = REQUEST_TIMEOUT_S,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._token = token
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)

    async def resume(self, conversation_id: str) -> None:
        """Hand the conversation back to the bot: a `resume` event, then `action_listen`.

        The listen makes the customer's next message start a fresh turn (what they wrote to the agent while paused
        was never answered by the bot; without the listen the policies see an unanswered turn and fall back, straight
        back to a person).
        """
        await self._post(conversation_id, "tracker/events", {},
                         [{"event": "resume"}, {"event": "action", "name": "action_listen"}])
        logger.debug("rasa.resumed")

    async def ask_for_rating(
        self, conversation_id: str, ticket_number: str, output_channel: str = "latest"
    ) -> list[dict[str, Any]]:
        """Ask the customer to rate `ticket_number`: set the `csat_ticket` slot, run `action_ask_csat`, listen.

        Three calls, in that order; when one fails its `UpstreamError` is raised and the next is not made. The
        `action_listen` closes the bot's turn as a real one would: `execute` runs the action only, and without the
        listen the customer's answer follows `action_ask_csat` directly, which no rule matches (the rating was
        never stored). Returns the messages Rasa collected (those of an output channel it cannot push to, e.g.
        `collector`); empty when it sent them itself.
        """
        if not ticket_number:
            raise ValidationError("a ticket number is required")
        slot_event = {"event": "slot", "name": CSAT_TICKET_SLOT, "value": ticket_number}
        await self._post(conversation_id, "tracker/events", {}, [slot_event])
        body = await self._post(
            conversation_id, "execute", {"output_channel": output_channel}, {"name": CSAT_ASK_ACTION}, answer=True
        )
        await self._post(conversation_id, "tracker/events", {}, [{"event": "action", "name": "action_listen"}])
        logger.debug("rasa.rating_requested")
        messages = body.get("messages") if isinstance(body, dict) else None
        return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []

    async def trigger_intent(
        self, conversation_id: str, intent: str, entities: dict[str, Any], output_channel: str = "latest"
    ) -> None:
        """Make the bot act as if the customer had sent `intent` (one of the domain's) with `entities`."""
        if not intent:
            raise ValidationError("an intent name is required")
        body = {"name": intent, "entities": entities}
        await self._post(conversation_id, "trigger_intent", {"output_channel": output_channel}, body)
        logger.debug("rasa.intent_triggered intent=%s", intent)

    async def post_bot_message(
        self, conversation_id: str, text: str, metadata: dict[str, Any], output_channel: str = "latest"
    ) -> None:
        """Append a bot message to the transcript and send it through `output_channel` (also while paused).

        `execute_side_effects=true` makes Rasa send the appended `BotUttered` through the output channel;
        `output_channel=collector` (a name no channel has) only records it.
        """
        if not text:
            raise ValidationError("a message text is required")
        query = {"output_channel": output_channel, "execute_side_effects": "true"}
        event = {"event": "bot", "text": text, "metadata": metadata}
        await self._post(conversation_id, "tracker/events", query, [event])
        logger.debug("rasa.bot_message_posted")

    async def pause(self, conversation_id: str) -> None:
        """Stop the bot answering in this conversation (append a `pause` event), as an agent takes it over."""
        await self._post(conversation_id, "tracker/events", {}, {"event": "pause"})
        logger.debug("rasa.paused")

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        """The conversation's tracker with all its events (`GET /conversations/<id>/tracker`)."""
        self._check_conversation_id(conversation_id)
        path = f"{self._base}/conversations/{quote(conversation_id, safe=_PATH_SAFE)}/tracker"
        return await self._get_json(URL(path, encoded=True), {"include_events": "ALL"}, "tracker")

    async def parse(self, text: str) -> dict[str, Any]:
        """Rasa's NLU result for `text` (`POST /model/parse`): intent, ranking, entities; no conversation changes."""
        if not text:
            raise ValidationError("a text is required")
        url = URL(f"{self._base}/model/parse", encoded=True).with_query(self._auth({}))
        try:
            async with self._session.post(url, json={"text": text}, timeout=self._timeout) as response:
                return await self._json_of(response, "parse")
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise UpstreamError(f"Rasa is unreachable ({type(exc).__name__})") from None

    def _auth(self, query: dict[str, str]) -> dict[str, str]:
        return {**query, "token": self._token} if self._token is not None else query

    @staticmethod
    def _check_conversation_id(conversation_id: str) -> None:
        if not conversation_id or any(part in {".", ".."} for part in conversation_id.split("/")):
            raise ValidationError("a conversation id is required and must not contain dot segments")

    async def _get_json(self, url: URL, query: dict[str, str], action: str) -> dict[str, Any]:
        try:
            async with self._session.get(url.with_query(self._auth(query)), timeout=self._timeout) as response:
                return await self._json_of(response, action)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise UpstreamError(f"Rasa is unreachable ({type(exc).__name__})") from None

    @staticmethod
    async def _json_of(response: aiohttp.ClientResponse, action: str) -> dict[str, Any]:
        if not 200 <= response.status < 300:
            await response.read()  # release the connection for reuse
            raise UpstreamError(f"Rasa answered {response.status} to {action}", status=response.status)
        try:
            body = await response.json(content_type=None)
        except ValueError:
            raise UpstreamError(f"Rasa sent no JSON for {action}") from None
        if not isinstance(body, dict):
            raise UpstreamError(f"Rasa sent an unexpected {action} answer")
        return body

    async def _post(
        self, conversation_id: str, action: str, query: dict[str, str], body: Any, answer: bool = False
    ) -> Any:
        """POST to the conversation; with `answer`, the JSON Rasa answered (None if it sent none)."""
        if not conversation_id or any(part in {".", ".."} for part in conversation_id.split("/")):
            # Dot segments would let a crafted sender id address another path once the URL is normalised.
            raise ValidationError("a conversation id is required and must not contain dot segments")
        if self._token is not None:
            query = {**query, "token": self._token}
        # Sanic (under Rasa 3.6) does not unquote path parameters, and the route is `<conversation_id:path>`: send
        # every character that is legal in a path as is (`tg:42`, `a/b` reach Rasa unchanged); only the rest is
        # percent-encoded, which Rasa then sees encoded (ids with spaces or non-ASCII are not addressable).
        path = f"{self._base}/conversations/{quote(conversation_id, safe=_PATH_SAFE)}/{action}"
        url = URL(path, encoded=True).with_query(query)
        try:
            async with self._session.post(url, json=body, timeout=self._timeout) as response:
                if not 200 <= response.status < 300:
                    await response.read()  # release the connection for reuse
                    raise UpstreamError(f"Rasa answered {response.status} to {action}", status=response.status)
                if not answer:
                    return None
                try:
                    return await response.json(content_type=None)
                except ValueError:
                    return None
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise UpstreamError(f"Rasa is unreachable ({type(exc).__name__})") from None

"""The customer outbox's vocabulary: statuses, kinds, which channels Rasa can push to, and input validation."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from bot.domain.errors import ValidationError

PENDING = "pending"  # waiting to be pushed through Rasa (or, for the web chat, appended to the transcript)
SENT = "sent"  # Rasa took it and sent it through the customer's channel
FAILED = "failed"  # given up after the last attempt
POLLABLE = "pollable"  # the web chat fetches it (`GET /chat/updates`); nothing more to do

TICKET_UPDATE = "ticket_update"
AGENT = "agent"
CSAT = "csat"  # the rating question of a resolved ticket, for a channel that cannot be pushed to (the web chat)

#: Channels whose output channel can send outside a customer's turn. Anything else (the web chat's "rest",
#: "cmdline", unknown names) cannot be pushed to: its messages are only recorded in the transcript and polled.
PUSH_CHANNELS = frozenset({"telegram", "wechat", "socketio"})

MAX_TEXT_CHARS = 2000
MAX_AGENT_CHARS = 64
MAX_CLIENT_ID_CHARS = 64
MAX_CONVERSATION_CHARS = 128
_ALLOWED_CONTROLS = frozenset("\n\t")


@dataclass(frozen=True)
class QueuedMessage:
    """An agent's message as queued: `created` is False when its `client_id` had been queued before."""

    id: int
    status: str
    created: bool = True


@dataclass(frozen=True)
class PolledMessage:
    """A message the web chat shows as a bot bubble (with buttons: a rating question's 1–5)."""

    id: int
    text: str
    kind: str
    language: str = "zh"

    @property
    def buttons(self) -> list[dict[str, str]]:
        """The quick replies under the bubble: a rating question's scores, as the bot's own `ask_csat` offers."""
        return rating_buttons(self.language) if self.kind == CSAT else []


def rating_buttons(language: str) -> list[dict[str, str]]:
    """1–5 as buttons whose payload sets the `csat_score` entity (the same payloads as the domain's `ask_csat`)."""
    suffix = "" if language == "en" else "分"
    return [{"title": f"{n}{suffix}", "payload": f'/inform{{"csat_score": "{n}"}}'} for n in range(1, 6)]


def is_push_channel(channel: str) -> bool:
    """Whether Rasa can send to this channel on its own (see `PUSH_CHANNELS`)."""
    return channel in PUSH_CHANNELS


def clean_message_text(text: object) -> str:
    """An agent's message, stripped: 1..`MAX_TEXT_CHARS` characters, line breaks and tabs the only controls."""
    if not isinstance(text, str):
        raise ValidationError("text must be a string")
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError("text must not be empty")
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationError(f"text must be at most {MAX_TEXT_CHARS} characters")
    if any(unicodedata.category(c) in ("Cc", "Cs") and c not in _ALLOWED_CONTROLS for c in text):
        raise ValidationError("text must not contain control characters")
    return text


def clean_agent(agent: object) -> str:
    """The agent's name: 1..`MAX_AGENT_CHARS` printable characters."""
    if not isinstance(agent, str) or not agent.strip():
        raise ValidationError("agent is required")
    agent = agent.strip()
    if len(agent) > MAX_AGENT_CHARS or not agent.isprintable():
        raise ValidationError(f"agent must be 1..{MAX_AGENT_CHARS} printable characters")
    return agent


def clean_client_id(client_id: object) -> str | None:
    """The console's message id (None: no deduplication): 1..`MAX_CLIENT_ID_CHARS` printable ASCII characters."""
    if client_id is None:
        return None
    if (
        not isinstance(client_id, str)
        or not 1 <= len(client_id) <= MAX_CLIENT_ID_CHARS
        or not client_id.isascii()
        or not client_id.isprintable()
    ):
        raise ValidationError(f"client_id must be 1..{MAX_CLIENT_ID_CHARS} printable ASCII characters")
    return client_id


def clean_conversation_id(conversation_id: str) -> str:
    """A conversation id as our records store it: 1..`MAX_CONVERSATION_CHARS` printable characters."""
    if not 1 <= len(conversation_id) <= MAX_CONVERSATION_CHARS or not conversation_id.isprintable():
        raise ValidationError(f"conversation id must be 1..{MAX_CONVERSATION_CHARS} printable characters")
    return conversation_id

"""Agents' messages to customers: validated, only to conversations we know, idempotent on the console's id."""

from __future__ import annotations

import asyncio

import pytest

from bot.domain.errors import ConflictError, NotFoundError, ValidationError
from bot.services.customers.message_types import MAX_TEXT_CHARS
from bot.services.customers.outbox import CustomerOutbox
from bot.services.handoff.service import HandoffService
from tests.customer_outbox_world import TELEGRAM_CHAT, conversation_ticket, stored, web_sender
from tests.provider_world import World


@pytest.fixture
def outbox(world: World) -> CustomerOutbox:
    return CustomerOutbox(world.sessions, None)


async def test_a_message_to_a_ticket_conversation_is_queued(world: World, outbox: CustomerOutbox) -> None:
    await conversation_ticket(world, language="en")
    queued = await outbox.enqueue_agent_message(TELEGRAM_CHAT, "  Hello,\r\nyour engineer is on the way.  ", "li.na")
    assert (queued.status, queued.created) == ("pending", True)
    [row] = await stored(world.sessions)
    assert (row.id, row.kind, row.channel, row.language, row.agent, row.client_id) == (
        queued.id, "agent", "telegram", "en", "li.na", None)
    assert row.text == "Hello,\nyour engineer is on the way." and row.ticket_id is None and row.event_id is None


async def test_a_handoff_makes_a_conversation_known_and_gives_its_channel(
    world: World, outbox: CustomerOutbox
) -> None:
    sender = web_sender()
    with pytest.raises(NotFoundError):
        await outbox.enqueue_agent_message(sender, "你好", "li.na")
    await HandoffService(world.sessions).open(sender, "rest", "mixed", "requested", "要人工")
    await outbox.enqueue_agent_message(sender, "您好，我是客服小李。", "li.na")
    [row] = await stored(world.sessions)
    assert (row.conversation_id, row.channel, row.language) == (sender, "rest", "zh")
    [polled] = await outbox.web_chat_messages(sender, 0)
    assert (polled.text, polled.kind) == ("您好，我是客服小李。", "agent")


async def test_the_same_client_id_queues_once(world: World, outbox: CustomerOutbox) -> None:
    await conversation_ticket(world)
    first = await outbox.enqueue_agent_message(TELEGRAM_CHAT, "马上到", "li.na", "console-1")
    again = await outbox.enqueue_agent_message(TELEGRAM_CHAT, "马上到", "li.na", "console-1")
    assert (again.id, again.created) == (first.id, False)
    with pytest.raises(ConflictError):
        await outbox.enqueue_agent_message(TELEGRAM_CHAT, "别的内容", "li.na", "console-1")
    other = await outbox.enqueue_agent_message(TELEGRAM_CHAT, "马上到", "li.na", "console-2")
    assert other.id != first.id and len(await stored(world.sessions)) == 2


async def test_concurrent_repeats_of_one_client_id_queue_once(world: World, outbox: CustomerOutbox) -> None:
    await conversation_ticket(world)
    results = await asyncio.gather(
        *(outbox.enqueue_agent_message(TELEGRAM_CHAT, "马上到", "li.na", "same") for _ in range(5))
    )
    assert len({r.id for r in results}) == 1 and sum(r.created for r in results) == 1
    assert len(await stored(world.sessions)) == 1


@pytest.mark.parametrize(
    ("text", "agent", "client_id", "error"),
    [
        ("", "li.na", None, "text must not be empty"),
        (" \n\t ", "li.na", None, "text must not be empty"),
        ("x" * (MAX_TEXT_CHARS + 1), "li.na", None, "at most 2000"),
        ("bell\x07", "li.na", None, "control characters"),
        ("nul\x00", "li.na", None, "control characters"),
        ("esc\x1b[31m", "li.na", None, "control characters"),
        ("lone \ud800 surrogate", "li.na", None, "control characters"),
        (42, "li.na", None, "text must be a string"),
        ("hi", "", None, "agent is required"),
        ("hi", None, None, "agent is required"),
        ("hi", "a" * 65, None, "agent must be"),
        ("hi", "li.na", "", "client_id must be"),
        ("hi", "li.na", "客服", "client_id must be"),
        ("hi", "li.na", "x" * 65, "client_id must be"),
        ("hi", "li.na", 7, "client_id must be"),
    ],
)
async def test_bad_input_is_refused(
    world: World, outbox: CustomerOutbox, text: object, agent: object, client_id: object, error: str
) -> None:
    await conversation_ticket(world)
    with pytest.raises(ValidationError, match=error):
        await outbox.enqueue_agent_message(TELEGRAM_CHAT, text, agent, client_id)
    assert await stored(world.sessions) == []


async def test_the_longest_message_with_line_breaks_is_accepted(world: World, outbox: CustomerOutbox) -> None:
    await conversation_ticket(world)
    text = ("第一行\n\t第二行" * 400)[:MAX_TEXT_CHARS]
    await outbox.enqueue_agent_message(TELEGRAM_CHAT, text, "li.na")
    assert [r.text for r in await stored(world.sessions)] == [text.strip()]

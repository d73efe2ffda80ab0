"""Webhook deliveries from the ticket-event log: one pending delivery per event × outlet with an enabled webhook.

The scan itself (cursor, settling, `ON CONFLICT DO NOTHING`) is the outbox kit's `scan_events`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import OutletWebhook, WebhookDelivery
from bot.db.session import SessionFactory
from bot.services.outbox.event_scan import (
    DEFAULT_SCAN_BATCH,
    DEFAULT_SETTLE_S,
    dialect_insert,
    read_cursor,
    scan_events,
)
from bot.services.outbox.rows import PENDING
from bot.services.webhooks.payload import EVENT_BY_KIND, recipient

CURSOR_NAME = "ticket_events"


async def _floor(session: AsyncSession) -> tuple[int, dict[int, int]] | None:
    """The cursor and, per enabled webhook, the event id after which it receives; None when no webhook is on."""
    rows = (
        await session.execute(
            select(OutletWebhook.outlet_id, OutletWebhook.since_event_id).where(OutletWebhook.enabled.is_(True))
        )
    ).all()
    if not rows:
        return None
    return await read_cursor(session, CURSOR_NAME), {int(outlet_id): int(since) for outlet_id, since in rows}



async def enqueue_deliveries(
    sessions: SessionFactory, now: datetime, settle_s: float = DEFAULT_SETTLE_S, batch: int = DEFAULT_SCAN_BATCH
) -> int:
    """Create the pending deliveries for events after the cursor (at most `batch` events); how many were new."""
    async with sessions() as session, session.begin():
        found = await _floor(session)
        if found is None:
            return 0  # nothing can be delivered; a webhook configured later starts from its own `since_event_id`
        cursor, since = found
        insert = dialect_insert(session)

        def delivery(row: Any) -> Any | None:
            if row.kind not in EVENT_BY_KIND:
                return None
            outlet_id = recipient(row.kind, row.outlet_id, row.from_status, row.assigned_outlet_id)
            if outlet_id is None or row.id <= since.get(outlet_id, row.id):
                return None  # no outlet concerned, no enabled webhook, or older than the webhook
            return insert(WebhookDelivery).values(
                delivery_id=str(uuid.uuid4()), outlet_id=outlet_id, ticket_id=row.ticket_id, event_id=row.id,
                event=EVENT_BY_KIND[row.kind], status=PENDING, attempts=0, next_attempt_at=now, created_at=now,
            ).on_conflict_do_nothing()

        return await scan_events(session, CURSOR_NAME, cursor, max(cursor, min(since.values())), now, delivery,
                                 settle_s, batch)

"""What channel adapters need from the database: replayed updates recognised once, photos stored and attached.

`ChannelInbox.first_time` is the idempotency gate of every inbound update (Telegram `update_id`, WeChat `MsgId`):
the unique (channel, key) row is inserted before the update is processed, so a replay — the platform retrying a
webhook, or two replicas receiving the same update — is processed once. `AttachmentStore.save` writes a customer's
photo under the media directory (named by content hash, so a resent photo is stored once) and records it against
the conversation; `TicketService.create` attaches the conversation's pending photos to the ticket it opens, and a
photo sent after the ticket exists is attached to the customer's latest open ticket at once.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.db.models import Attachment, ChannelUpdate, Ticket, utcnow
from bot.db.session import SessionFactory
from bot.domain.errors import ValidationError
from bot.domain.lifecycle import OPEN_STATUSES, TicketStatus

logger = logging.getLogger(__name__)

#: Photos larger than this are refused (Telegram's own bot download limit is 20 MB).
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
#: File types we keep, by MIME type, with the extension they are stored under.
PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}
#: Tickets a new photo is attached to: not yet finished (new and rejected ones are still looking for an outlet).
_ATTACHABLE = sorted(s.value for s in OPEN_STATUSES | {TicketStatus.NEW, TicketStatus.REJECTED})
_SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png", b"GIF8": "image/gif"}


def sniff_image(content: bytes) -> str | None:
    """The image type of `content` from its first bytes (what the sender claims is not trusted), or None."""
    for signature, mime in _SIGNATURES.items():
        if content.startswith(signature):
            return mime
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


class ChannelInbox:
    """Processed inbound updates, one row per (channel, key)."""

    def __init__(self, sessions: SessionFactory) -> None:
        """Keep the session factory."""
        self._sessions = sessions

    async def first_time(self, channel: str, key: str) -> bool:
        """Record the update; False when it was recorded before (a replay: do not process it again)."""
        async with self._sessions() as session:
            try:
                async with session.begin():
                    session.add(ChannelUpdate(channel=channel[:24], update_key=key[:128], received_at=utcnow()))
            except IntegrityError:
                logger.info("channel.replay_ignored channel=%s", channel)
                return False
        return True

    async def forget_older_than(self, age: timedelta, now: datetime | None = None) -> int:
        """Drop records older than `age` (platforms stop retrying within hours); returns how many went."""
        cutoff = (now or utcnow()) - age
        async with self._sessions() as session, session.begin():
            result = await session.execute(delete(ChannelUpdate).where(ChannelUpdate.received_at < cutoff))
        return int(getattr(result, "rowcount", 0) or 0)  # a CursorResult for a DELETE


@dataclass(frozen=True)
class StoredAttachment:
    """An attachment as callers see it."""

    id: int
    ticket_id: int | None
    mime: str
    size_bytes: int
    path: Path


class AttachmentStore:
    """Customers' photos on disk and in the `attachments` table."""

    def __init__(self, sessions: SessionFactory, media_dir: Path) -> None:
        """Keep the session factory and where files go."""
        self._sessions = sessions
        self._media_dir = media_dir

    async def save(self, channel: str, conversation_id: str, content: bytes) -> StoredAttachment:
        """Store a photo and attach it to the conversation's open ticket, if any; `ValidationError` if not a photo."""
        if not content or len(content) > MAX_ATTACHMENT_BYTES:
            raise ValidationError(f"an attachment must be 1 byte to {MAX_ATTACHMENT_BYTES} bytes")
        mime = sniff_image(content)
        if mime is None:
            raise ValidationError("only JPEG, PNG, WebP and GIF photos are accepted")
        digest = hashlib.sha256(content).hexdigest()
        relative = Path(channel[:24]) / f"{digest}.{PHOTO_TYPES[mime]}"
        target = self._media_dir / relative
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".part")
            partial.write_bytes(content)
            partial.replace(target)  # atomic: a reader never sees half a file
        async with self._sessions() as session, session.begin():
            open_ticket = (await session.execute(
                select(Ticket.id).where(Ticket.conversation_id == conversation_id,
                                        Ticket.status.in_(_ATTACHABLE))
                .order_by(Ticket.id.desc()).limit(1)
            )).scalar_one_or_none()
            row = Attachment(channel=channel[:24], conversation_id=conversation_id[:128], ticket_id=open_ticket,
                             kind="photo", mime=mime, size_bytes=len(content), sha256=digest, path=str(relative),
                             created_at=utcnow())
            session.add(row)
            await session.flush()
            stored = StoredAttachment(row.id, row.ticket_id, mime, len(content), target)
        logger.info("attachment.saved id=%d channel=%s bytes=%d attached=%s", stored.id, channel, len(content),
                    stored.ticket_id is not None)
        return stored

    async def for_ticket(self, ticket_id: int) -> list[StoredAttachment]:
        """A ticket's attachments, oldest first."""
        async with self._sessions() as session:
            rows = (await session.execute(
                select(Attachment).where(Attachment.ticket_id == ticket_id).order_by(Attachment.id)
            )).scalars().all()
        return [StoredAttachment(r.id, r.ticket_id, r.mime, r.size_bytes, self._media_dir / r.path) for r in rows]

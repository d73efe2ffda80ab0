"""Per-outlet webhook configuration: set the URL (with a fresh signing secret, shown once) or disable it."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import func, select, update

from bot.db.models import OutletWebhook, TicketEvent, WebhookDelivery, utcnow
from bot.db.repositories.outlets import outlet_by_ref
from bot.db.session import SessionFactory
from bot.domain.errors import NotFoundError, ValidationError

logger = logging.getLogger(__name__)

MAX_URL_CHARS = 500
SECRET_PREFIX = "whsec_"
#: Plain http is accepted only for a receiver on this machine (tests, local development).
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class ConfiguredWebhook:
    """The result of configuring: the secret is here once and nowhere else afterwards."""

    outlet_id: int
    outlet_code: str
    url: str
    secret: str

    def __repr__(self) -> str:
        return f"ConfiguredWebhook(outlet_id={self.outlet_id!r}, outlet_code={self.outlet_code!r})"


def new_secret() -> str:
    """A random signing secret (256 bits)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def validate_webhook_url(url: str) -> str:
    """The URL, stripped, if it is https (or http to this machine); else `ValidationError`."""
    url = url.strip()
    if not url or len(url) > MAX_URL_CHARS:
        raise ValidationError(f"webhook URL must be 1..{MAX_URL_CHARS} characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018  # raises ValueError for a malformed port
    except ValueError:
        raise ValidationError("webhook URL is malformed") from None
    if not host or parts.scheme not in ("https", "http"):
        raise ValidationError("webhook URL must be an absolute https:// address")
    if parts.scheme == "http" and host not in LOCAL_HOSTS:
        raise ValidationError("webhook URL must use https (plain http only to 127.0.0.1 or localhost)")
    if parts.username or parts.password or parts.fragment:
        raise ValidationError("webhook URL must not contain credentials or a #fragment")
    return url




class WebhookConfigService:
    """Configures outlets' webhooks (used by `python -m bot provider-webhook` and by tests)."""

    def __init__(self, sessions: SessionFactory, clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = sessions
        self._clock = clock

    async def configure(self, outlet_ref: str, url: str) -> ConfiguredWebhook:
        """Set the outlet's webhook URL and enable it, with a new secret; events from now on are delivered."""
        url = validate_webhook_url(url)
        secret = new_secret()
        now = self._clock()
        async with self._sessions() as session, session.begin():
            outlet = await outlet_by_ref(session, outlet_ref)
            latest = (await session.execute(select(func.max(TicketEvent.id)))).scalar_one_or_none() or 0
            hook = (
                await session.execute(select(OutletWebhook).where(OutletWebhook.outlet_id == outlet.id))
            ).scalar_one_or_none()
            if hook is None:
                hook = OutletWebhook(outlet_id=outlet.id, created_at=now)
                session.add(hook)
            hook.url, hook.secret, hook.enabled, hook.since_event_id, hook.updated_at = url, secret, True, latest, now
            outlet_id, outlet_code = outlet.id, outlet.code
        logger.info("webhook.configured outlet=%s", outlet_id)
        return ConfiguredWebhook(outlet_id, outlet_code, url, secret)

    async def disable(self, outlet_ref: str) -> int:
        """Stop the outlet's webhook; its pending deliveries fail. Returns how many were pending."""
        now = self._clock()
        async with self._sessions() as session, session.begin():
            outlet = await outlet_by_ref(session, outlet_ref)
            hook = (
                await session.execute(select(OutletWebhook).where(OutletWebhook.outlet_id == outlet.id))
            ).scalar_one_or_none()
            if hook is None:
                raise NotFoundError(f"outlet {outlet.code} has no webhook")
            hook.enabled, hook.updated_at = False, now
            result = await session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.outlet_id == outlet.id, WebhookDelivery.status == "pending")
                .values(status="failed", last_error="webhook disabled")
                .execution_options(synchronize_session=False)
            )
            dropped = int(result.rowcount or 0)  # type: ignore[attr-defined]  # a CursorResult at run time
            outlet_id = outlet.id
        logger.info("webhook.disabled outlet=%s pending_dropped=%d", outlet_id, dropped)
        return dropped

"""Request parsing and response shaping for the provider API: typed body fields and query values, JSON values.

The body itself is read by `bot.web.errors.read_json_object` (bounded, one error shape).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from typing import Any

from aiohttp import web

from bot.domain.errors import ValidationError


def _clean_text(name: str, value: str) -> str:
    if "\x00" in value:
        raise ValidationError(f"{name} must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a \\ud800 escape: not storable text
        raise ValidationError(f"{name} must be valid Unicode text") from None
    return value


def string_field(body: dict[str, Any], name: str, required: bool = False) -> str | None:
    """A string member of the body (None when absent or null and not `required`)."""
    value = body.get(name)
    if value is None:
        if required:
            raise ValidationError(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{name} must be a string")
    return _clean_text(name, value)


def int_field(body: dict[str, Any], name: str) -> int | None:
    """An integer member of the body (None when absent or null)."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{name} must be an integer")
    return value


def datetime_field(body: dict[str, Any], name: str) -> datetime:
    """A required ISO 8601 date-time with a UTC offset (`Z` accepted), as an aware UTC datetime."""
    raw = string_field(body, name, required=True) or ""
    text = raw.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            raise ValidationError(f"{name} needs a UTC offset, e.g. 2027-01-05T09:30:00+08:00")
        return moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise ValidationError(f"{name} must be an ISO 8601 date-time, e.g. 2027-01-05T09:30:00+08:00") from None


def query_int(request: web.Request, name: str, default: int) -> int:
    """A positive integer query parameter."""
    raw = request.query.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise ValidationError(f"{name} must be a positive integer")
    return int(raw)


def request_id(request: web.Request) -> str | None:
    """The caller's `Idempotency-Key` header, if any (validated by the service)."""
    value = request.headers.get("Idempotency-Key")
    return value if value else None


def jsonable(value: Any) -> Any:
    """Dataclasses, tuples and datetimes as JSON values (datetimes: ISO 8601 in UTC)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
        return moment.isoformat()
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value

"""Errors over HTTP, in one place: the domain-error → status table, the error body, and the JSON body reader.

Every error our APIs answer has the same body, `{"error": "<message for people>", "code": "<stable code>"}`
(the OpenAPI schema `Error`). Views raise the service layer's typed errors (`bot.domain.errors`); the app's
`error_middleware` (`bot/web/app.py`) turns them into that body with the status from `STATUS_BY_ERROR`.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from aiohttp import web

from bot.domain.errors import (
    ConflictError,
    DomainError,
    IllegalTransitionError,
    InsufficientStockError,
    NotFoundError,
    PayloadTooLargeError,
    UpstreamError,
    ValidationError,
)

#: Most specific first; a domain error of none of these kinds is a 400.
STATUS_BY_ERROR: tuple[tuple[type[DomainError], int], ...] = (
    (ValidationError, 400),
    (NotFoundError, 404),
    (IllegalTransitionError, 409),
    (InsufficientStockError, 409),
    (ConflictError, 409),
    (PayloadTooLargeError, 413),
    (UpstreamError, 502),
)
DEFAULT_ERROR_STATUS = 400
#: Bodies larger than this are refused (413) unless an endpoint sets its own limit.
MAX_BODY_BYTES = 64 * 1024
BODY_NOT_AN_OBJECT = "body must be a JSON object"
ERROR_SCHEMA_REF = "#/components/schemas/Error"


def status_for(exc: DomainError) -> int:
    """The HTTP status a domain error is answered with."""
    return next((status for kind, status in STATUS_BY_ERROR if isinstance(exc, kind)), DEFAULT_ERROR_STATUS)


def error_response(status: int, message: str, code: str, headers: dict[str, str] | None = None) -> web.Response:
    """The one error body of our APIs: `{"error": message, "code": code}` with `status`."""
    return web.json_response({"error": message, "code": code}, status=status, headers=headers)


def domain_error_response(exc: DomainError) -> web.Response:
    """A domain error as its table status and the error body."""
    return error_response(status_for(exc), exc.message, exc.code)


async def read_body(request: web.Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The raw body, refusing more than `limit` bytes whether or not a Content-Length was sent."""
    if request.content_length is not None and request.content_length > limit:
        raise _too_large(limit)
    body = bytearray()
    async for chunk in request.content.iter_any():
        body.extend(chunk)
        if len(body) > limit:
            raise _too_large(limit)
    return bytes(body)


async def read_json_object(request: web.Request, limit: int = MAX_BODY_BYTES, optional: bool = False) -> dict[str, Any]:
    """The body as a JSON object, read once (an empty body is `{}` when `optional`).

    Raises `ValidationError` (400) when it is malformed or not an object, `PayloadTooLargeError` (413) over `limit`
    bytes.
    """
    raw = await read_body(request, limit)
    if optional and not raw.strip():
        return {}
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ValidationError(BODY_NOT_AN_OBJECT) from None
    if not isinstance(body, dict):
        raise ValidationError(BODY_NOT_AN_OBJECT)
    return body


def _too_large(limit: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(f"body larger than {limit // 1024} KiB")


def http_error_code(status: int) -> str:
    """A stable code for aiohttp's own HTTP errors, from the status (404 → `not_found`, 405 → `method_not_allowed`)."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return "http_error"
    return "_".join(phrase.lower().replace("-", " ").split())


def openapi_error_schema() -> dict[str, Any]:
    """The `Error` schema of `/api/openapi.json`: the body of every error answer."""
    return {
        "type": "object", "required": ["error"],
        "description": "The body of every error answer of these APIs",
        "properties": {
            "error": {"type": "string", "description": "What went wrong, for people"},
            "code": {"type": "string", "description": "What went wrong, for programs: the domain error's code "
                                                      "(validation_error, not_found, conflict, upstream_error, …), "
                                                      "or the HTTP status's name (not_found, …)"},
        },
    }


def openapi_error(description: str) -> dict[str, Any]:
    """An error answer of an OpenAPI operation: `description`, with the shared `Error` body."""
    return {"description": description, "content": {"application/json": {"schema": {"$ref": ERROR_SCHEMA_REF}}}}

"""Webhook signing, URL rules, retry schedule, recipients and body: pure functions, checked independently."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timezone

import pytest

from bot.db.models import Ticket
from bot.domain.errors import ValidationError
from bot.services.outbox.rows import RetryPolicy
from bot.services.webhooks.config import new_secret, validate_webhook_url
from bot.services.webhooks.payload import build_body, city_of_adcode, recipient
from integrations.webhooks.signing import signature, signed_headers, verify_signature

SECRET = "whsec_test-secret"
BODY = '{"event":"ticket.routed","ticket":{"symptom":"不制冷"}}'.encode()


def _independent(secret: str, timestamp: int, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def test_signature_follows_the_documented_scheme() -> None:
    assert signature(SECRET, 1_780_000_000, BODY) == _independent(SECRET, 1_780_000_000, BODY)
    headers = signed_headers(SECRET, "d-1", 1_780_000_000, BODY)
    assert headers["X-Webhook-Id"] == "d-1" and headers["X-Webhook-Timestamp"] == "1780000000"
    assert headers["X-Webhook-Signature"] == _independent(SECRET, 1_780_000_000, BODY)
    assert SECRET not in json.dumps(headers)


@pytest.mark.parametrize(
    ("timestamp", "sig", "body", "now", "ok"),
    [
        ("1780000000", None, BODY, 1_780_000_100, True),
        ("1780000000", None, BODY, 1_780_000_301, False),  # older than 5 minutes
        ("1780000400", None, BODY, 1_780_000_000, False),  # from the future
        ("1780000000", None, BODY + b" ", 1_780_000_000, False),  # body changed
        ("1780000000", "sha256=" + "0" * 64, BODY, 1_780_000_000, False),
        ("17800000x0", None, BODY, 1_780_000_000, False),
        ("", None, BODY, 1_780_000_000, False),
    ],
)
def test_verify_signature(timestamp: str, sig: str | None, body: bytes, now: int, ok: bool) -> None:
    presented = sig or _independent(SECRET, 1_780_000_000 if not timestamp.isdigit() else int(timestamp), BODY)
    assert verify_signature(SECRET, timestamp, presented, body, now) is ok
    assert not verify_signature("other", timestamp, presented, body, now)


def test_secrets_are_random_and_long() -> None:
    first, second = new_secret(), new_secret()
    assert first != second and first.startswith("whsec_") and len(first) >= 40


@pytest.mark.parametrize(
    "url",
    ["https://hooks.example.com/aftersales", "https://example.com:8443/h?x=1", "http://127.0.0.1:9000/h",
     "http://localhost/h", "  https://example.com/h  "],
)
def test_accepted_urls(url: str) -> None:
    assert validate_webhook_url(url) == url.strip()


@pytest.mark.parametrize(
    "url",
    ["http://example.com/h", "ftp://example.com/h", "example.com/h", "https://", "", "https://u:p@example.com/h",
     "https://example.com/h#frag", "https://example.com:99999/h", "https://" + "a" * 500 + ".com",
     "http://127.0.0.1.example.com/h", "javascript:alert(1)"],
)
def test_refused_urls(url: str) -> None:
    with pytest.raises(ValidationError):
        validate_webhook_url(url)


def test_default_retry_schedule() -> None:
    policy = RetryPolicy()
    assert policy.max_attempts == 6
    assert [policy.delay_after(n) for n in range(1, 7)] == [30, 120, 600, 3600, 21600, None]
    assert RetryPolicy(delays_s=(0.1,)).max_attempts == 2


@pytest.mark.parametrize(
    ("kind", "event_outlet", "from_status", "assigned", "expected"),
    [
        ("routed", 7, "new", 7, 7),
        ("rerouted", 8, "rejected", 8, 8),
        ("cancelled", None, "routed", 7, 7),  # by the customer or an agent
        ("cancelled", None, "accepted", 7, 7),
        ("cancelled", None, "new", None, None),  # no outlet held it
        ("cancelled", None, "rejected", 7, None),  # the outlet already declined it
        ("cancelled", 7, "accepted", 7, None),  # the outlet cancelled it itself
        ("accepted", 7, "routed", 7, None),
        ("rejected", 7, "routed", 7, None),
    ],
)
def test_recipient(kind: str, event_outlet: int | None, from_status: str, assigned: int | None,
                   expected: int | None) -> None:
    assert recipient(kind, event_outlet, from_status, assigned) == expected


@pytest.mark.parametrize(
    ("adcode", "city"),
    [("440305", "广东省深圳市"), ("110105", "北京市"), ("500229", "重庆市"), ("810000", "香港特别行政区"),
     (None, None), ("", None), ("99x", None), ("999999", None)],
)
def test_city_of_adcode(adcode: str | None, city: str | None) -> None:
    assert city_of_adcode(adcode) == city


def test_body_has_no_phone_and_no_street() -> None:
    ticket = Ticket(
        number="AS-20261201-ABCDEF", category="report_fault", priority="high", status="routed",
        service_type="repair", language="zh", product_category="refrigerator",
        symptom="冰箱漏水 电话 +86 138-1234-5678", location_text="深圳市南山区科苑路15号3栋", adcode="440305",
        sla_accept_due_at=datetime(2026, 12, 1, 10, 0),
    )
    occurred = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
    raw = build_body("d-1", "ticket.routed", occurred, ticket, "haier")
    body = json.loads(raw)
    assert body == {
        "delivery_id": "d-1", "event": "ticket.routed", "occurred_at": "2026-12-01T08:00:00+00:00",
        "ticket": {
            "number": "AS-20261201-ABCDEF", "category": "report_fault", "priority": "high", "status": "routed",
            "service_type": "repair", "language": "zh", "brand": "haier", "product_category": "refrigerator",
            "symptom": "冰箱漏水 电话 ******78", "location_text": "广东省深圳市",
            "sla_accept_due_at": "2026-12-01T10:00:00+00:00",
        },
    }
    assert "冰箱".encode() in raw  # UTF-8, not \\u escapes

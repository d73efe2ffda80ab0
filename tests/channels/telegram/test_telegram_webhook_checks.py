"""The webhook's request checks on their own: secret (constant time), declared and actual size, JSON."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from integrations.telegram.webhook import (
    MAX_BODY_BYTES,
    Rejected,
    check_declared_size,
    check_secret,
    parse_json,
    read_body,
)


def test_the_right_secret_passes_and_a_missing_or_wrong_one_is_403() -> None:
    check_secret("s3cr3t-Token_1", "s3cr3t-Token_1")
    for given in (None, "", "s3cr3t-token_1", "s3cr3t-Token_1 ", "s3cr3t", "ßecret"):
        with pytest.raises(Rejected) as caught:
            check_secret("s3cr3t-Token_1", given)
        assert caught.value.status == 403


def test_the_secret_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import integrations.telegram.webhook as webhook

    seen: list[tuple[bytes, bytes]] = []
    monkeypatch.setattr(webhook.hmac, "compare_digest", lambda a, b: seen.append((a, b)) or a == b)
    check_secret("abc", "abc")
    assert seen == [(b"abc", b"abc")]


def test_a_declared_body_over_the_limit_is_413() -> None:
    check_declared_size(None)
    check_declared_size(str(MAX_BODY_BYTES))
    with pytest.raises(Rejected) as caught:
        check_declared_size(str(MAX_BODY_BYTES + 1))
    assert caught.value.status == 413
    with pytest.raises(Rejected) as caught:
        check_declared_size("lots")
    assert caught.value.status == 400


async def _chunks(sizes: list[int]) -> AsyncIterator[bytes]:
    for size in sizes:
        assert size >= 0, "read past the limit"
        yield b"x" * size


async def test_the_actual_body_is_cut_off_past_the_limit_whatever_the_header_said() -> None:
    assert len(await read_body(_chunks([1000, 2000]))) == 3000
    with pytest.raises(Rejected) as caught:
        await read_body(_chunks([MAX_BODY_BYTES, 1, -1]))  # the chunk after the limit is never asked for
    assert caught.value.status == 413


@pytest.mark.parametrize("body", [b"{", b"not json", b"\xff\xfe", b"[1, 2]", b'"text"', b""])
def test_malformed_json_is_400(body: bytes) -> None:
    with pytest.raises(Rejected) as caught:
        parse_json(body)
    assert caught.value.status == 400


def test_a_json_object_is_returned() -> None:
    assert parse_json('{"update_id": 1, "message": {"text": "你好"}}'.encode()) == {
        "update_id": 1, "message": {"text": "你好"}}

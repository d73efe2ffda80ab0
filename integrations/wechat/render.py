r"""Bot responses as WeChat text: buttons become a numbered menu, long texts are split to fit a message.

The customer-service API sends plain text (no buttons), so a response with buttons is written as
"<text>\n\n1. 确认提交\n2. 修改信息\n回复数字选择"; the channel remembers the payloads in that order,
and a reply that is just one of the numbers stands for the button (see `menus.MenuMemory`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: WeChat refuses customer-service texts over 2,048 bytes (UTF-8); keep a margin.
MAX_TEXT_BYTES = 2000
MENU_HINT_ZH = "回复数字选择"
MENU_HINT_EN = "Reply with a number to choose"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CHOICE = re.compile(r"\d{1,2}")


@dataclass(frozen=True)
class Menu:
    """A response with its buttons written as a numbered menu, and the payload of each number (1-based)."""

    text: str
    payloads: tuple[str, ...]


def render_buttons(text: str, buttons: Iterable[Mapping[str, Any]]) -> Menu:
    """`text` followed by the buttons that carry a title and a payload, numbered from 1, and how to choose."""
    items = [(str(b.get("title") or "").strip(), str(b.get("payload") or "").strip()) for b in buttons]
    items = [(title, payload) for title, payload in items if title and payload]
    if not items:
        return Menu(text, ())
    lines = [f"{number}. {title}" for number, (title, _) in enumerate(items, start=1)]
    chinese = bool(_CJK.search(text)) or any(_CJK.search(title) for title, _ in items)
    lines.append(MENU_HINT_ZH if chinese else MENU_HINT_EN)
    menu = "\n".join(lines)
    body = f"{text.rstrip()}\n\n{menu}" if text.strip() else menu
    return Menu(body, tuple(payload for _, payload in items))


def choose(text: str, payloads: Sequence[str]) -> str | None:
    """The payload a reply picks when it is just the number of a menu entry ("2", "２", " 2 "), else None."""
    reply = unicodedata.normalize("NFKC", text).strip()
    if not _CHOICE.fullmatch(reply):
        return None
    number = int(reply)
    return payloads[number - 1] if 1 <= number <= len(payloads) else None


def split_text(text: str, max_bytes: int = MAX_TEXT_BYTES) -> list[str]:
    """`text` in pieces of at most `max_bytes` UTF-8 bytes, cut at line ends where possible; no empty pieces."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if _size(candidate) <= max_bytes:
            current = candidate
            continue
        if current:
            pieces.append(current)
        current = ""
        while _size(line) > max_bytes:
            head = _prefix(line, max_bytes)
            pieces.append(head)
            line = line[len(head):]
        current = line
    if current.strip():
        pieces.append(current)
    return [piece for piece in pieces if piece.strip()]


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _prefix(line: str, max_bytes: int) -> str:
    """The longest prefix of `line` within `max_bytes` (at least one character)."""
    low, high = 1, len(line)
    while low < high:
        middle = (low + high + 1) // 2
        if _size(line[:middle]) <= max_bytes:
            low = middle
        else:
            high = middle - 1
    return line[:low]

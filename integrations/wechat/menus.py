"""Menus: the numbered menu last sent to each customer, and the Official Account's own menu.

A digit reply to the numbered menu means a button; the Official Account menu's CLICK items carry an EventKey the
channel maps to an intent payload.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from integrations.wechat.render import choose

#: Official Account menu CLICK keys and the payload each sends to Rasa (intents of domain.yml).
CLICK_PAYLOADS: dict[str, str] = {
    "REPORT_FAULT": "/report_fault",
    "TICKET_STATUS": "/ticket_status",
    "WARRANTY": "/warranty_query",
    "FIND_CENTRE": "/find_service_centre",
    "HUMAN": "/request_human",
}


def official_menu() -> dict[str, Any]:
    """The account menu for `POST /cgi-bin/menu/create` (two top-level entries, one with a sub-menu)."""
    return {
        "button": [
            {"type": "click", "name": "报修", "key": "REPORT_FAULT"},
            {"type": "click", "name": "查询进度", "key": "TICKET_STATUS"},
            {
                "name": "更多服务",
                "sub_button": [
                    {"type": "click", "name": "保修查询", "key": "WARRANTY"},
                    {"type": "click", "name": "查找网点", "key": "FIND_CENTRE"},
                    {"type": "click", "name": "人工客服", "key": "HUMAN"},
                ],
            },
        ]
    }


class MenuMemory:
    """The payloads of the last numbered menu sent to each customer, in this process's memory.

    Bounded (least recently used customers are dropped beyond `max_users`) and short-lived (`ttl_s`): a digit
    typed a day later is a digit, not a choice. With several Rasa processes a digit reply must reach the process
    that sent the menu (sticky routing by openid); otherwise it is read as plain text.
    """

    def __init__(self, max_users: int = 10_000, ttl_s: float = 6 * 3600,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """An empty memory."""
        self._menus: OrderedDict[str, tuple[float, tuple[str, ...]]] = OrderedDict()
        self._max_users = max_users
        self._ttl_s = ttl_s
        self._clock = clock

    def remember(self, openid: str, payloads: Sequence[str]) -> None:
        """The menu just sent to `openid` (an empty one forgets)."""
        self._menus.pop(openid, None)
        if not payloads:
            return
        self._menus[openid] = (self._clock(), tuple(payloads))
        while len(self._menus) > self._max_users:
            self._menus.popitem(last=False)

    def forget(self, openid: str) -> None:
        """Drop `openid`'s menu (the customer moved on: their next digit is not a choice)."""
        self._menus.pop(openid, None)

    def choice(self, openid: str, text: str) -> str | None:
        """The payload `text` picks from `openid`'s last menu, or None."""
        entry = self._menus.get(openid)
        if entry is None:
            return None
        sent_at, payloads = entry
        if self._clock() - sent_at > self._ttl_s:
            self._menus.pop(openid, None)
            return None
        return choose(text, payloads)

    def __len__(self) -> int:
        """How many customers have a menu."""
        return len(self._menus)

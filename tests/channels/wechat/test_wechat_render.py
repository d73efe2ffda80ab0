"""Buttons as a numbered menu, digit replies mapped back to payloads, long texts split, and the menus."""

from __future__ import annotations

import pytest

from integrations.wechat.menus import CLICK_PAYLOADS, MenuMemory, official_menu
from integrations.wechat.render import MENU_HINT_EN, choose, render_buttons, split_text

SUMMARY_BUTTONS = [{"title": "确认提交", "payload": "/affirm"}, {"title": "修改信息", "payload": "/deny"}]


def test_buttons_become_a_numbered_menu() -> None:
    menu = render_buttons("请确认报修信息：\n- 电话：138\n确认提交吗？", SUMMARY_BUTTONS)
    assert menu.text == "请确认报修信息：\n- 电话：138\n确认提交吗？\n\n1. 确认提交\n2. 修改信息\n回复数字选择"
    assert menu.payloads == ("/affirm", "/deny")


def test_english_menus_get_an_english_hint() -> None:
    menu = render_buttons("Submit it?", [{"title": "Confirm", "payload": "/affirm"},
                                         {"title": "Edit", "payload": "/deny"}])
    assert menu.text == f"Submit it?\n\n1. Confirm\n2. Edit\n{MENU_HINT_EN}"


def test_buttons_without_title_or_payload_are_left_out_and_numbering_follows() -> None:
    menu = render_buttons("", [{"title": "A", "payload": "/a"}, {"title": "", "payload": "/x"},
                               {"title": "link", "url": "https://example.com"}, {"title": "B", "payload": "/b"}])
    assert menu.text.startswith("1. A\n2. B\n") and menu.payloads == ("/a", "/b")
    assert render_buttons("just text", []).text == "just text"


@pytest.mark.parametrize(("reply", "expected"), [
    ("1", "/affirm"), ("2", "/deny"), (" 2 ", "/deny"), ("２", "/deny"), ("02", "/deny"),
    ("3", None), ("0", None), ("-1", None), ("1.", None), ("1 2", None), ("确认", None), ("13812345678", None),
    ("", None),
])
def test_a_digit_reply_picks_a_button(reply: str, expected: str | None) -> None:
    assert choose(reply, ("/affirm", "/deny")) == expected


def test_menu_memory_keeps_the_last_menu_per_customer() -> None:
    menus = MenuMemory()
    menus.remember("oA", ("/affirm", "/deny"))
    menus.remember("oB", ("/report_fault",))
    assert menus.choice("oA", "2") == "/deny"
    assert menus.choice("oB", "2") is None and menus.choice("oB", "1") == "/report_fault"
    menus.remember("oA", ("/x",))  # a newer menu replaces the older one
    assert menus.choice("oA", "2") is None and menus.choice("oA", "1") == "/x"
    menus.forget("oA")
    assert menus.choice("oA", "1") is None
    menus.remember("oB", ())
    assert menus.choice("oB", "1") is None


def test_menu_memory_is_bounded_and_expires() -> None:
    now = [0.0]
    menus = MenuMemory(max_users=2, ttl_s=60, clock=lambda: now[0])
    for user in ("o1", "o2", "o3"):
        menus.remember(user, ("/a",))
    assert len(menus) == 2 and menus.choice("o1", "1") is None and menus.choice("o3", "1") == "/a"
    now[0] = 61.0
    assert menus.choice("o3", "1") is None


def test_split_text_fits_wechat_limits() -> None:
    assert split_text("short") == ["short"]
    long_lines = "\n".join(f"第{i}行：" + "很长的说明" * 20 for i in range(40))
    pieces = split_text(long_lines, max_bytes=2000)
    assert all(len(p.encode()) <= 2000 for p in pieces) and len(pieces) > 1
    assert "\n".join(pieces) == long_lines  # cut at line ends: nothing lost
    one_line = "字" * 3000
    pieces = split_text(one_line, max_bytes=2000)
    assert "".join(pieces) == one_line and all(len(p.encode()) <= 2000 for p in pieces)
    assert split_text("\n\n") == []


def test_official_menu_uses_only_mapped_click_keys() -> None:
    keys: list[str] = []
    for button in official_menu()["button"]:
        for item in button.get("sub_button", [button]):
            assert len(item["name"].encode()) <= 24
            if item.get("type") == "click":
                keys.append(item["key"])
    assert sorted(keys) == sorted(CLICK_PAYLOADS)
    assert CLICK_PAYLOADS["REPORT_FAULT"] == "/report_fault"

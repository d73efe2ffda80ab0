"""Typed answers to the rating question, zh and en: digits, Chinese numbers, words; never a long message."""

from __future__ import annotations

import pytest

from bot.nlu.extraction.ratings import read_rating


@pytest.mark.parametrize(("text", "score"), [
    ("4", 4), ("5分", 5), ("给3分吧", 3), ("五星", 5), ("两颗星", 2), ("四分", 4), ("５", 5),
    ("five stars", 5), ("I'd say four", 4), ("2/5", 2), ("非常满意", 5), ("满意", 4), ("不满意", 2),
    ("非常不满意", 1), ("一般般", 3), ("very happy", 5), ("terrible service", 1), ("非常滿意", 5), ("FIVE", 5),
])
def test_a_short_answer_gives_its_rating(text: str, score: int | None) -> None:
    assert read_rating(text) == score


@pytest.mark.parametrize("text", [
    "", "6", "10分", "0", "3.5", "ok", "我的手机又坏了", "AS-20261201-ABCDEF",
    "师傅很专业，准时上门，态度也很好，但是配件等了很久，整体来说我觉得还可以吧，希望下次更快一些就好了",
])
def test_no_rating_where_there_is_none(text: str) -> None:
    assert read_rating(text) is None

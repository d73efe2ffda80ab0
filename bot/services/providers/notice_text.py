"""What the provider bot writes in an outlet's Telegram group: the new-ticket notice and a button press's outcome.

Each is one message in Chinese and English.

A notice says what the outlet needs to decide whether to take the job — number, category, product, symptom, city,
acceptance deadline — and nothing that identifies the customer: never the phone number or the street address (the
provider API gives those after acceptance). The symptom is the customer's own words, so phone-like numbers in it are
masked and it is cut short.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from bot.domain.catalogue import CATEGORY_NAMES, ProductCategory
from bot.domain.handoff import mask_phone_numbers

MAX_SYMPTOM_CHARS = 300
#: Where deadlines are shown in Beijing time (the network's home); elsewhere in UTC.
_CHINA_TIME = timezone(timedelta(hours=8))
_NONE = "—"

#: Ticket categories (`bot.domain.taxonomy.Category` values) as the outlet reads them.
CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    "report_fault": ("故障报修", "Fault repair"),
    "installation_request": ("安装", "Installation"),
    "complaint": ("投诉", "Complaint"),
    "return_refund": ("退换货", "Return / refund"),
    "parts_availability": ("配件", "Parts"),
    "warranty_query": ("保修咨询", "Warranty query"),
}
PRIORITY_LABELS: dict[str, tuple[str, str]] = {
    "safety": ("⚠️ 安全隐患", "⚠️ Safety risk"),
    "high": ("加急", "High"),
}
BUTTONS: dict[str, str] = {"acc": "✅ 接单 Accept", "rej": "❌ 拒单 Reject"}
#: What a button press did, as the group sees it (answer: the short pop-up; line: appended to the notice).
OUTCOMES: dict[str, tuple[str, str]] = {
    "accepted": ("已接单 ✓ Accepted", "✅ 已接单 · Accepted"),
    "rejected": ("已拒单，工单将转派 · Rejected, the ticket goes to another outlet",
                 "❌ 已拒单 · Rejected"),
    "not_yours": ("该工单已不再分派给本网点 · This ticket is no longer assigned to this outlet",
                  "ℹ️ 已不再分派给本网点 · No longer assigned to this outlet"),
    "not_possible": ("工单当前状态不允许此操作 · Not possible in the ticket's current status",
                     "ℹ️ 工单状态已变更 · The ticket's status has changed"),
    "failed": ("操作失败，请稍后重试或使用网页端 · Failed; try again or use the provider portal", ""),
    "expired": ("该按钮已失效 · This button no longer works", ""),
}


@dataclass(frozen=True)
class NoticeTicket:
    """The part of a ticket a group notice shows."""

    number: str
    category: str
    priority: str
    brand_zh: str | None
    brand_en: str | None
    product_category: str | None
    symptom: str | None
    city: str | None  # province and city only, from the administrative code
    country: str | None
    accept_due_at: datetime | None
    rerouted: bool = False


def _pair(labels: dict[str, tuple[str, str]], key: str) -> str:
    zh, en = labels.get(key, (key, key))
    return zh if zh == en else f"{zh} {en}"


def _product(ticket: NoticeTicket) -> str:
    names: tuple[str, str] = ("", "")
    try:
        category = ProductCategory(ticket.product_category) if ticket.product_category else None
    except ValueError:
        category = None
    if category is not None:
        names = CATEGORY_NAMES[category][:2]
    elif ticket.product_category:
        names = (ticket.product_category, ticket.product_category)
    zh = " ".join(part for part in (ticket.brand_zh, names[0]) if part)
    en = " ".join(part for part in (ticket.brand_en, names[1]) if part)
    if not zh and not en:
        return _NONE
    return zh if zh == en else f"{zh} · {en}"


def _symptom(text: str | None) -> str:
    if not text or not text.strip():
        return _NONE
    masked = " ".join(mask_phone_numbers(text[: MAX_SYMPTOM_CHARS * 2]).split())
    return masked if len(masked) <= MAX_SYMPTOM_CHARS else masked[: MAX_SYMPTOM_CHARS - 1].rstrip() + "…"


def deadline(moment: datetime | None, country: str | None) -> str:
    """The acceptance deadline as the outlet reads it: Beijing time in China (and when unknown), else UTC."""
    if moment is None:
        return _NONE
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
    if country in (None, "", "CN"):
        return f"{aware.astimezone(_CHINA_TIME):%Y-%m-%d %H:%M} (UTC+8 北京时间)"
    return f"{aware.astimezone(timezone.utc):%Y-%m-%d %H:%M} (UTC)"


def notice_text(ticket: NoticeTicket) -> str:
    """The group message announcing a routed (or re-routed) ticket."""
    heading = "🔁 转派工单 · Re-routed ticket" if ticket.rerouted else "🔔 新工单 · New ticket"
    lines = [heading, ticket.number, f"类别 Category: {_pair(CATEGORY_LABELS, ticket.category)}"]
    if ticket.priority in PRIORITY_LABELS:
        lines.append(f"优先级 Priority: {_pair(PRIORITY_LABELS, ticket.priority)}")
    lines += [
        f"产品 Product: {_product(ticket)}",
        f"故障 Symptom: {_symptom(ticket.symptom)}",
        f"城市 City: {ticket.city or _NONE}",
        f"接单截止 Accept by: {deadline(ticket.accept_due_at, ticket.country)}",
    ]
    return "\n".join(lines)


def outcome_answer(result: str) -> str:
    """The short pop-up answering a button press (Telegram shows at most 200 characters)."""
    return OUTCOMES.get(result, OUTCOMES["failed"])[0][:200]


def outcome_line(result: str) -> str:
    """The line appended to the notice once a press changed (or revealed) the ticket's fate; "" for none."""
    return OUTCOMES.get(result, OUTCOMES["failed"])[1]

"""What a customer is told when their ticket moves on: one sentence per ticket event, in Chinese or English.

The texts are composed when the update is queued (they record what happened then) and go out as plain text on
the customer's channel, so they carry no markup. Which events produce an update: `UPDATE_KINDS`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from bot.services.customers.update_time import local_time

#: Ticket-event kinds a customer hears about (`routed` is told in the conversation that filed the ticket; a
#: `rejected` is followed by `rerouted` when another outlet takes over; `closed` and notes are internal).
UPDATE_KINDS = frozenset(
    {"accepted", "scheduled", "rescheduled", "in_repair", "waiting_parts", "resolved", "cancelled", "rerouted",
     "unassigned"}
)
MAX_NOTES_CHARS = 300  # the outlet's resolution notes, as quoted to the customer

_TEXTS: dict[str, tuple[str, str]] = {  # kind → (English, Chinese)
    "accepted": (
        "Your service order {number} has been accepted by {outlet}. They will contact you shortly.",
        "您的服务单 {number} 已被 {outlet} 受理，对方将尽快与您联系。",
    ),
    "scheduled": (
        "Your service order {number} is booked: {outlet} will come on {time}.",
        "您的服务单 {number} 已预约：{outlet} 将于 {time}上门服务。",
    ),
    "rescheduled": (
        "The appointment for your service order {number} has moved to {time}.",
        "您的服务单 {number} 预约时间已改为 {time}。",
    ),
    "in_repair": (
        "The repair for your service order {number} is under way.",
        "您的服务单 {number} 已开始维修。",
    ),
    "waiting_parts": (
        "Your service order {number} is waiting for a spare part; the repair continues as soon as it arrives.",
        "您的服务单 {number} 正在等待配件，配件到达后将继续维修。",
    ),
    "resolved": (
        "Your service order {number} has been completed by {outlet}.",
        "您的服务单 {number} 已由 {outlet} 处理完成。",
    ),
    "cancelled": (
        "Your service order {number} has been cancelled. If you still need help, just send us a message.",
        "您的服务单 {number} 已取消。如仍需服务，请随时给我们留言。",
    ),
    "unassigned": (
        "We could not find another authorised outlet for your service order {number} yet. A service agent will "
        "contact you within one working day to arrange it.",
        "您的服务单 {number} 暂时没有其他授权网点可以接单，客服会在一个工作日内与您联系安排。",
    ),
    "rerouted": (
        "Your service order {number} has been passed to {outlet}, which will take care of it from now on.",
        "您的服务单 {number} 已转交 {outlet} 处理。",
    ),
}
_NOTES = ("Notes: {notes}", "处理说明：{notes}")
_SOME_OUTLET = ("the service centre", "服务网点")
_SOME_TIME = ("the agreed time", "约定时间")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class UpdateFacts:
    """What an update may mention, gathered from the ticket, its event and the outlet concerned."""

    number: str
    outlet_name_zh: str | None = None
    outlet_name_en: str | None = None
    appointment_at: datetime | None = None
    notes: str | None = None
    country: str | None = None  # where the outlet is: the appointment is shown in its local time
    lon: float | None = None


def customer_language(ticket_language: str | None) -> str:
    """The language updates are written in: English for English tickets, Chinese otherwise (mixed included)."""
    return "en" if ticket_language == "en" else "zh"


def clean_notes(notes: str | None) -> str | None:
    """Notes fit to quote: control characters dropped, whitespace collapsed, at most `MAX_NOTES_CHARS`."""
    if not notes:
        return None
    printable = "".join(" " if unicodedata.category(c) == "Cc" else c for c in notes)
    text = _SPACES.sub(" ", printable).strip()
    if len(text) > MAX_NOTES_CHARS:
        text = text[: MAX_NOTES_CHARS - 1].rstrip() + "…"
    return text or None


def update_text(kind: str, language: str, facts: UpdateFacts) -> str | None:
    """The update for a ticket event of `kind`, in `language` ("en" or "zh"); None when customers are not told."""
    pair = _TEXTS.get(kind)
    if pair is None:
        return None
    en = language == "en"
    outlet = (facts.outlet_name_en if en else facts.outlet_name_zh) or _SOME_OUTLET[0 if en else 1]
    when = (
        local_time(facts.appointment_at, facts.country, facts.lon, "en" if en else "zh")
        if facts.appointment_at is not None
        else _SOME_TIME[0 if en else 1]
    )
    text = pair[0 if en else 1].format(number=facts.number, outlet=outlet, time=when)
    notes = clean_notes(facts.notes) if kind == "resolved" else None
    if notes:
        text += (" " if en else "") + _NOTES[0 if en else 1].format(notes=notes)
    return text

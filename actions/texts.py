"""Short localised labels that actions put into responses (sentences themselves live in domain.yml)."""

from __future__ import annotations

from datetime import date, datetime

from bot.domain.catalogue import CATEGORY_NAMES, ProductCategory
from bot.domain.warranty import Remedy

STATUS = {
    "new": ("received", "已受理"),
    "routed": ("sent to the service outlet", "已派单至服务网点"),
    "rejected": ("being reassigned to another outlet", "正在改派其他网点"),
    "rerouted": ("sent to another service outlet", "已改派至其他服务网点"),
    "accepted": ("accepted by the outlet", "网点已接单"),
    "scheduled": ("visit scheduled", "已预约上门"),
    "in_repair": ("being repaired", "维修中"),
    "waiting_parts": ("waiting for parts", "等待配件"),
    "resolved": ("resolved", "已完成"),
    "closed": ("closed", "已关闭"),
    "cancelled": ("cancelled", "已取消"),
}
EVENT = {
    "created": ("order created", "服务单已创建"),
    "routed": ("assigned to an outlet", "已分配网点"),
    "rerouted": ("reassigned", "已改派"),
    "rejected": ("declined by an outlet", "网点拒单"),
}
REMEDY = {
    Remedy.RETURN: ("return it for a refund", "退货退款"),
    Remedy.EXCHANGE: ("exchange it for a new one", "换新"),
    Remedy.FREE_REPAIR: ("free repair under warranty", "保修期内免费维修"),
    Remedy.PAID_REPAIR: ("paid repair (out of warranty)", "付费维修（已过保）"),
}

#: Button titles of the needs "did you mean" offers (triage categories), and of "something else".
NEED = {
    "report_fault": ("Repair", "报修"),
    "complaint": ("Complaint about service", "投诉服务"),
    "installation_request": ("Installation", "预约安装"),
    "warranty_query": ("Warranty question", "保修咨询"),
    "parts_availability": ("Spare parts", "配件查询"),
    "ticket_status": ("Order status", "查询进度"),
    "return_refund": ("Return or refund", "退换货"),
    "find_service_centre": ("Service centres", "查找网点"),
    "request_human": ("Talk to a person", "转人工"),
    "other": ("Something else", "其他"),
}


def need_name(need: str, language: str) -> str:
    """A need's button title in the customer's language."""
    return pick(NEED.get(need, (need, need)), language)


def pick(pair: tuple[str, str], language: str) -> str:
    """The English or Chinese member of a label pair."""
    return pair[0] if language == "en" else pair[1]


def category_name(value: str | None, language: str) -> str:
    """A product category's name in the customer's language."""
    try:
        zh, en, _ = CATEGORY_NAMES[ProductCategory(value)]
    except ValueError:
        return value or ""
    return en if language == "en" else zh


def status_name(status: str, language: str) -> str:
    """A ticket status as customers read it."""
    return pick(STATUS.get(status, (status, status)), language)


def event_name(kind: str, language: str) -> str:
    """A ticket event as customers read it (status changes read like the status)."""
    if kind in EVENT:
        return pick(EVENT[kind], language)
    return status_name(kind, language)


def day_text(value: date | datetime | None, language: str) -> str:
    """A day in the customer's format."""
    if value is None:
        return ""
    day = value.date() if isinstance(value, datetime) else value
    return day.isoformat() if language == "en" else f"{day.year}年{day.month}月{day.day}日"

"""Human handoff rules: why a conversation goes to a person, the queued → taken → closed lifecycle, summaries."""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType

from bot.domain.errors import IllegalTransitionError

MAX_SUMMARY_CHARS = 500


class HandoffReason(str, Enum):
    """Why the bot hands a conversation to a human agent."""

    REQUESTED = "requested"  # the customer asked for a person
    FALLBACK = "fallback"  # the bot could not understand, repeatedly
    SAFETY = "safety"  # smoke, fire, gas, electric shock …
    COMPLAINT = "complaint"
    UNSERVED_BRAND = "unserved_brand"  # a brand we do not service: a person refers the customer
    UNROUTED = "unrouted"  # a ticket no outlet can take (after rejections or an SLA lapse)


class HandoffStatus(str, Enum):
    """Where a handoff is: waiting for an agent, with an agent, or back with the bot."""

    QUEUED = "queued"
    TAKEN = "taken"
    CLOSED = "closed"


HANDOFF_TRANSITIONS: Mapping[HandoffStatus, frozenset[HandoffStatus]] = MappingProxyType(
    {
        HandoffStatus.QUEUED: frozenset({HandoffStatus.TAKEN, HandoffStatus.CLOSED}),
        HandoffStatus.TAKEN: frozenset({HandoffStatus.CLOSED}),
        HandoffStatus.CLOSED: frozenset(),
    }
)

#: A conversation has at most one handoff in these statuses.
OPEN_HANDOFF_STATUSES = frozenset({HandoffStatus.QUEUED, HandoffStatus.TAKEN})


def check_handoff_transition(current: HandoffStatus, target: HandoffStatus) -> None:
    """Raise `IllegalTransitionError` unless the handoff may go from `current` to `target`."""
    if target not in HANDOFF_TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in HANDOFF_TRANSITIONS[current])) or "none (closed)"
        raise IllegalTransitionError(
            f"handoff cannot go from {current.value} to {target.value}; allowed: {allowed}"
        )


# A run of 7..17 digits, optionally with a leading + or 00 and single separators between digits, not glued to
# ASCII letters or digits (CJK text around a number is normal: "电话13812345678"). `\d` also matches full-width
# digits, which customers on Chinese keyboards type.
_PHONE_LIKE = re.compile(r"(?<![A-Za-z\d+])(?:\+|00)?\d(?:[ \t().\-－]{0,2}\d){6,16}(?![A-Za-z\d])")
# A mainland mobile number even when glued to ASCII letters ("tel13812345678"), which the pattern above skips so
# that serial numbers such as "SN20240511" stay readable.
_CN_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_TICKET_NUMBER = re.compile(r"AS-\d{8}-[2-9A-HJ-NP-Z]{6}", re.IGNORECASE)
_DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}")


def mask_phone_numbers(text: str) -> str:
    """`text` with every phone-like number replaced by `******` and its last two digits.

    Ticket numbers (`AS-20260101-…`) and ISO-style dates are left alone; other long digit runs (IMEI, bank card)
    are masked too, on purpose: a summary never needs them in full.
    """
    return _mask(_CN_MOBILE, _mask(_PHONE_LIKE, text))


def _mask(pattern: re.Pattern[str], text: str) -> str:
    protected = [m.span() for m in _TICKET_NUMBER.finditer(text)]

    def replace(match: re.Match[str]) -> str:
        start, end = match.span()
        if any(s < end and start < e for s, e in protected) or _DATE.fullmatch(match.group()):
            return match.group()
        digits = [c for c in match.group() if c.isdigit()]
        return "******" + "".join(digits[-2:])

    return pattern.sub(replace, text)


def clean_summary(text: str) -> str:
    """A handoff summary safe to store: phone numbers masked, trimmed to `MAX_SUMMARY_CHARS`."""
    # Cap before the regex so that a huge input costs little; masking only shortens text, and the cap leaves far
    # more than one number's length beyond the final limit, so a number cut by the cap never survives the trim.
    masked = mask_phone_numbers(text[: MAX_SUMMARY_CHARS * 4]).strip()
    if len(masked) <= MAX_SUMMARY_CHARS:
        return masked
    return masked[: MAX_SUMMARY_CHARS - 1].rstrip() + "…"

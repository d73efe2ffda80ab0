"""Ticket numbers: `AS-YYYYMMDD-XXXXXX`, X from uppercase letters and digits without 0/O/1/I."""

from __future__ import annotations

import re
import secrets
from datetime import date

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
SUFFIX_LENGTH = 6
TICKET_NUMBER_RE = re.compile(r"^AS-(\d{8})-([2-9A-HJ-NP-Z]{6})$")


def new_ticket_number(day: date) -> str:
    """A fresh random ticket number for `day` (32^6 ≈ 1.07e9 suffixes a day; uniqueness is enforced by the DB)."""
    suffix = "".join(secrets.choice(ALPHABET) for _ in range(SUFFIX_LENGTH))
    return f"AS-{day:%Y%m%d}-{suffix}"


def normalise_ticket_number(text: str) -> str | None:
    """Canonical form of a ticket number a customer typed (case, spaces, dashes), or None if it is not one."""
    compact = re.sub(r"[\s\-_－—]", "", text.strip().upper())
    match = re.fullmatch(r"AS(\d{8})([2-9A-HJ-NP-Z]{6})", compact)
    if match is None:
        return None
    return f"AS-{match.group(1)}-{match.group(2)}"


def is_ticket_number(text: str) -> bool:
    """Whether `text` is a ticket number in canonical form."""
    return TICKET_NUMBER_RE.match(text) is not None

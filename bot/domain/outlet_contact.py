"""Who an outlet is and how to reach it: the fields every outlet value shares."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OutletContact:
    """An outlet's identity and contact details, as customers, agents and providers see them.

    The routing record, a route candidate, an agent's suggestion and the directory's view extend it with what each
    of them adds (coordinates, distance, load …), so the seven fields are declared once and come first.
    """

    outlet_id: int
    code: str
    name_zh: str
    name_en: str
    address: str
    phone: str | None
    opening_hours: str

    def name(self, language: str) -> str:
        """The outlet's name in the customer's language (Chinese unless English)."""
        return self.name_en if language == "en" else self.name_zh

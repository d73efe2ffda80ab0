"""What a customer is told about returns and exchanges: the rules of the country they bought in, not always 三包.

`policy_text(country, language)` states the statutory rule of `COUNTRY_RULES` (China's 三包: return within 7
days, exchange within 15; the UK's 30-day right to reject; the EU's two-year legal guarantee …); a country without
such rules, or an unknown one, gets the seller's policy and the manufacturer's warranty.
"""

from __future__ import annotations

from bot.domain.warranty import COUNTRY_RULES, CountryRule

_CN = "退换货政策（三包）：收货7天内出现性能故障可退货退款，15天内可换货，之后在保修期内免费维修。"
_CN_EN = ("Returns and exchanges (China's 三包 rules): within 7 days of delivery you can return a product with a "
          "performance fault for a refund; within 15 days you can exchange it; after that it is repaired under "
          "warranty.")


#: Each statutory window, as a clause in English and in Chinese (filled with the rule's number of days or months).
_CLAUSES: tuple[tuple[str, str, str], ...] = (
    ("return_days", "a faulty product can be returned for a refund within {} days of purchase",
     "购买{}天内出现故障可退货退款"),
    ("exchange_days", "exchanged within {} days", "{}天内可换货"),
    ("legal_guarantee_months", "repaired or replaced free of charge for {} months by the seller",
     "{}个月内可由销售方免费修理或更换"),
)


def _windows(rule: CountryRule, language: str) -> list[str]:
    return [(en if language == "en" else zh).format(getattr(rule, field))
            for field, en, zh in _CLAUSES if getattr(rule, field)]


def policy_text(country: str | None, language: str) -> str:
    """The return and exchange rules for a purchase in `country` (ISO code; None when unknown), in `language`."""
    code = (country or "").upper()
    if code == "CN":
        return _CN_EN if language == "en" else _CN
    rule = COUNTRY_RULES.get(code)
    windows = _windows(rule, language) if rule else []
    if rule is None or not windows:
        if language == "en":
            return ("Returns depend on the seller's policy where you bought the product; faults are repaired under "
                    "the manufacturer's warranty.")
        return "退换货以您购买地销售方的政策为准；产品故障可在厂商保修期内维修。"
    if language == "en":
        return f"Returns and exchanges ({rule.basis}): {'; '.join(windows)}; after that it is repaired under warranty."
    return f"退换货政策（{rule.basis}）：{'，'.join(windows)}，之后在保修期内维修。"

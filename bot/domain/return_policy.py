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


def _windows_en(rule: CountryRule) -> list[str]:
    parts = []
    if rule.return_days:
        parts.append(f"a faulty product can be returned for a refund within {rule.return_days} days of purchase")
    if rule.exchange_days:
        parts.append(f"exchanged within {rule.exchange_days} days")
    if rule.legal_guarantee_months:
        parts.append(f"repaired or replaced free of charge for {rule.legal_guarantee_months} months by the seller")
    return parts


def _windows_zh(rule: CountryRule) -> list[str]:
    parts = []
    if rule.return_days:
        parts.append(f"购买{rule.return_days}天内出现故障可退货退款")
    if rule.exchange_days:
        parts.append(f"{rule.exchange_days}天内可换货")
    if rule.legal_guarantee_months:
        parts.append(f"{rule.legal_guarantee_months}个月内可由销售方免费修理或更换")
    return parts


def policy_text(country: str | None, language: str) -> str:
    """The return and exchange rules for a purchase in `country` (ISO code; None when unknown), in `language`."""
    code = (country or "").upper()
    if code == "CN":
        return _CN_EN if language == "en" else _CN
    rule = COUNTRY_RULES.get(code)
    windows = (_windows_en if language == "en" else _windows_zh)(rule) if rule else []
    if rule is None or not windows:
        if language == "en":
            return ("Returns depend on the seller's policy where you bought the product; faults are repaired under "
                    "the manufacturer's warranty.")
        return "退换货以您购买地销售方的政策为准；产品故障可在厂商保修期内维修。"
    if language == "en":
        return f"Returns and exchanges ({rule.basis}): {'; '.join(windows)}; after that it is repaired under warranty."
    return f"退换货政策（{rule.basis}）：{'，'.join(windows)}，之后在保修期内维修。"

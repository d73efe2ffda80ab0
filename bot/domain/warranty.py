"""Warranty decisions: China's 三包 rules and a per-country table for overseas markets. Pure functions."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from bot.domain.errors import ValidationError


class FaultKind(str, Enum):
    """What kind of fault the customer reports; accidental damage is never covered free of charge."""

    PERFORMANCE = "performance"  # 性能故障: the product fails by itself
    ACCIDENTAL_DAMAGE = "accidental_damage"  # drops, liquid, misuse
    UNKNOWN = "unknown"  # treated as a performance fault, subject to the outlet's inspection


#: Symptom codes (the catalogue's) that are accidental damage, and everyday words for it in zh and en.
ACCIDENTAL_SYMPTOMS = frozenset({"dropped", "water_damage"})
_ACCIDENTAL_WORDS = re.compile(
    r"摔|掉(?:在|到)?地上|掉水里|掉进|进水|泡水|浸水|洒了?(?:水|咖啡|饮料)|踩坏|压坏|砸|磕坏|人为"
    r"|\b(?:dropp?ed|fell|fallen|smashed|spill(?:ed|t)?|sat on|stepped on|water damage|got wet"
    r"|in the (?:pool|toilet|sink))\b",
    re.I,
)
_NEGATED_DAMAGE = re.compile(
    r"(?:没有?|不是|并非|没)\s*(?:摔|掉|进水)|\bnot?\s+(?:dropp?ed|been dropped)|\bnever\s+dropped", re.I
)


def fault_kind(symptoms: Iterable[str], texts: Iterable[str] = ()) -> FaultKind:
    """The kind of fault that the symptom codes and the customer's words report.

    Accidental damage when a symptom code or the customer's words say so (摔坏了, dropped it, 进水), unless denied
    ("没摔过", "never dropped"); a performance fault when other symptoms are known; else unknown.
    """
    codes = {str(s) for s in symptoms if s}
    words = [str(t) for t in texts if t]
    denied = any(_NEGATED_DAMAGE.search(t) for t in words)
    if not denied and (codes & ACCIDENTAL_SYMPTOMS or any(_ACCIDENTAL_WORDS.search(t) for t in words)):
        return FaultKind.ACCIDENTAL_DAMAGE
    return FaultKind.PERFORMANCE if codes else FaultKind.UNKNOWN


#: A model's warranty when the customer names no model we know (the usual statutory minimum in China); a catalogue
#: model has its own (`ProductModel.warranty_months`).
DEFAULT_WARRANTY_MONTHS = 12


class Remedy(str, Enum):
    """What the customer is entitled to, most generous first."""

    RETURN = "return"
    EXCHANGE = "exchange"
    FREE_REPAIR = "free_repair"
    PAID_REPAIR = "paid_repair"


@dataclass(frozen=True)
class CountryRule:
    """Statutory after-sales rules of a market, on top of the manufacturer's warranty."""

    country: str
    return_days: int | None  # full refund for a fault within this many days of purchase
    exchange_days: int | None  # replacement for a fault within this many days
    legal_guarantee_months: int | None  # statutory free-repair period, if any
    basis: str


COUNTRY_RULES: dict[str, CountryRule] = {
    rule.country: rule
    for rule in (
        CountryRule("CN", 7, 15, 12, "三包 (部分商品修理更换退货责任规定)"),
        CountryRule("GB", 30, None, 6, "Consumer Rights Act 2015"),
        CountryRule("DE", None, None, 24, "EU Sale of Goods Directive 2019/771"),
        CountryRule("FR", None, None, 24, "EU Sale of Goods Directive 2019/771"),
        CountryRule("ES", None, None, 36, "EU Sale of Goods Directive 2019/771 (Spain: 3 years)"),
        CountryRule("IT", None, None, 24, "EU Sale of Goods Directive 2019/771"),
        CountryRule("NL", None, None, 24, "EU Sale of Goods Directive 2019/771"),
        CountryRule("PL", None, None, 24, "EU Sale of Goods Directive 2019/771"),
        CountryRule("AU", None, None, None, "Australian Consumer Law (remedy depends on the failure)"),
        CountryRule("US", None, None, None, "manufacturer's warranty only"),
        CountryRule("IN", None, None, None, "manufacturer's warranty only"),
        CountryRule("ID", None, None, None, "manufacturer's warranty only"),
        CountryRule("MY", None, None, None, "manufacturer's warranty only"),
        CountryRule("TH", None, None, None, "manufacturer's warranty only"),
        CountryRule("VN", None, None, None, "manufacturer's warranty only"),
        CountryRule("PH", None, None, None, "manufacturer's warranty only"),
        CountryRule("SG", None, None, 6, "Lemon Law (Consumer Protection (Fair Trading) Act)"),
        CountryRule("AE", None, None, 12, "UAE Consumer Protection Law"),
        CountryRule("SA", None, None, 12, "Saudi Consumer Protection"),
        CountryRule("BR", 7, None, 3, "Código de Defesa do Consumidor"),
        CountryRule("MX", None, None, 3, "Ley Federal de Protección al Consumidor"),
        CountryRule("RU", 15, 15, None, "Consumer Rights Protection Law (technically complex goods)"),
        CountryRule("NG", None, None, None, "manufacturer's warranty only"),
        CountryRule("EG", 14, 14, 12, "Egyptian Consumer Protection Law"),
        CountryRule("PK", None, None, None, "manufacturer's warranty only"),
        CountryRule("KE", None, None, None, "manufacturer's warranty only"),
        CountryRule("TR", 30, 30, 24, "Turkish Consumer Protection Law 6502"),
    )
}
DEFAULT_RULE = CountryRule("*", None, None, None, "manufacturer's warranty only")


@dataclass(frozen=True)
class WarrantyDecision:
    """The outcome, with machine-readable reason codes that the response layer localises."""

    in_warranty: bool
    remedies: tuple[Remedy, ...]
    days_since_purchase: int
    warranty_ends: date
    country: str
    basis: str
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def best_remedy(self) -> Remedy:
        """The most generous remedy the customer can ask for."""
        return self.remedies[0]


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def decide(
    purchase_date: date,
    today: date,
    warranty_months: int,
    country: str = "CN",
    fault: FaultKind = FaultKind.UNKNOWN,
) -> WarrantyDecision:
    """Decide coverage from the purchase date, the model's warranty and the market's statutory rules."""
    if purchase_date > today:
        raise ValidationError("purchase date is in the future")
    if purchase_date.year < 1990:
        raise ValidationError("purchase date is implausibly old")
    if warranty_months < 0:
        raise ValidationError("warranty months cannot be negative")
    rule = COUNTRY_RULES.get(country.upper(), DEFAULT_RULE)
    days = (today - purchase_date).days
    months = max(warranty_months, rule.legal_guarantee_months or 0)
    ends = add_months(purchase_date, months)
    in_warranty = today <= ends
    reasons: list[str] = [f"days_since_purchase:{days}", f"warranty_months:{months}"]

    if fault is FaultKind.ACCIDENTAL_DAMAGE:
        reasons.append("accidental_damage_not_covered")
        return WarrantyDecision(
            in_warranty, (Remedy.PAID_REPAIR,), days, ends, rule.country, rule.basis, tuple(reasons)
        )

    remedies: list[Remedy] = []
    # Day 0 is the day of purchase: "within 7 days" means days 0..7 (三包 counts from the day after purchase).
    if rule.return_days is not None and days <= rule.return_days:
        remedies.append(Remedy.RETURN)
        reasons.append(f"within_return_window:{rule.return_days}")
    if rule.exchange_days is not None and days <= rule.exchange_days:
        remedies.append(Remedy.EXCHANGE)
        reasons.append(f"within_exchange_window:{rule.exchange_days}")
    if in_warranty:
        remedies.append(Remedy.FREE_REPAIR)
        reasons.append("within_warranty")
    else:
        remedies.append(Remedy.PAID_REPAIR)
        reasons.append("warranty_expired")
    if fault is FaultKind.UNKNOWN and remedies[0] is not Remedy.PAID_REPAIR:
        reasons.append("subject_to_inspection")
    return WarrantyDecision(in_warranty, tuple(remedies), days, ends, rule.country, rule.basis, tuple(reasons))

"""Warranty rules (三包 and other markets) and WarrantyService on a throwaway SQLite."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from bot.domain.errors import NotFoundError, UnknownModelError, ValidationError
from bot.domain.warranty import FaultKind, Remedy, add_months, decide, fault_kind
from bot.services.tickets.warranty import WarrantyService, valid_imei
from tests.factories import make_brand, make_device, make_model

BOUGHT = date(2024, 3, 1)
R, E, F, P = Remedy.RETURN, Remedy.EXCHANGE, Remedy.FREE_REPAIR, Remedy.PAID_REPAIR


def on_day(days: int) -> date:
    return BOUGHT + timedelta(days=days)


@pytest.mark.parametrize(
    ("days", "remedies"),
    [(0, (R, E, F)), (7, (R, E, F)), (8, (E, F)), (15, (E, F)), (16, (F,)), (300, (F,))],
)
def test_sanbao_windows(days: int, remedies: tuple[Remedy, ...]) -> None:
    decision = decide(BOUGHT, on_day(days), 12, "CN", FaultKind.PERFORMANCE)
    assert decision.remedies == remedies
    assert decision.in_warranty and decision.days_since_purchase == days
    assert decision.best_remedy is remedies[0]
    assert "subject_to_inspection" not in decision.reasons  # a confirmed performance fault needs no caveat


def test_sanbao_warranty_end_is_inclusive_then_paid() -> None:
    last_day = decide(BOUGHT, date(2025, 3, 1), 12, "CN", FaultKind.PERFORMANCE)
    assert (last_day.in_warranty, last_day.remedies, last_day.warranty_ends) == (True, (F,), date(2025, 3, 1))
    expired = decide(BOUGHT, date(2025, 3, 2), 12, "CN", FaultKind.PERFORMANCE)
    assert (expired.in_warranty, expired.remedies) == (False, (P,))
    assert "warranty_expired" in expired.reasons


def test_unknown_fault_is_covered_subject_to_inspection() -> None:
    decision = decide(BOUGHT, on_day(3), 12, "CN", FaultKind.UNKNOWN)
    assert decision.remedies == (R, E, F)
    assert "subject_to_inspection" in decision.reasons


def test_accidental_damage_is_paid_even_on_day_one() -> None:
    decision = decide(BOUGHT, on_day(1), 12, "CN", FaultKind.ACCIDENTAL_DAMAGE)
    assert decision.remedies == (P,)
    assert decision.in_warranty  # the warranty runs; it just does not cover drops and liquid
    assert "accidental_damage_not_covered" in decision.reasons


def test_uk_thirty_day_right_to_reject() -> None:
    assert decide(BOUGHT, on_day(30), 12, "gb", FaultKind.PERFORMANCE).remedies == (R, F)
    later = decide(BOUGHT, on_day(31), 12, "GB", FaultKind.PERFORMANCE)
    assert later.remedies == (F,) and later.country == "GB" and "Consumer Rights" in later.basis


def test_germany_legal_guarantee_outlasts_a_one_year_warranty() -> None:
    assert decide(BOUGHT, on_day(3), 12, "DE", FaultKind.PERFORMANCE).remedies == (F,)  # no statutory return
    month_18 = decide(BOUGHT, date(2025, 9, 1), 12, "DE", FaultKind.PERFORMANCE)
    assert (month_18.in_warranty, month_18.remedies, month_18.warranty_ends) == (True, (F,), date(2026, 3, 1))
    assert decide(BOUGHT, date(2025, 9, 1), 12, "CN", FaultKind.PERFORMANCE).remedies == (P,)


def test_unlisted_country_gets_the_manufacturer_warranty() -> None:
    decision = decide(BOUGHT, on_day(2), 12, "ZZ", FaultKind.PERFORMANCE)
    assert decision.remedies == (F,) and decision.country == "*"


@pytest.mark.parametrize(
    ("purchase", "today", "months"),
    [(date(2024, 3, 2), date(2024, 3, 1), 12), (date(1989, 12, 31), date(2024, 1, 1), 12), (BOUGHT, BOUGHT, -1)],
)
def test_impossible_inputs_rejected(purchase: date, today: date, months: int) -> None:
    with pytest.raises(ValidationError):
        decide(purchase, today, months)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),  # year roll-over
        (date(2024, 5, 31), 24, date(2026, 5, 31)),
        (date(2024, 5, 31), 0, date(2024, 5, 31)),
    ],
)
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_month_end_purchase_warranty_boundary() -> None:
    bought = date(2023, 8, 31)
    assert decide(bought, date(2024, 2, 29), 6, "US", FaultKind.PERFORMANCE).remedies == (F,)
    assert decide(bought, date(2024, 3, 1), 6, "US", FaultKind.PERFORMANCE).remedies == (P,)


def test_valid_imei_checks_the_luhn_digit() -> None:
    assert valid_imei("490154203237518")
    assert not valid_imei("490154203237519")
    assert not valid_imei("49015420323751")
    assert not valid_imei("49015420323751a")


@pytest.fixture
async def models(session_factory):  # type: ignore[no-untyped-def]
    """A brand with a 24-month model and a 12-month one (codes differ only in case from what users type)."""
    async with session_factory() as s, s.begin():
        brand = await make_brand(s, code="acme")
        long = await make_model(s, brand, code="Pro-24", warranty_months=24)
        short = await make_model(s, brand, code="Lite-12", warranty_months=12)
        device = await make_device(s, long, purchase_date=date(2023, 1, 10), purchase_country="CN")
        return {"brand": brand.id, "long": long.id, "short": short.id, "device": device.id}


def fixed(day: date):  # type: ignore[no-untyped-def]
    return lambda: day


async def test_check_uses_the_models_warranty_months(session_factory, models) -> None:  # type: ignore[no-untyped-def]
    service = WarrantyService(session_factory, fixed(date(2024, 9, 1)))
    by_id = await service.check(model_id=models["long"], purchase_date=date(2023, 1, 10), country="CN",
                                fault=FaultKind.PERFORMANCE)
    assert by_id.remedies == (F,) and by_id.warranty_ends == date(2025, 1, 10)
    short = await service.check(model_id=models["short"], purchase_date=date(2023, 1, 10), country="CN")
    assert short.remedies == (P,)


async def test_check_by_model_code_and_brand(session_factory, models) -> None:  # type: ignore[no-untyped-def]
    service = WarrantyService(session_factory, fixed(date(2024, 3, 5)))
    by_brand_id = await service.check(model_code="pro-24", brand_id=models["brand"], purchase_date=BOUGHT,
                                      country="cn", imei="490154203237518", serial="SN1")
    assert by_brand_id.remedies == (R, E, F)
    by_brand_code = await service.check(model_code="PRO-24", brand_code="ACME", purchase_date=BOUGHT, country="CN")
    assert by_brand_code == by_brand_id


async def test_check_rejects_unknown_or_ambiguous_input(session_factory, models) -> None:  # type: ignore[no-untyped-def]
    service = WarrantyService(session_factory, fixed(date(2024, 3, 5)))
    with pytest.raises(UnknownModelError):
        await service.check(model_id=999_999, purchase_date=BOUGHT, country="CN")
    with pytest.raises(UnknownModelError):
        await service.check(model_code="Pro-24", brand_code="other", purchase_date=BOUGHT, country="CN")
    with pytest.raises(ValidationError):  # a model code means nothing without its brand
        await service.check(model_code="Pro-24", purchase_date=BOUGHT, country="CN")
    with pytest.raises(ValidationError):
        await service.check(model_id=models["long"], purchase_date=BOUGHT, country="China")
    with pytest.raises(ValidationError):
        await service.check(model_id=models["long"], purchase_date=BOUGHT, country="CN", imei="490154203237519")
    with pytest.raises(ValidationError):  # bought tomorrow
        await service.check(model_id=models["long"], purchase_date=date(2024, 3, 6), country="CN")


async def test_check_device(session_factory, models) -> None:  # type: ignore[no-untyped-def]
    clock = fixed(datetime(2025, 1, 10, 23, 30, tzinfo=timezone.utc))  # a datetime clock is cut to its day
    service = WarrantyService(session_factory, clock)
    decision = await service.check_device(models["device"], FaultKind.PERFORMANCE)
    assert (decision.in_warranty, decision.remedies, decision.country) == (True, (F,), "CN")
    abroad = await service.check_device(models["device"], FaultKind.ACCIDENTAL_DAMAGE, country="DE")
    assert abroad.remedies == (P,) and abroad.country == "DE"
    with pytest.raises(NotFoundError):
        await service.check_device(999_999)


async def test_check_device_needs_model_date_and_country(session_factory) -> None:  # type: ignore[no-untyped-def]
    async with session_factory() as s, s.begin():
        model = await make_model(s)
        no_model = (await make_device(s, None, purchase_date=BOUGHT)).id
        no_date = (await make_device(s, model, purchase_date=None)).id
        no_country = (await make_device(s, model, purchase_date=BOUGHT, purchase_country=None)).id
    service = WarrantyService(session_factory, fixed(date(2024, 4, 1)))
    with pytest.raises(UnknownModelError):
        await service.check_device(no_model)
    with pytest.raises(ValidationError):
        await service.check_device(no_date)
    with pytest.raises(ValidationError):
        await service.check_device(no_country)
    assert (await service.check_device(no_country, country="GB")).remedies == (F,)


@pytest.mark.parametrize(("symptoms", "texts", "expected"), [
    (["dropped"], [], FaultKind.ACCIDENTAL_DAMAGE),
    ([], ["手机摔坏了"], FaultKind.ACCIDENTAL_DAMAGE),
    ([], ["手机进水了"], FaultKind.ACCIDENTAL_DAMAGE),
    ([], ["I dropped it in the sink"], FaultKind.ACCIDENTAL_DAMAGE),
    (["wont_charge"], ["没摔过也没进水，就是充不进电"], FaultKind.PERFORMANCE),  # denied
    (["wont_charge"], ["it was never dropped, it just stopped charging"], FaultKind.PERFORMANCE),
    ([], ["还在保修期吗"], FaultKind.UNKNOWN),
])
def test_the_fault_kind_comes_from_symptoms_and_words(
    symptoms: list[str], texts: list[str], expected: FaultKind
) -> None:
    assert fault_kind(symptoms, texts) == expected

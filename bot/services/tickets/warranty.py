"""Warranty checks: look up the model's warranty terms and apply the market's rules (bot.domain.warranty)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date, datetime, timezone

from sqlalchemy import func, select

from bot.db.models import Brand, Device, ProductModel
from bot.db.session import SessionFactory
from bot.domain.errors import NotFoundError, UnknownModelError, ValidationError
from bot.domain.warranty import FaultKind, WarrantyDecision, decide

log = logging.getLogger(__name__)

__all__ = ["WarrantyService", "utc_today", "valid_imei"]

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_IMEI = re.compile(r"^\d{15}$")


def utc_today() -> date:
    """Today's date in UTC: the default clock."""
    return datetime.now(timezone.utc).date()


def valid_imei(imei: str) -> bool:
    """Whether `imei` is 15 digits with a correct Luhn check digit."""
    if not _IMEI.match(imei):
        return False
    total = 0
    for index, char in enumerate(reversed(imei)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _country(country: str) -> str:
    code = country.strip().upper()
    # A typo such as "China" must not silently fall back to "manufacturer's warranty only".
    if not _COUNTRY.match(code):
        raise ValidationError("country must be an ISO 3166-1 alpha-2 code such as CN or DE")
    return code


class WarrantyService:
    """Warranty use cases; the clock is injected so that tests (and replays) decide on a fixed day."""

    def __init__(self, session_factory: SessionFactory, clock: Callable[[], date] = utc_today) -> None:
        self._sessions = session_factory
        self._clock = clock

    def _today(self) -> date:
        today = self._clock()
        # A datetime is a date too, but comparing one with a purchase date raises: keep only the day.
        return today.date() if isinstance(today, datetime) else today

    async def check(
        self,
        *,
        purchase_date: date,
        country: str,
        fault: FaultKind = FaultKind.UNKNOWN,
        model_id: int | None = None,
        model_code: str | None = None,
        brand_id: int | None = None,
        brand_code: str | None = None,
        serial: str | None = None,
        imei: str | None = None,
    ) -> WarrantyDecision:
        """Coverage for a model (by id, or by code plus brand id or code) bought on `purchase_date` in `country`."""
        code = _country(country)
        if imei is not None and not valid_imei(imei.strip()):
            raise ValidationError("IMEI must be 15 digits with a valid check digit")
        if serial is not None and not serial.strip():
            raise ValidationError("serial number is empty")
        warranty_months = await self._warranty_months(model_id, model_code, brand_id, brand_code)
        decision = decide(purchase_date, self._today(), warranty_months, code, FaultKind(fault))
        log.info(
            "warranty.checked country=%s fault=%s best_remedy=%s in_warranty=%s",
            decision.country, FaultKind(fault).value, decision.best_remedy.value, decision.in_warranty,
        )
        return decision

    async def check_device(
        self, device_id: int, fault: FaultKind = FaultKind.UNKNOWN, country: str | None = None
    ) -> WarrantyDecision:
        """Coverage for a registered device, from its model, purchase date and purchase country."""
        async with self._sessions() as session, session.begin():
            device = (
                await session.execute(
                    select(Device.model_id, Device.purchase_date, Device.purchase_country).where(Device.id == device_id)
                )
            ).one_or_none()
        if device is None:
            raise NotFoundError(f"no device with id {device_id}")
        if device.model_id is None:
            raise UnknownModelError(f"device {device_id} has no known model")
        if device.purchase_date is None:
            raise ValidationError("the device has no purchase date; ask the customer for the invoice date")
        market = country or device.purchase_country
        if market is None:
            raise ValidationError("the device has no purchase country; ask the customer where it was bought")
        return await self.check(
            model_id=device.model_id, purchase_date=device.purchase_date, country=market, fault=fault
        )

    async def _warranty_months(
        self, model_id: int | None, model_code: str | None, brand_id: int | None, brand_code: str | None
    ) -> int:
        query = select(ProductModel.warranty_months)
        # Model codes are unique per brand only: "P40" of one brand says nothing about another's.
        # Case-insensitive because customers type "p40 pro" for "P40 Pro"; a brand has few models to scan.
        by_code = func.lower(ProductModel.code) == (model_code or "").strip().lower()
        if model_id is not None:
            query = query.where(ProductModel.id == model_id)
        elif model_code and brand_id is not None:
            query = query.where(by_code, ProductModel.brand_id == brand_id)
        elif model_code and brand_code:
            query = query.join(Brand, Brand.id == ProductModel.brand_id).where(
                by_code, func.lower(Brand.code) == brand_code.strip().lower()
            )
        else:
            raise ValidationError("give a model id, or a model code with its brand")
        async with self._sessions() as session, session.begin():
            months = (await session.execute(query)).scalar_one_or_none()
        if months is None:
            raise UnknownModelError(f"unknown product model {model_id or model_code!r}")
        return int(months)

"""Phones, product categories and SLA rules."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.domain.catalogue import ProductCategory, parse_category
from bot.domain.errors import InvalidPhoneError, UnknownCategoryError
from bot.domain.phone import mask_phone, normalise_phone
from bot.domain.sla import accept_due, resolve_due
from bot.domain.taxonomy import Category, Priority, ServiceType, service_type_for


@pytest.mark.parametrize(
    "text,region,expected",
    [("13812345678", "CN", "+8613812345678"), ("+86 138-1234-5678", "CN", "+8613812345678"),
     ("+44 20 7946 0958", "CN", "+442079460958"), ("020 7946 0958", "GB", "+442079460958"),
     ("9876543210", "IN", "+919876543210")],
)
def test_phone_normalised_to_e164(text: str, region: str, expected: str) -> None:
    assert normalise_phone(text, region) == expected


@pytest.mark.parametrize("text", ["", "12", "138123456789999999", "abc", "1" * 40, "📱📱"])
def test_absurd_phones_rejected(text: str) -> None:
    with pytest.raises(InvalidPhoneError):
        normalise_phone(text)


def test_mask_phone_hides_digits() -> None:
    masked = mask_phone("+8613812345678")
    assert "12345" not in masked and masked.endswith("78")


@pytest.mark.parametrize(
    "text,expected",
    [("空调", ProductCategory.AIR_CONDITIONER), ("Fridge", ProductCategory.REFRIGERATOR),
     ("laptop", ProductCategory.LAPTOP), ("电视机", ProductCategory.TV)],
)
def test_parse_category(text: str, expected: ProductCategory) -> None:
    assert parse_category(text) is expected


def test_unknown_category_is_typed() -> None:
    with pytest.raises(UnknownCategoryError, match="toaster"):
        parse_category("toaster")


def test_sla_rules() -> None:
    t0 = datetime(2026, 11, 25, 8, tzinfo=timezone.utc)
    assert resolve_due(t0, Priority.SAFETY) - t0 == timedelta(hours=24)
    assert resolve_due(t0, Priority.NORMAL) - t0 == timedelta(hours=72)
    assert accept_due(t0, 120, Priority.NORMAL) - t0 == timedelta(minutes=120)
    assert accept_due(t0, 120, Priority.SAFETY) - t0 == timedelta(minutes=30)


def test_installation_goes_to_installers() -> None:
    assert service_type_for(Category.INSTALLATION_REQUEST) is ServiceType.INSTALLATION
    assert service_type_for(Category.REPORT_FAULT) is ServiceType.REPAIR

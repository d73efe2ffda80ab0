"""Phone numbers normalised to E.164."""

from __future__ import annotations

from bot.domain.errors import InvalidPhoneError


def normalise_phone(text: str, default_region: str = "CN") -> str:
    """E.164 form of a phone number (`+8613812345678`), or raise `InvalidPhoneError`."""
    import phonenumbers  # heavy metadata tables: load on first use, not at import

    cleaned = text.strip()
    if not cleaned or len(cleaned) > 32:
        raise InvalidPhoneError("phone number is empty or too long")
    try:
        number = phonenumbers.parse(cleaned, default_region.upper())
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneError("not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str) -> str:
    """A phone number safe for logs: country code and last two digits only."""
    if len(e164) <= 4:
        return "***"
    return f"{e164[:3]}******{e164[-2:]}"

"""The domain's typed errors. Adapters translate them (actions: a localised apology; API: a status code)."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the service layer raises on purpose."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(DomainError):
    """A referenced record does not exist."""

    code = "not_found"


class UnknownBrandError(NotFoundError):
    """The brand is not in the catalogue."""

    code = "unknown_brand"


class UnknownCategoryError(NotFoundError):
    """The product category is not one we service."""

    code = "unknown_category"


class UnknownPartError(NotFoundError):
    """The part (or the part a model needs) is not in the catalogue."""

    code = "unknown_part"


class UnknownModelError(NotFoundError):
    """The product model is not in the catalogue."""

    code = "unknown_model"


class TicketNotFoundError(NotFoundError):
    """No ticket has that number or id."""

    code = "ticket_not_found"


class UnknownLocationError(DomainError):
    """The location text could not be resolved to coordinates."""

    code = "unknown_location"


class InvalidCoordinatesError(DomainError):
    """Latitude or longitude out of range, or not numbers."""

    code = "invalid_coordinates"


class InvalidPhoneError(DomainError):
    """A phone number that cannot be a real number."""

    code = "invalid_phone"


class ValidationError(DomainError):
    """An input value is malformed or out of range."""

    code = "validation_error"


class IllegalTransitionError(DomainError):
    """A ticket status change that the lifecycle does not allow."""

    code = "illegal_transition"


class NoEligibleOutletError(DomainError):
    """No authorised outlet serves that brand, category and service type near the location."""

    code = "no_eligible_outlet"


class InsufficientStockError(DomainError):
    """Not enough unreserved stock to reserve the quantity asked for."""

    code = "insufficient_stock"


class ConflictError(DomainError):
    """The request conflicts with the current state (e.g. a reservation already released)."""

    code = "conflict"


class HandoffNotFoundError(NotFoundError):
    """No human-handoff request has that id."""

    code = "handoff_not_found"


class UpstreamError(DomainError):
    """A service we depend on (e.g. Rasa's HTTP API) failed, timed out or could not be reached."""

    code = "upstream_error"

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # the upstream HTTP status, None when no response arrived


class PayloadTooLargeError(DomainError):
    """A request body is larger than the endpoint accepts."""

    code = "payload_too_large"

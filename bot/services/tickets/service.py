"""Ticket use cases: create, file a request, route (and re-route after a rejection), transition, query."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Device, Ticket, utcnow
from bot.db.repositories import tickets as repo
from bot.db.session import SessionFactory
from bot.domain.catalogue import ProductCategory, can_be_posted
from bot.domain.errors import (
    ConflictError,
    IllegalTransitionError,
    NoEligibleOutletError,
    TicketNotFoundError,
    ValidationError,
)
from bot.domain.handoff import HandoffReason
from bot.domain.lifecycle import CUSTOMER_CANCELLABLE, OPEN_STATUSES, TicketStatus, check_transition
from bot.domain.phone import normalise_phone
from bot.domain.sla import accept_due, resolve_due
from bot.domain.taxonomy import Priority, ServiceType, service_type_for
from bot.domain.ticket_number import new_ticket_number
from bot.geo.haversine import haversine_km
from bot.geo.types import Location, RouteCandidate
from bot.services.handoff.service import HandoffService
from bot.services.tickets.outlets import OutletDirectory
from bot.services.tickets.types import FiledRequest, NewTicket, TicketView

logger = logging.getLogger(__name__)

MAX_SYMPTOM_CHARS = 2000
_NUMBER_ATTEMPTS = 5


class Router(Protocol):
    """What the ticket service needs from routing (implemented by `RoutingService`)."""

    async def nearest(
        self,
        brand_id: int,
        category: ProductCategory,
        service_type: ServiceType,
        location: Location,
        k: int = 3,
        exclude_outlet_ids: Collection[int] = (),
    ) -> list[RouteCandidate]:
        """Nearest eligible outlets, best first."""
        ...

    async def nearest_mail_in_hub(
        self, brand_id: int, category: ProductCategory, location: Location
    ) -> RouteCandidate | None:
        """The nearest mail-in repair hub for the brand × category."""
        ...

    def record_assignment(self, outlet_id: int, delta: int) -> None:
        """Adjust an outlet's in-memory load."""
        ...


class TicketService:
    """Owns the ticket transactions; adapters (actions, API views) call it and translate its errors."""

    def __init__(
        self,
        session_factory: SessionFactory,
        router: Router | None = None,
        clock: Callable[[], datetime] = utcnow,
        outlets: OutletDirectory | None = None,
    ) -> None:
        self._sessions = session_factory
        self._router = router
        self._clock = clock
        self._outlets = outlets or OutletDirectory(session_factory)

    async def create(self, new: NewTicket, route: bool = False) -> TicketView:
        """Open a ticket; the same idempotency key always yields the same single ticket."""
        _validate(new)
        existing = await self._find_by_key(new.idempotency_key)
        if existing is not None:
            return existing
        view: TicketView | None = None
        for _ in range(_NUMBER_ATTEMPTS):
            try:
                view = await self._insert(new)
                break
            except IntegrityError:
                # Either a concurrent retry won the race (same key) or the random number collided.
                existing = await self._find_by_key(new.idempotency_key)
                if existing is not None:
                    return existing
        if view is None:
            raise ConflictError("could not allocate a ticket number")
        logger.info("ticket.created number=%s category=%s channel=%s", view.number, view.category, view.channel)
        if route:
            view = await self.route(view.number)
        return view

    async def file_request(self, new: NewTicket) -> FiledRequest:
        """Open a customer's repair or installation request and send it to an outlet.

        The outlet is the nearest eligible one, else a mail-in hub when the product can be posted (`route`); when
        none can take it, the ticket stays unrouted. Idempotent: a retried request returns the same ticket, routed
        once.
        """
        ticket = await self.create(new)
        if ticket.assigned_outlet_id is None:  # else a retried confirmation: already routed
            try:
                ticket = await self.route(ticket.number)
            except (NoEligibleOutletError, ConflictError):
                logger.info("ticket.unrouted number=%s", ticket.number)
                ticket = await self.get(ticket.number)
        if ticket.assigned_outlet_id is None:
            return FiledRequest(ticket)
        outlet = await self._outlets.get(ticket.assigned_outlet_id)
        distance = None
        if ticket.lat is not None and ticket.lon is not None:
            distance = haversine_km(ticket.lat, ticket.lon, outlet.lat, outlet.lon)
        return FiledRequest(ticket, outlet, distance)

    async def _find_by_key(self, key: str) -> TicketView | None:
        async with self._sessions() as session:
            ticket = await repo.by_idempotency_key(session, key)
            return TicketView.of(ticket, created=False) if ticket is not None else None

    async def _insert(self, new: NewTicket) -> TicketView:
        now = self._clock()
        phone = normalise_phone(new.phone) if new.phone else None
        async with self._sessions() as session, session.begin():
            customer = await repo.upsert_customer(
                session, new.channel, new.channel_user_id, phone, new.language
            )
            device_id = None
            if new.serial or new.imei or new.model_id or new.purchase_date:
                device = Device(
                    customer_id=customer.id,
                    model_id=new.model_id,
                    serial=new.serial,
                    imei=new.imei,
                    purchase_date=new.purchase_date,
                    purchase_country=new.location.country if new.location else None,
                )
                session.add(device)
                await session.flush()
                device_id = device.id
            parent_id = None
            if new.parent_ticket_number:
                parent = await repo.by_number(session, new.parent_ticket_number)
                if parent is None:
                    raise TicketNotFoundError(f"no ticket {new.parent_ticket_number}")
                parent_id = parent.id
            location = new.location
            ticket = Ticket(
                number=new_ticket_number(now.date()),
                idempotency_key=new.idempotency_key,
                category=new.category.value,
                priority=new.priority.value,
                status=TicketStatus.NEW.value,
                service_type=service_type_for(new.category).value,
                language=new.language,
                channel=new.channel,
                conversation_id=new.conversation_id,
                customer_id=customer.id,
                device_id=device_id,
                brand_id=new.brand_id,
                product_category=new.product_category.value if new.product_category else None,
                model_id=new.model_id,
                symptom=new.symptom,
                location_text=new.location_text,
                country=location.country if location else None,
                adcode=location.adcode if location else None,
                lat=location.lat if location else None,
                lon=location.lon if location else None,
                parent_ticket_id=parent_id,
                sla_resolve_due_at=resolve_due(now, new.priority),
                created_at=now,
                updated_at=now,
            )
            session.add(ticket)
            await session.flush()
            repo.add_event(session, ticket, "created", f"{new.channel}:customer", None, TicketStatus.NEW.value)
            if new.conversation_id:
                # Photos the customer sent before the ticket existed belong to it.
                await repo.attach_pending(session, new.conversation_id, ticket.id)
        return TicketView.of(ticket, created=True)

    async def get(self, number: str, with_events: bool = False) -> TicketView:
        """A ticket by number, or `TicketNotFoundError`."""
        async with self._sessions() as session:
            ticket = await repo.by_number(session, number)
            if ticket is None:
                raise TicketNotFoundError(f"no ticket {number[:24]}")
            events = await repo.events_of(session, ticket.id) if with_events else None
            return TicketView.of(ticket, events=events)

    async def list_for_customer(
        self, channel: str, channel_user_id: str, open_only: bool = True
    ) -> list[TicketView]:
        """A customer's tickets on one channel, newest first."""
        statuses = frozenset(s.value for s in OPEN_STATUSES | {TicketStatus.NEW, TicketStatus.REJECTED})
        async with self._sessions() as session:
            tickets = await repo.for_customer(session, channel, channel_user_id, statuses if open_only else None)
            return [TicketView.of(t) for t in tickets]

    async def transition(
        self,
        number: str,
        target: TicketStatus,
        actor: str,
        outlet_id: int | None = None,
        data: dict[str, object] | None = None,
    ) -> TicketView:
        """Move a ticket along its lifecycle, writing the event; illegal moves raise `IllegalTransitionError`."""
        async with self._sessions() as session, session.begin():
            ticket = await self._locked(session, number)
            current = TicketStatus(ticket.status)
            check_transition(current, target)
            if outlet_id is not None and ticket.assigned_outlet_id != outlet_id:
                raise ConflictError("ticket is not assigned to this outlet")
            if not await repo.compare_and_set_status(session, ticket, current.value, target.value):
                raise ConflictError("ticket changed concurrently; retry")
            repo.add_event(session, ticket, target.value, actor, current.value, target.value, outlet_id, data)
            await session.refresh(ticket)
            view = TicketView.of(ticket)
        if target in (TicketStatus.RESOLVED, TicketStatus.CANCELLED) and ticket.assigned_outlet_id:
            self._adjust_load(ticket.assigned_outlet_id, -1)
        return view

    async def cancel_for_customer(self, number: str, conversation_id: str) -> TicketView:
        """The customer withdraws their own ticket in chat, until the repair starts (`CUSTOMER_CANCELLABLE`).

        Only the conversation that opened the ticket may cancel it (`TicketNotFoundError` otherwise, as for a
        number that does not exist); once repair has started `IllegalTransitionError`. Idempotent: a ticket this
        customer already cancelled is returned unchanged, so a retried action writes one event.
        """
        ticket = await self.get(number)
        if not conversation_id or ticket.conversation_id != conversation_id:
            raise TicketNotFoundError(f"no ticket {number[:24]}")
        if ticket.status == TicketStatus.CANCELLED.value:
            return ticket
        if TicketStatus(ticket.status) not in CUSTOMER_CANCELLABLE:
            raise IllegalTransitionError(f"a {ticket.status} ticket can no longer be cancelled by the customer")
        view = await self.transition(ticket.number, TicketStatus.CANCELLED, f"{ticket.channel}:customer")
        logger.info("ticket.cancelled_by_customer number=%s from=%s", view.number, ticket.status)
        return view

    async def reject(self, number: str, outlet_id: int, reason: str, actor: str | None = None) -> TicketView:
        """The assigned outlet declines (or its acceptance window lapsed): record it, then re-route.

        The next outlet is never one that already rejected the ticket (`repo.rejected_outlet_ids`).
        """
        reason = reason.strip()[:500]
        if not reason:
            raise ValidationError("a rejection needs a reason")
        actor = actor or f"outlet:{outlet_id}"
        await self.transition(number, TicketStatus.REJECTED, actor, outlet_id, {"reason": reason})
        self._adjust_load(outlet_id, -1)
        try:
            return await self.route(number)
        except NoEligibleOutletError:
            logger.warning("ticket.reroute_failed number=%s", number)
            return await self.escalate_unrouted(number)

    async def escalate_unrouted(self, number: str, actor: str = "system:routing") -> TicketView:
        """No outlet can take the ticket: an `unassigned` event and a handoff for the agents.

        The customer hears that a person will call; the handoff's reason is `unrouted`. Never silent, and idempotent
        per conversation.
        """
        async with self._sessions() as session, session.begin():
            ticket = await repo.by_number(session, number)
            if ticket is None:
                raise TicketNotFoundError(f"no ticket {number[:24]}")
            events = await repo.events_of(session, ticket.id)
            if not events or events[-1].kind != "unassigned":  # a repeat (SLA sweep, retry) tells nobody twice
                repo.add_event(session, ticket, "unassigned", actor, ticket.status, ticket.status, None,
                               {"reason": "no_eligible_outlet"})
            view = TicketView.of(ticket)
        if view.conversation_id:
            await HandoffService(self._sessions, clock=self._clock).open(
                conversation_id=view.conversation_id[:128], channel=view.channel[:24], language=view.language[:8],
                reason=HandoffReason.UNROUTED.value, summary=f"ticket {number}: no outlet can take it",
                ticket_number=number,
            )
        logger.info("ticket.escalated_unrouted number=%s", number)
        return await self.get(number)

    async def route(self, number: str, actor: str = "system:routing") -> TicketView:
        """Assign a new (or rejected) ticket to the nearest eligible outlet, else to a mail-in hub.

        A mail-in hub only when the product can be posted (an installed appliance never is: with no outlet,
        `NoEligibleOutletError`).
        """
        if self._router is None:
            raise ConflictError("routing is not configured")
        async with self._sessions() as session:
            ticket = await repo.by_number(session, number)
            if ticket is None:
                raise TicketNotFoundError(f"no ticket {number[:24]}")
            excluded = await repo.rejected_outlet_ids(session, ticket.id)
        current = TicketStatus(ticket.status)
        target = TicketStatus.ROUTED if current is TicketStatus.NEW else TicketStatus.REROUTED
        check_transition(current, target)
        if ticket.brand_id is None or ticket.product_category is None or ticket.lat is None:
            raise ValidationError("a ticket needs brand, product category and location to be routed")
        location = Location(lat=ticket.lat, lon=ticket.lon or 0.0, country=ticket.country or "", adcode=ticket.adcode)
        category = ProductCategory(ticket.product_category)
        candidates = await self._router.nearest(
            ticket.brand_id, category, ServiceType(ticket.service_type), location, 1, excluded
        )
        mail_in = False
        if not candidates:
            if not can_be_posted(category):
                raise NoEligibleOutletError("no authorised outlet near the customer, and the product cannot be posted")
            hub = await self._router.nearest_mail_in_hub(ticket.brand_id, category, location)
            if hub is None or hub.outlet_id in excluded:
                raise NoEligibleOutletError("no authorised outlet or mail-in hub serves this request")
            candidates, mail_in = [hub], True
        chosen = candidates[0]
        return await self._assign(number, current, target, chosen, mail_in, actor)

    async def _assign(
        self,
        number: str,
        current: TicketStatus,
        target: TicketStatus,
        chosen: RouteCandidate,
        mail_in: bool,
        actor: str,
    ) -> TicketView:
        now = self._clock()
        async with self._sessions() as session, session.begin():
            ticket = await self._locked(session, number)
            outlet = await repo.outlet(session, chosen.outlet_id)
            if outlet is None:
                raise ConflictError("the chosen outlet no longer exists")
            if not await repo.compare_and_set_status(session, ticket, current.value, target.value):
                raise ConflictError("ticket changed concurrently; retry")
            ticket.assigned_outlet_id = outlet.id
            ticket.sla_accept_due_at = accept_due(now, outlet.acceptance_sla_minutes, Priority(ticket.priority))
            data = {"distance_km": round(chosen.distance_km, 2), "mail_in": mail_in}
            repo.add_event(session, ticket, target.value, actor, current.value, target.value, outlet.id, data)
            await session.flush()
            await session.refresh(ticket)
            view = TicketView.of(ticket)
        self._adjust_load(chosen.outlet_id, +1)
        logger.info("ticket.routed number=%s outlet=%s mail_in=%s", number, chosen.outlet_id, mail_in)
        return view

    async def _locked(self, session: AsyncSession, number: str) -> Ticket:
        ticket = await repo.by_number(session, number)
        if ticket is None:
            raise TicketNotFoundError(f"no ticket {number[:24]}")
        return ticket

    def _adjust_load(self, outlet_id: int, delta: int) -> None:
        if self._router is not None:
            self._router.record_assignment(outlet_id, delta)


def _validate(new: NewTicket) -> None:
    if not new.idempotency_key or len(new.idempotency_key) > 128:
        raise ValidationError("idempotency key must be 1..128 characters")
    if new.symptom is not None and len(new.symptom) > MAX_SYMPTOM_CHARS:
        raise ValidationError(f"symptom is longer than {MAX_SYMPTOM_CHARS} characters")
    if not new.channel or not new.channel_user_id:
        raise ValidationError("channel and channel user id are required")

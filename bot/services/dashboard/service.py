"""The supervisor dashboard's figures, aggregated in SQL (SQLite and PostgreSQL alike) over a range of UTC days.

* Tickets per day (by creation) by triage category, brand, region (`dashboard_regions`) and current status.
* SLA breaches, on the day the acceptance deadline passed: accepted after `sla_accept_due_at` (late accepts),
  still awaiting acceptance past it (open overdue), and offers the SLA sweeper withdrew (`rejected` by
  `system:sla`, timeouts). Each is one outlet missing one deadline.
* Per outlet: offers (routed/rerouted to it), accepted, rejected (timeouts included), acceptance rate =
  accepted / (accepted + rejected) (decided offers; None when none), median minutes from the offer to the
  acceptance, and CSAT average and count.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement

from bot.db.models import Brand, CsatRating, Outlet, Ticket, TicketEvent, as_utc, utcnow
from bot.db.session import SessionFactory
from bot.domain.errors import ValidationError
from bot.domain.lifecycle import TicketStatus
from bot.services.dashboard.regions import region_key, region_label

MAX_DAYS = 366
TOP_SERIES = 10  # brands and regions beyond the ten biggest are summed into "other"
OFFER_KINDS = (TicketStatus.ROUTED.value, TicketStatus.REROUTED.value)
AWAITING = OFFER_KINDS
SLA_ACTOR = "system:sla"  # bot/services/tickets/sla_sweeper.py


@dataclass(frozen=True)
class Series:
    """Counts per day (aligned with `Dashboard.days`) for one key, with its labels."""

    key: str
    label_zh: str
    label_en: str
    counts: tuple[int, ...]
    total: int


@dataclass(frozen=True)
class SlaBreaches:
    """Missed acceptance deadlines in the range; `by_day` aligned with `Dashboard.days`."""

    late_accepts: int
    open_overdue: int
    timeouts: int
    by_day: tuple[int, ...]

    @property
    def total(self) -> int:
        """All breaches."""
        return self.late_accepts + self.open_overdue + self.timeouts


@dataclass(frozen=True)
class OutletStats:
    """How one outlet answered its offers and how customers rated it, in the range."""

    outlet_id: int
    code: str
    name_zh: str
    name_en: str
    offers: int
    accepted: int
    rejected: int
    acceptance_rate: float | None
    median_accept_minutes: float | None
    csat_average: float | None
    csat_count: int


@dataclass(frozen=True)
class Dashboard:
    """Every figure of the dashboard for `start`..`end` (inclusive, UTC days)."""

    start: date
    end: date
    days: tuple[str, ...]
    total_tickets: int
    by_category: tuple[Series, ...]
    by_brand: tuple[Series, ...]
    by_region: tuple[Series, ...]
    by_status: tuple[Series, ...]
    sla: SlaBreaches
    outlets: tuple[OutletStats, ...]


def day_of(column: Any, dialect: str) -> ColumnElement[Any]:
    """`YYYY-MM-DD` (UTC) of a timestamp column, in the backend's own SQL."""
    # Literal (not bound) format arguments: PostgreSQL must see the GROUP BY expression equal to the selected one.
    if dialect == "postgresql":
        return func.to_char(func.timezone(literal_column("'UTC'"), column), literal_column("'YYYY-MM-DD'"))
    return func.strftime(literal_column("'%Y-%m-%d'"), column)  # SQLite stores UTC timestamps as ISO text


def _moment(value: Any) -> datetime | None:
    if isinstance(value, str):  # SQLite aggregates come back as text
        value = datetime.fromisoformat(value)
    return as_utc(value) if isinstance(value, datetime) else None


def check_range(start: date, end: date) -> None:
    """`ValidationError` unless start <= end and the range spans at most `MAX_DAYS` days."""
    if end < start:
        raise ValidationError("'from' must not be after 'to'")
    if end >= date.max:  # the day after `end` bounds the query
        raise ValidationError("'to' is out of range")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationError(f"the range may span at most {MAX_DAYS} days")


class DashboardService:
    """Computes the dashboard; read-only, one session per call."""

    def __init__(self, session_factory: SessionFactory, clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = session_factory
        self._clock = clock

    async def build(self, start: date, end: date) -> Dashboard:
        """The dashboard for the UTC days `start`..`end` (inclusive)."""
        check_range(start, end)
        days = tuple((start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1))
        lo = datetime.combine(start, time.min, tzinfo=timezone.utc)
        hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=timezone.utc)
        now = self._clock()
        async with self._sessions() as session:
            dialect = (await session.connection()).dialect.name
            day = day_of(Ticket.created_at, dialect)
            created = (Ticket.created_at >= lo, Ticket.created_at < hi)
            count = func.count(Ticket.id)

            async def rows(query: Any) -> list[Any]:
                return list((await session.execute(query)).all())

            category = await rows(select(day, Ticket.category, count).where(*created).group_by(day, Ticket.category))
            brand = await rows(
                select(day, Brand.code, Brand.name_zh, Brand.name_en, count)
                .select_from(Ticket).outerjoin(Brand, Brand.id == Ticket.brand_id)
                .where(*created).group_by(day, Brand.code, Brand.name_zh, Brand.name_en)
            )
            prefix = func.substr(Ticket.adcode, literal_column("1"), literal_column("2"))
            region = await rows(
                select(day, Ticket.country, prefix, count).where(*created).group_by(day, Ticket.country, prefix)
            )
            status = await rows(select(day, Ticket.status, count).where(*created).group_by(day, Ticket.status))
            sla = await self._sla(rows, dialect, lo, hi, now, days)
            outlets = await self._outlets(rows, lo, hi)
        return Dashboard(
            start=start, end=end, days=days, total_tickets=sum(r[-1] for r in status),
            by_category=_series(((d, k, k, k, n) for d, k, n in category), days),
            by_brand=_top(_series(((d, c or "unknown", zh or "未知", en or "unknown", n) for d, c, zh, en, n in brand),
                                  days)),
            by_region=_top(_series(_regions(region), days)),
            by_status=_series(((d, k, k, k, n) for d, k, n in status), days),
            sla=sla,
            outlets=outlets,
        )

    async def _sla(
        self, rows: Callable[[Any], Any], dialect: str, lo: datetime, hi: datetime, now: datetime,
        days: tuple[str, ...],
    ) -> SlaBreaches:
        due = Ticket.sla_accept_due_at
        due_day = day_of(due, dialect)
        in_range = (due.is_not(None), due >= lo, due < hi)
        late_accept = (
            select(TicketEvent.ticket_id)
            .where(TicketEvent.kind == TicketStatus.ACCEPTED.value, TicketEvent.ticket_id == Ticket.id,
                   TicketEvent.at > due)
            .exists()
        )
        late = await rows(select(due_day, func.count(Ticket.id)).where(*in_range, late_accept).group_by(due_day))
        overdue = await rows(
            select(due_day, func.count(Ticket.id))
            .where(*in_range, due < now, Ticket.status.in_(AWAITING)).group_by(due_day)
        )
        event_day = day_of(TicketEvent.at, dialect)
        timeouts = await rows(
            select(event_day, func.count(TicketEvent.id))
            .where(TicketEvent.kind == TicketStatus.REJECTED.value, TicketEvent.actor == SLA_ACTOR,
                   TicketEvent.at >= lo, TicketEvent.at < hi)
            .group_by(event_day)
        )
        per_day: dict[str, int] = defaultdict(int)
        for found in (late, overdue, timeouts):
            for d, n in found:
                per_day[d] += n
        return SlaBreaches(
            late_accepts=sum(n for _, n in late), open_overdue=sum(n for _, n in overdue),
            timeouts=sum(n for _, n in timeouts), by_day=tuple(per_day.get(d, 0) for d in days),
        )

    async def _outlets(self, rows: Callable[[Any], Any], lo: datetime, hi: datetime) -> tuple[OutletStats, ...]:
        event_in_range = (TicketEvent.at >= lo, TicketEvent.at < hi, TicketEvent.outlet_id.is_not(None))
        per_kind: dict[str, dict[int, int]] = defaultdict(dict)
        kinds = (*OFFER_KINDS, TicketStatus.ACCEPTED.value, TicketStatus.REJECTED.value)
        for outlet_id, kind, n in await rows(
            select(TicketEvent.outlet_id, TicketEvent.kind, func.count(TicketEvent.id))
            .where(*event_in_range, TicketEvent.kind.in_(kinds)).group_by(TicketEvent.outlet_id, TicketEvent.kind)
        ):
            per_kind[kind][outlet_id] = n
        offer = aliased(TicketEvent)
        offered_at = (
            select(func.max(offer.at))
            .where(offer.ticket_id == TicketEvent.ticket_id, offer.outlet_id == TicketEvent.outlet_id,
                   offer.kind.in_(OFFER_KINDS), offer.at <= TicketEvent.at)
            .scalar_subquery()
        )
        waits: dict[int, list[float]] = defaultdict(list)
        for outlet_id, accepted_at, offered in await rows(
            select(TicketEvent.outlet_id, TicketEvent.at, offered_at)
            .where(*event_in_range, TicketEvent.kind == TicketStatus.ACCEPTED.value)
        ):
            start, stop = _moment(offered), _moment(accepted_at)
            if start is not None and stop is not None:
                waits[outlet_id].append((stop - start).total_seconds() / 60)
        csat = {
            outlet_id: (float(avg), int(n))
            for outlet_id, avg, n in await rows(
                select(CsatRating.outlet_id, func.avg(CsatRating.rating), func.count(CsatRating.id))
                .where(CsatRating.created_at >= lo, CsatRating.created_at < hi, CsatRating.outlet_id.is_not(None))
                .group_by(CsatRating.outlet_id)
            )
        }
        ids = set(csat).union(*(set(v) for v in per_kind.values()))
        named = select(Outlet.id, Outlet.code, Outlet.name_zh, Outlet.name_en).where(Outlet.id.in_(sorted(ids)))
        names = {r[0]: r[1:] for r in await rows(named)}
        stats = []
        for outlet_id in ids:
            offers = sum(per_kind[k].get(outlet_id, 0) for k in OFFER_KINDS)
            accepted = per_kind[TicketStatus.ACCEPTED.value].get(outlet_id, 0)
            rejected = per_kind[TicketStatus.REJECTED.value].get(outlet_id, 0)
            decided = accepted + rejected
            code, name_zh, name_en = names.get(outlet_id, (str(outlet_id), "", ""))
            average, rated = csat.get(outlet_id, (None, 0))
            stats.append(OutletStats(
                outlet_id, code, name_zh, name_en, offers, accepted, rejected,
                round(accepted / decided, 4) if decided else None,
                round(statistics.median(waits[outlet_id]), 1) if waits.get(outlet_id) else None,
                round(average, 2) if average is not None else None, rated,
            ))
        stats.sort(key=lambda s: (-s.offers, -s.csat_count, s.code))
        return tuple(stats)


def _regions(found: Iterable[Any]) -> Iterable[tuple[str, str, str, str, int]]:
    for d, country, prefix, n in found:
        key = region_key(country, prefix)
        yield d, key, region_label(key, "zh"), region_label(key, "en"), n


def _series(found: Iterable[tuple[str, str, str, str, int]], days: tuple[str, ...]) -> tuple[Series, ...]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    labels: dict[str, tuple[str, str]] = {}
    for d, key, zh, en, n in found:
        counts[key][d] += int(n)
        labels[key] = (zh, en)
    series = [
        Series(key, labels[key][0], labels[key][1], tuple(per_day.get(d, 0) for d in days), sum(per_day.values()))
        for key, per_day in counts.items()
    ]
    return tuple(sorted(series, key=lambda s: (-s.total, s.key)))


def _top(series: tuple[Series, ...]) -> tuple[Series, ...]:
    if len(series) <= TOP_SERIES:
        return series
    rest = series[TOP_SERIES:]
    summed = tuple(sum(values) for values in zip(*(s.counts for s in rest), strict=True))
    return (*series[:TOP_SERIES], Series("other", "其他", "Other", summed, sum(s.total for s in rest)))

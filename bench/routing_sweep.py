"""Routing sweep: where a repair filed in each demo city would go, for the ten demo brands and every category each
sells there.

Seeds a scratch SQLite database the way `make run` does (the migrations, then `bot.seed.run_seed`), then files one
repair ticket per city × brand × category and routes it with `TicketService.route` over the real `RoutingService`
— the path a customer's ticket takes: the nearest eligible walk-in or on-site outlet, else a mail-in hub in the
customer's country (never for an installed appliance), else unrouted (an agent takes it). Reports the shares
overall, China and overseas, per city, and the worst city × brand cells.

    python -m bench.routing_sweep --outlets 2000 --seed 7 --output var/bench/routing_sweep.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.db import migrate
from bot.db.session import create_async_db_engine, make_session_factory
from bot.domain.catalogue import INSTALLABLE, ProductCategory
from bot.domain.errors import NoEligibleOutletError
from bot.domain.taxonomy import Category
from bot.geo.types import Location
from bot.seed import run_seed
from bot.seed.catalogue import Catalogue, build_catalogue
from bot.seed.demo_cities import DEMO_BRANDS, DEMO_CITIES, DemoCity
from bot.services.tickets.outlets import OutletDirectory
from bot.services.tickets.routing import RoutingService
from bot.services.tickets.service import TicketService
from bot.services.tickets.types import NewTicket

logger = logging.getLogger(__name__)

OUTLET, MAIL_IN, UNROUTED = "outlet", "mail_in", "unrouted"  # walk-in/on-site outlet, mail-in hub, an agent
OUTCOMES = (OUTLET, MAIL_IN, UNROUTED)
WORST_CELLS = 10


@dataclass(frozen=True)
class Query:
    """One repair request: a demo city, a brand and one of the categories the brand sells there."""

    city: DemoCity
    brand_code: str
    brand_id: int
    category: ProductCategory


@dataclass(frozen=True)
class Result:
    """Where one query's ticket went."""

    city: str
    country: str
    brand: str
    category: str
    outcome: str
    outlet_id: int | None
    outlet_name: str | None
    distance_km: float | None


def build_queries(catalogue: Catalogue, cities: Iterable[DemoCity] = DEMO_CITIES,
                  brands: Sequence[str] = DEMO_BRANDS) -> tuple[list[Query], list[tuple[str, str]]]:
    """Every city × brand × category sold in the city's country, and the (city, brand) pairs not sold there."""
    ids = {row.code: row.id for row in catalogue.brands}
    queries: list[Query] = []
    not_sold: list[tuple[str, str]] = []
    for city in cities:
        sold = catalogue.pairs_sold_in(city.country)
        for code in brands:
            categories = [category for brand_id, category in sold if brand_id == ids[code]]
            if not categories:
                not_sold.append((city.key, code))
            queries.extend(Query(city, code, ids[code], ProductCategory(c)) for c in categories)
    return queries, not_sold


async def route_queries(db_url: str, queries: Sequence[Query], today: date) -> list[Result]:
    """File and route one repair ticket per query on a seeded database; each query sees an idle network."""
    engine = create_async_db_engine(db_url)
    try:
        sessions = make_session_factory(engine)
        routing = RoutingService(sessions, today=lambda: today)
        await routing.load()
        tickets, outlets = TicketService(sessions, routing), OutletDirectory(sessions)
        results = []
        for n, query in enumerate(queries):
            city, china = query.city, query.city.country == "CN"
            new = NewTicket(
                idempotency_key=f"routing-sweep:{n}", category=Category.REPORT_FAULT, channel="rest",
                channel_user_id=f"routing-sweep-{n}", language="zh" if china else "en", brand_id=query.brand_id,
                product_category=query.category, symptom="不开机" if china else "does not turn on",
                location=Location(city.lat, city.lon, city.country, city.adcode),
                location_text=city.name_zh if china else city.name_en,
            )
            view = await tickets.create(new)
            try:
                view = await tickets.route(view.number)
            except NoEligibleOutletError:
                results.append(Result(city.key, city.country, query.brand_code, query.category.value, UNROUTED,
                                      None, None, None))
                continue
            assert view.assigned_outlet_id is not None
            routing.record_assignment(view.assigned_outlet_id, -1)  # the next query sees no load from this one
            event = (await tickets.get(view.number, with_events=True)).events[-1]
            outlet = await outlets.get(view.assigned_outlet_id)
            outcome = MAIL_IN if event.data.get("mail_in") else OUTLET
            results.append(Result(city.key, city.country, query.brand_code, query.category.value, outcome,
                                  outlet.outlet_id, outlet.name(new.language), event.data.get("distance_km")))
        return results
    finally:
        await engine.dispose()


def shares(results: Sequence[Result]) -> dict[str, Any]:
    """How many queries, and the share of each outcome (rounded to 0.1 %)."""
    n = len(results)
    counts = {outcome: sum(r.outcome == outcome for r in results) for outcome in OUTCOMES}
    return {"queries": n, **{k: round(v / n, 3) if n else 0.0 for k, v in counts.items()},
            "counts": counts}


def worst_cells(results: Sequence[Result], limit: int = WORST_CELLS) -> list[dict[str, Any]]:
    """City × brand cells with the lowest walk-in/on-site share (only cells below 100 %), worst first."""
    cells: dict[tuple[str, str], list[Result]] = {}
    for result in results:
        cells.setdefault((result.city, result.brand), []).append(result)
    rows = []
    for (city, brand), items in cells.items():
        served = sum(r.outcome == OUTLET for r in items)
        if served == len(items):
            continue
        rows.append({
            "city": city, "brand": brand, "outlet": served, "queries": len(items),
            MAIL_IN: [r.category for r in items if r.outcome == MAIL_IN],
            UNROUTED: [r.category for r in items if r.outcome == UNROUTED],
        })
    rows.sort(key=lambda row: (row["outlet"] / row["queries"], -row["queries"], row["city"], row["brand"]))
    return rows[:limit]


def summarise(results: Sequence[Result]) -> dict[str, Any]:
    """Shares overall, for China and overseas and per city; installed appliances sent by parcel; worst cells."""
    installed = {c.value for c in INSTALLABLE}
    return {
        "overall": shares(results),
        "china": shares([r for r in results if r.country == "CN"]),
        "overseas": shares([r for r in results if r.country != "CN"]),
        "by_city": {city.key: shares([r for r in results if r.city == city.key]) for city in DEMO_CITIES
                    if any(r.city == city.key for r in results)},
        "installed_in_mail_in": sum(r.outcome == MAIL_IN and r.category in installed for r in results),
        "worst_cells": worst_cells(results),
    }


def run_sweep(outlets: int, seed: int, today: date | None = None) -> dict[str, Any]:
    """Seed a scratch database with `outlets` outlets and `seed`, sweep it, and return the report."""
    day = today or date.today()
    catalogue = build_catalogue()
    queries, not_sold = build_queries(catalogue)
    with tempfile.TemporaryDirectory(prefix="routing-sweep-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'network.db'}"
        migrate.upgrade(url)
        run_seed(url, outlets=outlets, seed=seed, today=day)
        results = asyncio.run(route_queries(url, queries, day))
    return {
        "outlets": outlets, "seed": seed, "today": day.isoformat(),
        "cities": [{"key": c.key, "name_zh": c.name_zh, "name_en": c.name_en, "country": c.country}
                   for c in DEMO_CITIES],
        "brands": list(DEMO_BRANDS),
        "not_sold": [{"city": city, "brand": brand} for city, brand in not_sold],
        "summary": summarise(results),
        "results": [asdict(r) for r in results],
    }


def _pct(value: float) -> str:
    return f"{value * 100:5.1f}%"


def format_table(report: dict[str, Any]) -> str:
    """A short plain-text table of the report."""
    summary = report["summary"]
    lines = [f"routing sweep: {report['outlets']} outlets, seed {report['seed']}, {summary['overall']['queries']} "
             f"repair queries ({len(report['cities'])} cities × {len(report['brands'])} brands × their categories)",
             f"{'':12} {'queries':>7} {'outlet':>7} {'mail-in':>7} {'agent':>7}"]
    rows = [("overall", summary["overall"]), ("China", summary["china"]), ("overseas", summary["overseas"])]
    rows += [(key, value) for key, value in summary["by_city"].items()]
    for label, row in rows:
        lines.append(f"{label:12} {row['queries']:7d} {_pct(row[OUTLET]):>7} {_pct(row[MAIL_IN]):>7} "
                     f"{_pct(row[UNROUTED]):>7}")
    lines.append(f"installed appliances sent to a mail-in hub: {summary['installed_in_mail_in']}")
    if summary["worst_cells"]:
        lines.append("worst cells (city × brand: outlet/queries; mail-in; agent):")
    for cell in summary["worst_cells"]:
        lines.append(f"  {cell['city']} × {cell['brand']}: {cell['outlet']}/{cell['queries']}; "
                     f"{', '.join(cell[MAIL_IN]) or '-'}; {', '.join(cell[UNROUTED]) or '-'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the sweep, write the JSON report and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--outlets", type=int, default=2000, help="outlets to seed (default 2000, as make run)")
    parser.add_argument("--seed", type=int, default=7, help="seed (default 7, as make run)")
    parser.add_argument("--output", default="var/bench/routing_sweep.json", help="where the JSON report goes")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    report = run_sweep(args.outlets, args.seed)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(format_table(report))
    print(f"written to {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

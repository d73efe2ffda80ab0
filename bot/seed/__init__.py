"""The deterministic seed: our catalogue plus a generated service network, written in one transaction."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date

from bot.db.session import create_sync_engine

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SeedReport:
    """What a seed run wrote, and how long it took."""

    brands: int
    other_brands: int  # brands we recognise but do not service
    product_models: int
    parts: int
    part_compatibility: int
    providers: int
    outlets: int
    authorisations: int
    warehouses: int
    stock: int
    elapsed_seconds: float


def run_seed(db_url: str, outlets: int, seed: int = 7, reset: bool = False, today: date | None = None) -> SeedReport:
    """Seed catalogue and network into a migrated database; refuses a seeded one unless `reset`."""
    # Heavy modules (numpy, place tables) load only when a seed actually runs.
    from bot.seed.catalogue import build_catalogue
    from bot.seed.network import generate_network
    from bot.seed.places import load_places
    from bot.seed.writer import write_network

    started = time.perf_counter()
    catalogue = build_catalogue()
    network = generate_network(catalogue, load_places(), outlets, seed, today or date.today())
    engine = create_sync_engine(db_url)
    try:
        counts = write_network(engine, catalogue, network, reset=reset)
    finally:
        engine.dispose()
    report = SeedReport(**counts, elapsed_seconds=round(time.perf_counter() - started, 2))
    logger.info("seed.done outlets=%d stock=%d seconds=%.1f", report.outlets, report.stock, report.elapsed_seconds)
    return report

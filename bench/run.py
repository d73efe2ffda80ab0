"""`make bench`: run the benchmarks and merge their figures into bench/results.json (a flat JSON object).

NLU figures: see bench/nlu_bench.py. Conversation figures (REST channel, ours against `rasa init`'s bot): see
bench/conversation_bench.py.

Foundation figures: seed a 100k-outlet network into a scratch SQLite database (`seed_100k_s`), load the routing
index from it and compare it with the brute-force oracle on the same queries (`routing_*`), and time parts
availability over 1M stock rows (`parts_*`). Peers (`…_bruteforce_…`) are measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.conversation_bench import run_conversation_bench
from bench.conversation_flows import REQUIRE_TICKET
from bench.nlu_bench import run_nlu_bench
from bench.parts_bench import run_parts_bench
from bench.routing_bench import run_routing_bench
from bot.db import migrate
from bot.db.session import create_async_db_engine, make_session_factory
from bot.seed import run_seed
from bot.services.tickets.routing import load_outlet_records

logger = logging.getLogger("bench")


async def _records(db_url: str) -> tuple[list[Any], dict[int, int]]:
    engine = create_async_db_engine(db_url)
    try:
        records, loads, _ = await load_outlet_records(make_session_factory(engine))
        return list(records), dict(loads)
    finally:
        await engine.dispose()


def foundation(outlets: int, queries: int) -> dict[str, float]:
    """Seed, routing and parts figures."""
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'network.db'}"
        migrate.upgrade(url)
        started = time.perf_counter()
        report = run_seed(url, outlets=outlets, seed=7)
        results["seed_100k_s"] = round(time.perf_counter() - started, 2)
        logger.info("seeded %s outlets, %s stock rows in %.1fs", report.outlets, report.stock, results["seed_100k_s"])
        records, loads = asyncio.run(_records(url))
        results.update(run_routing_bench(records, n_queries=queries, seed=1, loads=loads))
        logger.info("routing done: %s", {k: v for k, v in results.items() if k.startswith("routing")})
    parts = run_parts_bench(n_queries=queries)
    results.update({k: v for k, v in parts.items() if k.startswith("parts_")})
    return results


def main(argv: list[str] | None = None) -> int:
    """Run every benchmark and merge the figures into the output file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", default="bench/results.json")
    parser.add_argument("--outlets", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--only", choices=["foundation", "nlu", "conversation"], help="run one group of benchmarks")
    parser.add_argument("--quick", action="store_true", help="conversation: one short round per load")
    parser.add_argument("--require-ticket", action="store_true", default=REQUIRE_TICKET,
                        help="conversation: fail unless every report_fault flow ends with a ticket number")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    output = Path(args.output)
    results: dict[str, Any] = json.loads(output.read_text()) if output.exists() else {}
    if args.only in (None, "foundation"):
        results.update(foundation(args.outlets, args.queries))
    if args.only in (None, "nlu"):
        results.update(run_nlu_bench())
    if args.only in (None, "conversation"):
        results.update(run_conversation_bench(quick=args.quick, require_ticket=args.require_ticket))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(json.dumps(results, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

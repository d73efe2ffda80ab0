"""Conversation figures over the REST channel, ours against Rasa's own `rasa init` bot in the same run.

Ours is served as `make run` serves it (`bot.launcher.process_specs`: action server, our service, Rasa with our
endpoints) on free ports, on a fresh SQLite database under a temporary BOT_VAR_DIR (migrated, seeded with 2000
outlets), with a copy of models/aftersales.tar.gz. Vanilla is `rasa init --no-prompt` (it trains), served with
`rasa run --enable-api` and a `rest:`-only credentials file. Both: SANIC_WORKERS=1, telemetry off, the same probe and
the same load generator (bench/load.py).

- `cold_start_s`, `vanilla_cold_start_s`: Rasa server launch → first successful REST reply to "hi" (model unpacked
  and loaded, tracker store connected, first message processed). Ours: the Rasa server of our stack, launched when
  our action server and service already listen (their start-up is not included).
- `turn_p50_ms`, `turn_p99_ms`, `ticket_turn_p99_ms`, `vanilla_turn_p50_ms`, `vanilla_turn_p99_ms`: 20 users
  pausing 2 s between turns, each running whole flows one after another (a new conversation each time).
- `throughput_msg_s`, `vanilla_throughput_msg_s`: the same flows and users without pauses, turns answered per second.
- `rss_mb`, `vanilla_rss_mb`: RSS of the Rasa server after the load; `stack_rss_mb`: Rasa + action server + service.
- `flow_completed_ratio`: share of our finished flows whose final reply carried a ticket number.
- `conversation_errors`: failed turns (HTTP errors, timeouts) of both bots; they are left out of the figures.

The two bots' runs are interleaved (alternating order per round) so that machine noise hits both alike.
Run alone: `python -m bench.conversation_bench [--quick] [--require-ticket] [--vanilla-project DIR]`.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench.conversation_flows import OUR_FLOWS, REQUIRE_TICKET, VANILLA_FLOWS, Flow
from bench.load import LoadReport, LoadSpec, reply_text, run_load
from bench.processes import Child, free_port, rss_mb
from bot.launcher import process_specs
from bot.settings import PROJECT_ROOT, Settings

logger = logging.getLogger(__name__)

MODEL = PROJECT_ROOT / "models" / "aftersales.tar.gz"
REST_PATH = "/webhooks/rest/webhook"
MODEL_WAIT_S = 1200.0
START_TIMEOUT_S = 300.0
PROBE_MESSAGE = "hi"


@dataclass(frozen=True)
class Plan:
    """How much load: rounds per bot, and each round's length."""

    users: int = 20
    pause_s: float = 2.0
    paced_s: float = 30.0
    paced_rounds: int = 2
    saturated_s: float = 20.0
    saturated_rounds: int = 2
    warmup_s: float = 3.0


FULL = Plan()
QUICK = Plan(paced_s=10.0, paced_rounds=1, saturated_s=8.0, saturated_rounds=1)


@dataclass
class Bot:
    """One bot under test: how to launch its Rasa server, its flows, and what was measured on it."""

    name: str
    argv: list[str]
    cwd: Path
    env: dict[str, str]
    port: int
    flows: Sequence[Flow]
    numbers: Iterator[int] = field(default_factory=itertools.count)
    rasa: Child | None = None
    cold_start_s: float = 0.0
    paced: LoadReport | None = None
    saturated: LoadReport | None = None

    @property
    def url(self) -> str:
        """The REST channel webhook."""
        return f"http://127.0.0.1:{self.port}{REST_PATH}"

    @property
    def server(self) -> Child:
        """The running Rasa server."""
        if self.rasa is None:
            raise RuntimeError(f"{self.name} Rasa was not launched")
        return self.rasa


class FlowCheckError(RuntimeError):
    """A report_fault flow ended without a ticket number although the check is on."""


def _base_env() -> dict[str, str]:
    """The environment of every child: embedded defaults (no Redis, broker or token), one Sanic worker each."""
    env = dict(os.environ)
    for key in ("DATABASE_URL", "TRACKER_DATABASE_URL", "REDIS_URL", "RABBITMQ_URL", "RASA_TOKEN",
                "ACTION_SERVER_URL", "BOT_VAR_DIR", "SANIC_WORKERS"):
        env.pop(key, None)
    # The same setting for both Rasa servers (ours needs 1 with the in-memory lock store); no telemetry calls.
    env.update(SANIC_WORKERS="1", RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3",
               SQLALCHEMY_SILENCE_UBER_WARNING="1")
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def _rasa() -> str:
    return str(Path(sys.executable).parent / "rasa")


def snapshot_model(dest: Path, wait_s: float = MODEL_WAIT_S) -> Path:
    """Copy our trained model once it exists and is complete (another developer may be retraining it)."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            before = MODEL.stat()
            time.sleep(2.0)
            if MODEL.stat().st_size == before.st_size and MODEL.stat().st_mtime == before.st_mtime:
                shutil.copy2(MODEL, dest)
                with tarfile.open(dest, "r:gz") as archive:  # a complete archive reads to the end
                    archive.getmembers()
                return dest
        except (OSError, tarfile.TarError, EOFError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"no complete {MODEL} within {wait_s:.0f}s")
        logger.info("conversation.model_wait %s is missing or being written", MODEL)
        time.sleep(10.0)


def train_vanilla(project: Path, env: dict[str, str]) -> Path:
    """`rasa init --no-prompt` into `project` (it trains its model under `models/`); returns `project`."""
    project.mkdir()
    started = time.perf_counter()
    with (project.parent / "vanilla-init.log").open("wb") as log:
        subprocess.run([_rasa(), "init", "--no-prompt", "--init-dir", str(project)], cwd=project, env=env,
                       stdout=log, stderr=subprocess.STDOUT, check=True, timeout=1800)
    logger.info("conversation.vanilla_trained in %.0fs", time.perf_counter() - started)
    return project


def seed_ours(env: dict[str, str]) -> None:
    """Migrate and seed the fresh database as `make run` does."""
    for argv in (["migrate"], ["seed", "--outlets", "2000"]):
        subprocess.run([sys.executable, "-m", "bot", *argv], cwd=PROJECT_ROOT, env=env, check=True,
                       capture_output=True, timeout=900)


async def first_reply_s(bot: Bot, timeout_s: float = START_TIMEOUT_S) -> float:
    """Seconds from the Rasa server's launch to its first successful REST reply (the same probe for both bots)."""
    deadline = time.perf_counter() + timeout_s
    body = {"sender": f"cold-start-{bot.name}", "message": PROBE_MESSAGE}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        while True:
            if not bot.server.alive():
                raise RuntimeError(f"{bot.name} Rasa exited:\n{bot.server.log_tail()}")
            try:
                async with session.post(bot.url, json=body) as response:
                    if response.status == 200 and reply_text(await response.json()):
                        return time.perf_counter() - bot.server.started
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                pass
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{bot.name} Rasa gave no reply within {timeout_s:.0f}s:\n{bot.server.log_tail()}")
            await asyncio.sleep(0.1)


async def _load(bot: Bot, spec: LoadSpec, label: str) -> LoadReport:
    report = await run_load(bot.url, bot.flows, spec, f"{label}-{bot.name}", bot.numbers)
    logger.info("conversation.%s %s: %s turns, %s flows, p50 %.0f ms, p99 %.0f ms, %.1f msg/s, %s errors",
                label, bot.name, len(report.samples), report.flows, report.percentile_ms(50),
                report.percentile_ms(99), report.throughput_msg_s, report.errors)
    return report


def _merge(total: LoadReport | None, report: LoadReport) -> LoadReport:
    if total is None:
        return report
    total.merge(report)
    return total


async def measure(bots: list[Bot], plan: Plan) -> None:
    """Warm up, then the paced rounds and the saturating rounds, alternating which bot goes first."""
    for bot in bots:  # one conversation of each flow, so that lazy initialisation is not measured
        warmup = LoadSpec(users=len(bot.flows), duration_s=START_TIMEOUT_S, pause_s=0.0, max_flows_per_user=1)
        await run_load(bot.url, bot.flows, warmup, f"warmup-{bot.name}", bot.numbers)
    paced = LoadSpec(users=plan.users, duration_s=plan.paced_s, pause_s=plan.pause_s)
    saturated = LoadSpec(users=plan.users, duration_s=plan.saturated_s, pause_s=0.0, warmup_s=plan.warmup_s)
    for r in range(plan.paced_rounds):
        for bot in bots[::-1] if r % 2 else bots:
            bot.paced = _merge(bot.paced, await _load(bot, paced, "paced"))
    for r in range(plan.saturated_rounds):
        for bot in bots[::-1] if r % 2 else bots:
            bot.saturated = _merge(bot.saturated, await _load(bot, saturated, "saturated"))


def _figures(ours: Bot, vanilla: Bot, stack: Sequence[Child]) -> dict[str, float]:
    assert ours.paced and ours.saturated and vanilla.paced and vanilla.saturated
    flows = ours.paced.flows + ours.saturated.flows
    with_ticket = ours.paced.flows_with_ticket + ours.saturated.flows_with_ticket
    return {
        "turn_p50_ms": ours.paced.percentile_ms(50),
        "turn_p99_ms": ours.paced.percentile_ms(99),
        "ticket_turn_p99_ms": ours.paced.percentile_ms(99, ticket_only=True),
        "vanilla_turn_p50_ms": vanilla.paced.percentile_ms(50),
        "vanilla_turn_p99_ms": vanilla.paced.percentile_ms(99),
        "throughput_msg_s": ours.saturated.throughput_msg_s,
        "vanilla_throughput_msg_s": vanilla.saturated.throughput_msg_s,
        "cold_start_s": round(ours.cold_start_s, 2),
        "vanilla_cold_start_s": round(vanilla.cold_start_s, 2),
        "rss_mb": rss_mb(ours.server.pid),
        "vanilla_rss_mb": rss_mb(vanilla.server.pid),
        "stack_rss_mb": round(sum(rss_mb(child.pid) for child in stack), 1),
        "flow_completed_ratio": round(with_ticket / flows, 3) if flows else 0.0,
        "conversation_errors": sum(r.errors for b in (ours, vanilla) for r in (b.paced, b.saturated) if r),
    }


def start_support(root: Path, env: dict[str, str], model: Path, stack: ExitStack) -> tuple[list[Child], Bot]:
    """Seed a fresh database, start our action server and service, and make (not launch) our Rasa's `Bot`."""
    ports = {"RASA_PORT": free_port(), "ACTION_SERVER_PORT": free_port(), "SERVICE_PORT": free_port()}
    ours_env = dict(env, BOT_VAR_DIR=str(root / "var"), **{k: str(v) for k, v in ports.items()})
    settings = Settings.from_env(ours_env)
    ours_env["ACTION_SERVER_URL"] = settings.action_server_url
    settings.var_dir.mkdir()
    seed_ours(ours_env)
    specs = {spec.name: spec for spec in process_specs(settings, model)}
    children: list[Child] = []
    for name in ("action server", "our service"):
        child = Child(name, specs[name].argv, cwd=PROJECT_ROOT, env=ours_env, log=root / f"{name}.log")
        stack.callback(child.stop)
        children.append(child)
    for child in children:
        logger.info("conversation.started %s in %.1fs", child.name, child.wait_listening(specs[child.name].port, 180))
    return children, Bot("ours", specs["rasa"].argv, PROJECT_ROOT, ours_env, settings.rasa_port, OUR_FLOWS)


def vanilla_bot(project: Path, env: dict[str, str], scratch: Path) -> Bot:
    """Rasa's own bot in a trained `rasa init` project, served like ours with a `rest:`-only credentials file."""
    port = free_port()
    credentials = scratch / "vanilla-credentials.yml"
    credentials.write_text("rest:\n")
    argv = [_rasa(), "run", "--enable-api", "--model", str(project / "models"), "--endpoints", "endpoints.yml",
            "--credentials", str(credentials), "--port", str(port), "--cors", "*"]
    return Bot("vanilla", argv, project, env, port, VANILLA_FLOWS)


def run_conversation_bench(
    quick: bool = False, require_ticket: bool = REQUIRE_TICKET, vanilla_project: Path | None = None
) -> dict[str, float]:
    """Start both bots, measure them under the same load, stop everything; the figures named in the docstring.

    `vanilla_project`: an already trained `rasa init` project to serve instead of training one (development).
    """
    plan = QUICK if quick else FULL
    env = _base_env()
    with tempfile.TemporaryDirectory(prefix="conversation-bench-") as tmp, ExitStack() as stack:
        root = Path(tmp)
        model = snapshot_model(root / "aftersales.tar.gz")
        vanilla = vanilla_bot(vanilla_project or train_vanilla(root / "vanilla", env), env, root)
        support, ours = start_support(root, env, model, stack)
        for bot in (vanilla, ours):  # each launched while the other side idles: the same background for both
            bot.rasa = Child(f"{bot.name} rasa", bot.argv, cwd=bot.cwd, env=bot.env, log=root / f"{bot.name}.log")
            stack.callback(bot.rasa.stop)
            bot.cold_start_s = asyncio.run(first_reply_s(bot))
            logger.info("conversation.cold_start %s %.1fs", bot.name, bot.cold_start_s)
        asyncio.run(measure([vanilla, ours], plan))
        results = _figures(ours, vanilla, [*support, ours.server])
    if require_ticket and results["flow_completed_ratio"] < 1.0:
        raise FlowCheckError(f"only {results['flow_completed_ratio']:.1%} of report_fault flows ended with a ticket")
    return results


def main(argv: list[str] | None = None) -> int:
    """Run the conversation benchmark alone and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one short round per load (for development)")
    parser.add_argument("--require-ticket", action="store_true", default=REQUIRE_TICKET,
                        help="fail unless every report_fault flow ends with a ticket number")
    parser.add_argument("--vanilla-project", type=Path, help="serve this trained `rasa init` project, do not train")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    results = run_conversation_bench(args.quick, args.require_ticket, args.vanilla_project)
    print(json.dumps(results, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""`python -m bot …`: the project's command line."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.settings import Settings


def _cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from aiohttp import web

    from bot.web.app import create_app

    web.run_app(create_app(settings), host=args.host or settings.service_host, port=args.port or settings.service_port)
    return 0


def _cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.db import migrate

    if args.down:
        migrate.downgrade(settings.database_url, args.down)
    else:
        migrate.upgrade(settings.database_url, args.revision)
    return 0


def _cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    from bot.db import migrate
    from bot.seed import run_seed

    migrate.upgrade(settings.database_url)
    report = run_seed(settings.database_url, outlets=args.outlets, seed=args.seed, reset=args.reset)
    print(report)
    return 0


def _cmd_triage(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from bot.nlu.triage import run_triage

    count = run_triage(Path(args.model), Path(args.input), Path(args.output))
    print(f"triaged {count} lines into {args.output}", file=sys.stderr)
    return 0


def _cmd_catalogue_export(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from bot.nlu.catalogue_lexicon import DEFAULT_CATALOGUE_PATH, export_catalogue
    from bot.settings import PROJECT_ROOT

    target = Path(args.output) if args.output else PROJECT_ROOT / DEFAULT_CATALOGUE_PATH
    export_catalogue(settings.database_url, target)
    print(f"wrote {target}", file=sys.stderr)
    return 0


def _cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.project_check import check_project
    from bot.settings import PROJECT_ROOT

    problems = check_project(PROJECT_ROOT)
    for problem in problems:
        print(f"validate: {problem}", file=sys.stderr)
    print("Rasa project is valid." if not problems else f"{len(problems)} problem(s).")
    return 1 if problems else 0


def _cmd_run_all(args: argparse.Namespace, settings: Settings) -> int:
    from bot.launcher import run_all

    return run_all(settings)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and `--help`)."""
    parser = argparse.ArgumentParser(prog="python -m bot", description="After-sales service bot")
    parser.add_argument("--log-level", default="INFO")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run our aiohttp service (default port 8080)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(func=_cmd_serve)

    mig = sub.add_parser("migrate", help="apply database migrations (Alembic)")
    mig.add_argument("--revision", default="head", help="upgrade to this revision (default: head)")
    mig.add_argument("--down", metavar="REVISION", help="downgrade to REVISION instead (e.g. base)")
    mig.set_defaults(func=_cmd_migrate)

    seed = sub.add_parser("seed", help="migrate, then seed a deterministic demo service network")
    seed.add_argument("--outlets", type=int, default=2000, help="number of outlets (default 2000)")
    seed.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    seed.add_argument("--reset", action="store_true", help="delete an existing seeded network first")
    seed.set_defaults(func=_cmd_seed)

    triage = sub.add_parser("triage", help="classify JSON lines {id, text} into triage results (JSON lines)")
    triage.add_argument("--input", required=True, help="input .jsonl with at least id and text")
    triage.add_argument("--output", required=True, help="output .jsonl, one line per input line")
    triage.add_argument("--model", default="models/aftersales.tar.gz", help="trained Rasa model")
    triage.set_defaults(func=_cmd_triage)

    export = sub.add_parser(
        "catalogue-export", help="write the NLU catalogue dictionary (brands, models, parts, fault terms)"
    )
    export.add_argument("--output", help="target file (default: data/catalogue/catalogue.yml)")
    export.set_defaults(func=_cmd_catalogue_export)

    validate = sub.add_parser("validate", help="Rasa's project validation, strict (see bot/project_check.py)")
    validate.set_defaults(func=_cmd_validate)

    run_all = sub.add_parser("run-all", help="start Rasa, the action server and our service; Ctrl-C stops all")
    run_all.set_defaults(func=_cmd_run_all)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m bot`."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        return int(args.func(args, Settings.from_env()))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a clear one-line error for operators; details at debug level
        from bot.domain.errors import DomainError

        if isinstance(exc, DomainError):
            print(f"error: {exc.message}", file=sys.stderr)
            return 2
        raise

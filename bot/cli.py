"""`python -m bot …`: the project's command line."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.settings import Settings


def _cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from bot.web.app import create_app, serve

    try:
        app = create_app(settings)
    except ValueError as exc:  # a setting the service must not start with; the message names it
        print(f"bot serve: {exc}", file=sys.stderr)
        return 2
    # Not `web.run_app`: its 60 s waits and its handling of a second signal left the process hanging (see `serve`).
    asyncio.run(serve(app, args.host or settings.service_host, args.port or settings.service_port))
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

    from bot.nlu.intents.triage import run_triage

    count = run_triage(Path(args.model), Path(args.input), Path(args.output))
    print(f"triaged {count} lines into {args.output}", file=sys.stderr)
    return 0


def _cmd_catalogue_export(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from bot.nlu.lexicon.catalogue_lexicon import DEFAULT_CATALOGUE_PATH, export_catalogue
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


def _cmd_provider_key(args: argparse.Namespace, settings: Settings) -> int:
    from bot.commands.provider_key import run_provider_key_command

    return run_provider_key_command(settings.database_url, args.outlet, args.revoke, args.list, args.label)


def _cmd_provider_webhook(args: argparse.Namespace, settings: Settings) -> int:
    from bot.commands.provider_webhook import run_provider_webhook_command

    return run_provider_webhook_command(settings.database_url, args.outlet, args.url, args.disable)


def _cmd_provider_telegram(args: argparse.Namespace, settings: Settings) -> int:
    from bot.commands.provider_telegram import run_provider_telegram_command

    return run_provider_telegram_command(settings.database_url, args.outlet, args.chat_id, args.disable)


def _cmd_channel_setup(args: argparse.Namespace, settings: Settings) -> int:
    from bot.commands.channel_setup import run_channel_setup

    return run_channel_setup(settings, args.target, args.public_url)


def _cmd_agent_user(args: argparse.Namespace, settings: Settings) -> int:
    import os

    from bot.commands.agent_user import run_agent_user_command

    return run_agent_user_command(
        settings.database_url, args.username, args.role, os.environ.get("AGENT_PASSWORD") or None, args.generate,
        args.disable,
    )


def _cmd_nlu(args: argparse.Namespace, settings: Settings) -> int:
    from bot.commands.nlu_learned import run_nlu_command
    from bot.settings import PROJECT_ROOT

    return run_nlu_command(args, settings.database_url, PROJECT_ROOT)


def _cmd_brand(args: argparse.Namespace, settings: Settings) -> int:
    from bot.commands.brands import run_brand_command

    return run_brand_command(
        settings.database_url, args.brand_command, code=getattr(args, "code", None),
        name_en=getattr(args, "name_en", None), name_zh=getattr(args, "name_zh", None),
        aliases=getattr(args, "alias", None) or (), handles=getattr(args, "handle", None) or (),
        unserved=getattr(args, "unserved", False), home_country=getattr(args, "home_country", "CN"),
        add=getattr(args, "add", None), remove=getattr(args, "remove", None),
    )


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

    key = sub.add_parser("provider-key", help="issue (printed once), list or revoke an outlet's provider-API keys")
    key_target = key.add_mutually_exclusive_group(required=True)
    key_target.add_argument("--outlet", metavar="ID|CODE", help="issue a key for this outlet (id or code)")
    key_target.add_argument("--revoke", metavar="PREFIX", help="revoke the key with this prefix (e.g. psk_Ab3dE9xQ)")
    key.add_argument("--list", action="store_true", help="with --outlet: list its keys instead of issuing one")
    key.add_argument("--label", help="with --outlet: a note on who holds the key")
    key.set_defaults(func=_cmd_provider_key)

    hook = sub.add_parser("provider-webhook", help="set an outlet's signed webhook (secret printed once) or disable it")
    hook.add_argument("--outlet", metavar="ID|CODE", required=True, help="the outlet (id or code)")
    hook_action = hook.add_mutually_exclusive_group(required=True)
    hook_action.add_argument("--url", help="https:// address that receives the POSTs (http only to localhost)")
    hook_action.add_argument("--disable", action="store_true", help="stop deliveries; pending ones are dropped")
    hook.set_defaults(func=_cmd_provider_webhook)

    group = sub.add_parser("provider-telegram", help="notify an outlet's Telegram group of routed tickets, or stop")
    group.add_argument("--outlet", metavar="ID|CODE", required=True, help="the outlet (id or code)")
    group_action = group.add_mutually_exclusive_group(required=True)
    group_action.add_argument("--chat-id", help="the group's chat id (negative, e.g. -1001234567890)")
    group_action.add_argument("--disable", action="store_true", help="stop notifying; pending notices are dropped")
    group.set_defaults(func=_cmd_provider_telegram)

    setup = sub.add_parser("channel-setup", help="register the Telegram webhook or publish the WeChat menu")
    setup.add_argument("target", choices=["telegram-webhook", "wechat-menu"])
    setup.add_argument("--public-url", help="telegram-webhook: the https:// address where Rasa is reachable")
    setup.set_defaults(func=_cmd_channel_setup)

    agent = sub.add_parser("agent-user", help="create or update an agent console account, or disable it")
    agent.add_argument("--username", required=True, help="2..64 characters: a-z 0-9 . _ -")
    agent.add_argument("--role", choices=["agent", "supervisor"], default="agent")
    agent_password = agent.add_mutually_exclusive_group()
    agent_password.add_argument("--generate", action="store_true", help="generate a password and print it once")
    agent_password.add_argument("--disable", action="store_true", help="disable the account (sessions end at once)")
    agent.set_defaults(func=_cmd_agent_user)  # the password: AGENT_PASSWORD, else asked for in the terminal

    nlu = sub.add_parser("nlu", help="learning from corrections: export accepted examples, gate a new model")
    nlu_sub = nlu.add_subparsers(dest="nlu_command", required=True)
    learned = nlu_sub.add_parser("export-learned", help="write accepted examples as Rasa YAML (1 in 5 held out)")
    learned.add_argument("--since", metavar="YYYY-MM-DD", help="only examples accepted on or after this UTC day")
    learned.add_argument("--min-agreement", type=float, default=0.5, help="share of labels agreeing (default 0.5)")
    learned.add_argument("--out-dir", help="training files (default: data/nlu/learned)")
    learned.add_argument("--heldout-dir", help="held-out files (default: tests/nlu)")
    gate = nlu_sub.add_parser("gate", help="exit 0 if the candidate model is not worse than the current, else 3")
    gate.add_argument("--candidate", required=True, help="the newly trained model (.tar.gz)")
    gate.add_argument("--current", required=True, help="the model in use (missing: the candidate passes)")
    gate.add_argument("--tolerance", type=float, default=0.01, help="allowed macro-F1 drop per set (default 0.01)")
    gate.add_argument("--heldout-dir", help="where heldout_*.yml and learned_heldout_*.yml are (default: tests/nlu)")
    nlu.set_defaults(func=_cmd_nlu)

    brand = sub.add_parser("brand", help="list brands, add one (served or not), change its aliases and handles")
    brand_sub = brand.add_subparsers(dest="brand_command", required=True)
    brand_list = brand_sub.add_parser("list", help="the served brands, or those we do not service")
    brand_list.add_argument("--unserved", action="store_true", help="list the brands we know but do not service")
    brand_add = brand_sub.add_parser("add", help="add a brand (one transaction)")
    brand_add.add_argument("--code", required=True, help="2..40 characters: a-z 0-9 _ (e.g. whirlpool)")
    brand_add.add_argument("--name-en", required=True, help="English name; what the bot says for an unserved brand")
    brand_add.add_argument("--name-zh", required=True, help="Chinese name")
    brand_add.add_argument("--alias", action="append", help="another name customers use (repeatable)")
    brand_add.add_argument("--handle", action="append", help="a support handle, '@' optional (repeatable)")
    brand_add.add_argument("--unserved", action="store_true", help="a brand we know but do not service")
    brand_add.add_argument("--home-country", default="CN", help="served brands: ISO country code (default CN)")
    for name, what in (("alias", "an alias"), ("handle", "a support handle")):
        change = brand_sub.add_parser(name, help=f"add or remove {what} of a brand (served or not)")
        change.add_argument("--code", required=True, help="the brand's code")
        change_action = change.add_mutually_exclusive_group(required=True)
        change_action.add_argument("--add", metavar=name.upper(), help=f"add {what}")
        change_action.add_argument("--remove", metavar=name.upper(), help=f"remove {what}")
    brand.set_defaults(func=_cmd_brand)

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

"""The command line: ``python -m bot run | migrate | …``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable

from pydantic import ValidationError

from bot.settings import MissingTokenError, Settings, describe_error

EXIT_CONFIG = 2

Command = Callable[[argparse.Namespace, Settings], Awaitable[int | None]]


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runner import run_bot

    settings.token()  # fail before opening anything
    await run_bot(settings)
    return 0


async def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from storage import Database, apply_migrations

    db = await Database.connect(settings.database_path)
    try:
        applied = await apply_migrations(db)
    finally:
        await db.close()
    print(f"applied: {', '.join(map(str, applied))}" if applied else "up to date")
    return 0


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Command]]:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Telegram-бот: трекер рекомендаций резолюций форумов и общественных палат.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands: dict[str, Command] = {}

    sub.add_parser("run", help="run the bot (long polling; a webhook server if WEBHOOK_URL)")
    commands["run"] = _run
    sub.add_parser("migrate", help="apply database migrations and exit")
    commands["migrate"] = _migrate
    return parser, commands


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def main(argv: list[str] | None = None) -> int:
    parser, commands = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_CONFIG
    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"configuration error: {describe_error(exc)}", file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(settings.log_level)
    try:
        return asyncio.run(commands[args.command](args, settings)) or 0
    except MissingTokenError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 0

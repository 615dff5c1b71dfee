"""The command line: ``python -m bot run | migrate | …``."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Callable, Coroutine
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from pydantic import ValidationError

from bot.backup_cli import add_backup_commands
from bot.report_cli import add_report_commands
from bot.schedule_cli import add_schedule_commands
from bot.search_cli import add_search_commands
from bot.settings import (
    MissingTokenError,
    PortInUseError,
    Settings,
    TokenRejectedError,
    describe_error,
)
from bot.tryout import add_try_command

if TYPE_CHECKING:
    from bot.importer import ImportResult
    from bot.ingest.model import ParsedDocument

EXIT_CONFIG = 2
EXIT_ALREADY_RUNNING = 3

Command = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int | None]]
# What ``add_subparsers`` returns: where each command module adds its parser.
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.instance import AlreadyRunning
    from bot.telegram.runner import run_bot

    settings.token()  # fail before opening anything
    try:
        await run_bot(settings)
    except AlreadyRunning as exc:
        print(exc, file=sys.stderr)
        return EXIT_ALREADY_RUNNING
    return 0


async def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from storage import Database, apply_migrations

    db = await Database.connect(settings.database_path)
    try:
        applied = await apply_migrations(db)
    finally:
        await db.close()
    print(f"применены миграции: {', '.join(map(str, applied))}" if applied else "база актуальна")
    return 0


def _expand(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        files.extend(sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path])
    return files


async def _import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.container import open_services
    from bot.importer import document_json
    from bot.ingest.extract import DocumentError, refusal
    from bot.ingest.guard import parse_upload
    from bot.texts import Texts

    failed = 0
    async with AsyncExitStack() as stack:
        services = (
            None if args.dry_run else await stack.enter_async_context(open_services(settings))
        )
        for path in _expand(args.paths):
            try:
                data = await asyncio.to_thread(path.read_bytes)
                parsed = await parse_upload(data, path.name, settings.parse_limits())
            except DocumentError as error:
                print(f"{path.name}: {refusal(Texts.load(), error)}", file=sys.stderr)
                failed += 1
                continue
            except OSError as error:
                print(f"{path.name}: не удалось открыть файл ({error.strerror})", file=sys.stderr)
                failed += 1
                continue
            result = None if services is None else await services.importer.import_document(parsed)
            if result is not None and result.parsed is not None:
                parsed = result.parsed  # as corrected by coordinators: what the ids belong to
            if args.json:
                print(json.dumps(document_json(parsed, result), ensure_ascii=False), flush=True)
            else:
                print(_import_summary(parsed, result), flush=True)
    return 1 if failed else 0


def _import_summary(parsed: ParsedDocument, result: ImportResult | None) -> str:
    from bot.formatting import shorten
    from bot.texts import plural

    n = len(parsed.recommendations)
    deadlines = sum(1 for r in parsed.recommendations if r.deadline)
    outcome = {
        None: "проверено, не сохранено (--dry-run)",
        "created": "добавлен",
        "updated": "обновлён",
        "unchanged": "без изменений",
    }[result.outcome if result else None]
    items = plural(n, "рекомендация|рекомендации|рекомендаций")
    line = (
        f"{parsed.source}: «{shorten(parsed.title, 80)}» — {n} {items}, "
        f"адресатов {len(parsed.addressees)}, сроков {deadlines}, "
        f"предупреждений {len(parsed.warnings)}; {outcome}"
    )
    return line + (f" (документ {result.document_id})" if result else "")


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Command]]:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Telegram-бот: трекер рекомендаций резолюций форумов и общественных палат.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands: dict[str, Command] = {}

    add_try_command(sub, commands)
    sub.add_parser("run", help="запустить бота (long polling; вебхук, если задан WEBHOOK_URL)")
    commands["run"] = _run
    sub.add_parser("migrate", help="применить миграции базы и выйти")
    commands["migrate"] = _migrate

    imp = sub.add_parser("import", help="разобрать и загрузить резолюции (.txt, .docx, .pdf)")
    imp.add_argument("paths", nargs="+", metavar="PATH", help="файлы или каталоги")
    imp.add_argument("--dry-run", action="store_true", help="только разобрать, ничего не сохранять")
    imp.add_argument("--json", action="store_true", help="по объекту JSON на документ в строке")
    commands["import"] = _import

    add_schedule_commands(sub, commands)
    add_search_commands(sub, commands)
    add_backup_commands(sub, commands)
    add_report_commands(sub, commands)
    return parser, commands


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # pymorphy3 announces its dictionaries at INFO on every start: noise for operators.
    logging.getLogger("pymorphy3").setLevel(logging.WARNING)
    # APScheduler reports every job run at INFO (twice a minute); our jobs log what they do.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    parser, commands = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_CONFIG
    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"Ошибка в настройках: {describe_error(exc)}", file=sys.stderr)
        return EXIT_CONFIG
    except UnicodeDecodeError:
        print(
            "Ошибка в настройках: файл .env не в кодировке UTF-8 — пересохраните его в UTF-8.",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    except OSError as exc:
        print(
            f"Ошибка в настройках: файл .env нельзя прочитать ({exc.strerror}) — он должен"
            " принадлежать пользователю, от имени которого работает бот.",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    configure_logging(settings.log_level)
    try:
        return asyncio.run(commands[args.command](args, settings)) or 0
    except (MissingTokenError, TokenRejectedError, PortInUseError) as exc:
        print(f"Ошибка в настройках: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 0

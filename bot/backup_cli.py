"""``python -m bot backup [PATH]`` and ``python -m bot restore PATH``."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.backup import BackupError, backup_database, backup_name, restore_database
from bot.instance import AlreadyRunning
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.cli import Command, Subparsers


async def backup_command(args: argparse.Namespace, settings: Settings) -> int:
    now = dt.datetime.now(dt.UTC)
    target = Path(args.path or Path(settings.backup_dir) / backup_name(settings.database_path, now))
    try:
        result = await asyncio.to_thread(backup_database, settings.database_path, target)
    except (BackupError, OSError) as exc:
        print(f"резервная копия не сделана: {exc}", file=sys.stderr)
        return 1
    print(f"резервная копия: {result.path} ({result.size / 1024 / 1024:.1f} МБ), целостность: ok")
    return 0


async def restore_command(args: argparse.Namespace, settings: Settings) -> int:
    now = dt.datetime.now(dt.UTC)
    try:
        kept = await asyncio.to_thread(restore_database, args.path, settings.database_path, now)
    except AlreadyRunning:
        print(
            f"восстановление отменено: с базой {settings.database_path} работает бот — "
            "остановите его (systemctl stop resolution-tracker) и повторите; база не изменена.",
            file=sys.stderr,
        )
        return 1
    except (BackupError, OSError) as exc:
        print(f"восстановление отменено: {exc}", file=sys.stderr)
        return 1
    print(f"база {settings.database_path} восстановлена из {args.path}")
    if kept is not None:
        print(f"прежняя база сохранена в {kept}")
    return 0


def add_backup_commands(sub: Subparsers, commands: dict[str, Command]) -> None:
    backup = sub.add_parser("backup", help="согласованная копия базы (можно при работающем боте)")
    backup.add_argument(
        "path", nargs="?", metavar="PATH", help="куда записать (по умолчанию — в BACKUP_DIR)"
    )
    commands["backup"] = backup_command
    restore = sub.add_parser(
        "restore", help="восстановить базу из копии (бот должен быть остановлен)"
    )
    restore.add_argument("path", metavar="PATH", help="файл резервной копии")
    commands["restore"] = restore_command

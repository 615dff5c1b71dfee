"""``python -m bot try``: the real bot in a terminal chat — no Telegram, no network, no token.

The application's own Dispatcher, handlers, services and delivery worker run against a Bot
whose session answers the Bot API locally (:mod:`bot.tryout.session`); the terminal renders
what the bot sends (:mod:`bot.tryout.render`, :mod:`bot.tryout.screen`) and turns what the
person types into Telegram updates (:mod:`bot.tryout.terminal`).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.cli import Command, Subparsers
    from bot.tryout.terminal import Terminal
from bot.texts import Texts

ROLES = ("member", "official", "coordinator", "admin")


def add_try_command(sub: Subparsers, commands: dict[str, Command]) -> None:
    parser = sub.add_parser(
        "try",
        help="попробовать бота в терминале: без Telegram, токена и сети",
        description=(
            "Настоящий бот (диспетчер, обработчики, сервисы, своя база с резолюциями из "
            "content/resolutions) в чате прямо в терминале. Команды терминала — :help."
        ),
    )
    parser.add_argument(
        "--as", dest="role", choices=ROLES, default="member", help="кем начать (member)"
    )
    parser.add_argument("--region", help="регион координатора и исполнителя")
    parser.add_argument("--db", help="файл базы (по умолчанию временный, удаляется при выходе)")
    parser.add_argument(
        "--files", help="куда сохранять файлы, которые присылает бот (по умолчанию временная папка)"
    )
    commands["try"] = run_try


async def run_try(args: argparse.Namespace, settings: Settings) -> int:
    from bot.clock import ShiftedClock
    from bot.container import import_seeds_if_empty, open_services
    from bot.tryout import roles
    from bot.tryout.screen import Keyboard, Screen
    from bot.tryout.terminal import Terminal

    # The terminal is the conversation: the log keeps to warnings, on stderr.
    logging.getLogger().setLevel(max(logging.getLogger().level, logging.WARNING))
    screen = Screen()
    texts_region = None
    if args.region:
        texts_region = roles.resolve_region(args.region)
        if texts_region is None:
            message = Texts.load().plain("try.unknown_region", query=args.region)
            print(message, file=sys.stderr, flush=True)
            return 2
    with ExitStack() as stack:
        if args.db:
            db_path = Path(args.db)
            db_path.parent.mkdir(parents=True, exist_ok=True)
        else:
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="bot-try-"))
            db_path = Path(tmp) / "bot.sqlite3"
        files_dir = Path(args.files) if args.files else _files_dir()
        settings = try_settings(settings, db_path)
        clock = ShiftedClock()
        async with open_services(settings, clock) as services:
            await import_seeds_if_empty(services)
            await services.search.rebuild_if_empty()
            region = texts_region or await roles.default_region(services) or "Москва"
            terminal = Terminal(services, screen, Keyboard(screen), files_dir, region)
            await terminal.start()
            try:
                db_label = (
                    str(db_path) if args.db else terminal.t("db_temporary", path=str(db_path))
                )
                terminal.note(terminal.t("banner", db=db_label))
                await _set_up(terminal, args.role, texts_region)
                await terminal.settle()
                await terminal.run()
            finally:
                await terminal.stop()
    return 0


def try_settings(settings: Settings, db_path: Path) -> Settings:
    """The operator's settings, adjusted for a chat in the terminal."""
    from bot.tryout.terminal import PEOPLE

    admin = next(p for p in PEOPLE if p.key == "admin")
    return settings.model_copy(
        update={
            "database_path": str(db_path),
            "admin_ids": [admin.user_id],
            "import_seeds_on_empty": True,
            "telegram_api_url": "",
            "webhook_url": "",
            # The bot sends on its own only through the outbox; here it all goes at once.
            "broadcast_rate": 0.0,
            "delivery_chat_interval": 0.0,
            # No jobs on the wall clock: /time moves the clock and runs them.
            "scheduler_enabled": False,
        }
    )


async def _set_up(terminal: Terminal, role: str, region: str | None) -> None:
    """Give the starting identity its role honestly, then open the chat as Telegram would."""
    if role == "coordinator":
        await terminal.ensure_coordinator(region)
    elif role == "official":
        await terminal.ensure_official()
    await terminal.switch(role, quiet=True)
    person = terminal.current
    terminal.note(
        terminal.t("you_start_as", name=person.first_name, role=await terminal.describe(person))
    )
    # Opening a bot in Telegram means pressing Start: the greeting is the first thing seen.
    terminal.screen.line(f"{person.first_name} › /start", "me")
    await terminal.handle("/start")


def _files_dir() -> Path:
    """Kept after the session ends, so the files can still be opened; made on first use."""
    return Path(tempfile.gettempdir()) / f"bot-try-files-{os.getpid()}"

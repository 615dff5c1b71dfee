"""``python -m bot digest`` and ``python -m bot due``: previews of the scheduled work."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import TYPE_CHECKING

from bot.clock import FrozenClock, ensure_utc, to_iso
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.cli import Command, Subparsers


def _moment(value: str | None) -> dt.datetime:
    if not value:
        return dt.datetime.now(dt.UTC)
    moment = dt.datetime.fromisoformat(value)
    # A time without a zone is read as UTC, the zone everything is stored in.
    return ensure_utc(moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC))


def _at_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--at",
        type=str,
        metavar="ISO_DATETIME",
        help="момент времени, например 2026-03-02T10:00+03:00 (по умолчанию — сейчас)",
    )


async def digest_command(args: argparse.Namespace, settings: Settings) -> int:
    from bot.container import open_services

    at = _moment(args.at)
    async with open_services(settings, FrozenClock(at)) as services:
        user = await services.users.get(args.user)
        if user is None:
            print(f"пользователь {args.user} не найден", file=sys.stderr)
            return 1
        digest = await services.digests.preview(user, at)
    if digest is None:
        print(f"Для пользователя {args.user} на {to_iso(at)} ничего нового: сводки не будет.")
    else:
        print(digest.text)
    return 0


async def due_command(args: argparse.Namespace, settings: Settings) -> int:
    from bot.container import open_services

    at = _moment(args.at)
    async with open_services(settings, FrozenClock(at)) as services:
        digests = await services.digests.due(at)
        nudges = await services.nudges.due(at)
    report = {
        "at": to_iso(at),
        "digests": [
            {
                "user_id": d.user_id,
                "period": d.period,
                "recommendation_ids": d.recommendation_ids,
            }
            for d in digests
        ],
        "nudges": [n.as_json() for n in nudges],
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    print(f"На {report['at']}: сводок — {len(digests)}, напоминаний — {len(nudges)}")
    for d in digests:
        items = len(d.recommendation_ids)
        print(f"  сводка: пользователь {d.user_id}, период {d.period}, пунктов {items}")
    for n in nudges:
        print(f"  {n.kind}: пользователь {n.recipient_id}, {n.key}")
    return 0


def add_schedule_commands(sub: Subparsers, commands: dict[str, Command]) -> None:
    digest = sub.add_parser("digest", help="показать сводку, которую получит пользователь")
    digest.add_argument("--user", type=int, required=True, metavar="TELEGRAM_ID")
    _at_argument(digest)
    commands["digest"] = digest_command

    due = sub.add_parser("due", help="что пора отправить: сводки и напоминания")
    _at_argument(due)
    due.add_argument("--json", action="store_true", help="один объект JSON")
    commands["due"] = due_command

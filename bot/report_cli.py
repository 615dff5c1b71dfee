"""``python -m bot report --region R [--resolution ID] [--addressee NAME] --format F --out P``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.settings import Settings


def add_report_commands(sub: Any, commands: dict[str, Any]) -> None:
    """Register ``report`` on the subparsers of ``bot/cli.py``."""
    report = sub.add_parser(
        "report", help="отчёт о ходе выполнения: таблица, документ, CSV или график"
    )
    report.add_argument("--region", required=True, help="регион, например «Амурская область»")
    report.add_argument("--resolution", type=int, metavar="ID", help="номер документа в базе")
    report.add_argument("--addressee", metavar="NAME", help="адресат (название или его часть)")
    report.add_argument("--format", required=True, choices=("xlsx", "docx", "csv", "png"))
    report.add_argument("--out", required=True, type=Path, metavar="PATH", help="куда записать")
    commands["report"] = _report


def _pick(names: list[str], asked: str) -> str | list[str]:
    """An addressee by its name, or the candidates when the name is ambiguous or unknown."""
    wanted = " ".join(asked.split()).casefold()
    exact = [n for n in names if n.casefold() == wanted]
    if exact:
        return exact[0]
    found = [n for n in names if wanted in n.casefold()]
    return found[0] if len(found) == 1 else found


async def _report(args: argparse.Namespace, settings: Settings) -> int:
    from bot.container import open_services
    from bot.matching import valid_region
    from bot.texts import plural
    from storage.exports import Scope

    region = valid_region(args.region)
    if region is None:
        print(f"Регион «{args.region}» не найден.", file=sys.stderr)
        return 1
    async with open_services(settings) as services:
        exports = services.reports.exports
        if args.resolution is not None:
            doc = await exports.document(args.resolution)
            if doc is None or doc["region"] != region:
                print(
                    f"В регионе «{region}» нет резолюции с номером {args.resolution}.",
                    file=sys.stderr,
                )
                return 1
        scope = Scope(region, args.resolution)
        if args.addressee:
            picked = _pick(await exports.addressee_names(scope), args.addressee)
            if isinstance(picked, list):
                hint = ("; подходят: " + "; ".join(picked[:10])) if picked else ""
                print(f"Адресат «{args.addressee}» не найден однозначно{hint}.", file=sys.stderr)
                return 1
            scope = Scope(region, args.resolution, picked)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        partial = args.out.with_name(args.out.name + ".part")
        try:
            with partial.open("wb") as out:
                context = await services.reports.write(scope, args.format, out)
            partial.replace(args.out)
        finally:
            partial.unlink(missing_ok=True)
    items = plural(context.total, "рекомендация|рекомендации|рекомендаций")
    print(f"{args.out}: {context.what} — {context.total} {items}")
    return 0

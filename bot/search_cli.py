"""``python -m bot ask "…"`` and ``python -m bot my --region … --kind …``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.cli import Command, Subparsers
    from bot.search import Match, SearchService


def add_search_commands(sub: Subparsers, commands: dict[str, Command]) -> None:
    """Register ``ask`` and ``my`` on the subparsers of ``bot/cli.py``."""
    ask = sub.add_parser("ask", help="вопрос о рекомендациях свободным текстом")
    ask.add_argument("question", metavar="QUESTION", help="например: «что рекомендовано ОМСУ?»")
    ask.add_argument("--region", help="регион, если его нет в вопросе")
    ask.add_argument("--kind", help="вид адресата (ngo, local_government, …)")
    ask.add_argument("--org", help="название организации: её рекомендации выше")
    ask.add_argument("--limit", type=int, default=10)
    ask.add_argument("--json", action="store_true", help="один объект JSON")
    commands["ask"] = _ask

    my = sub.add_parser("my", help="рекомендации, которые касаются организации")
    my.add_argument("--region", required=True, help="регион организации")
    my.add_argument("--kind", required=True, help="вид организации (ngo, public_chamber, …)")
    my.add_argument("--org", help="название организации")
    my.add_argument("--limit", type=int, default=5)
    my.add_argument("--json", action="store_true", help="один объект JSON")
    commands["my"] = _my


async def _with_search(settings: Settings, run: Callable[[SearchService], Awaitable[int]]) -> int:
    from bot.container import import_seeds_if_empty, open_services

    async with open_services(settings) as services:
        await import_seeds_if_empty(services)
        await services.search.rebuild_if_empty()
        return await run(services.search)


def _result_json(query: dict[str, Any], matches: Sequence[Match]) -> dict[str, Any]:
    return {
        "query": query,
        "results": [
            {
                "recommendation_id": m.recommendation_id,
                "source": m.source,
                "number": m.number,
                "addressee": m.addressee,
                "score": m.score,
                "reasons": m.reasons,
            }
            for m in matches
        ],
    }


def _print_list(header: str, matches: Sequence[Match], total: int) -> None:
    from bot.texts import plural

    print(f"{header}: {total} {plural(total, 'рекомендация|рекомендации|рекомендаций')}")
    for i, m in enumerate(matches, 1):
        deadline = f", срок {m.deadline}" if m.deadline else ""
        print(f"\n{i}. {m.source}, п. {m.number} — {m.addressee}{deadline}")
        text = m.text if len(m.text) <= 300 else m.text[:299] + "…"
        print(f"   {text}")
        for reason in m.reasons:
            print(f"   · {reason}")


async def _ask(args: argparse.Namespace, settings: Settings) -> int:
    async def run(search: SearchService) -> int:
        result = await search.ask(
            args.question, region=args.region, kind=args.kind, org=args.org, limit=args.limit
        )
        query = {
            "question": args.question,
            "region": result.region,
            "kind": result.kind,
            "topic": result.topic,
            "org": args.org,
            "status": result.status,
        }
        if args.json:
            data = _result_json(query, result.matches)
            data["total"] = result.total
            data["suggestions"] = result.suggestions
            print(json.dumps(data, ensure_ascii=False))
            return 0
        if result.region_empty:
            print(f"В регионе «{result.region}» документов пока нет.")
        _print_list("Найдено", result.matches, result.total)
        if result.suggestions:
            print("\nНичего не нашлось. Что можно попробовать:")
            for tip in result.suggestions:
                print(f"  · {tip}")
        return 0

    return await _with_search(settings, run)


async def _my(args: argparse.Namespace, settings: Settings) -> int:
    from bot.matching import valid_kind, valid_region
    from bot.search import Profile

    region = valid_region(args.region)
    kind = valid_kind(args.kind)
    if region is None or kind is None:
        from bot.vocabulary import KINDS

        problem = (
            f"неизвестный регион: {args.region}"
            if region is None
            else f"неизвестный вид организации: {args.kind} (возможные: {', '.join(KINDS)})"
        )
        print(problem, file=sys.stderr)
        return 2

    async def run(search: SearchService) -> int:
        matches, total = await search.my(Profile(region, kind, args.org), limit=args.limit)
        query = {"region": region, "kind": kind, "org": args.org}
        if args.json:
            data = _result_json(query, matches)
            data["total"] = total
            print(json.dumps(data, ensure_ascii=False))
            return 0
        _print_list("Касается вашей организации", matches, total)
        return 0

    return await _with_search(settings, run)

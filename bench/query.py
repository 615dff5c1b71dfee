"""Benchmark ``query``: /my and free questions over a synthetic corpus.

The corpus goes straight into a temporary SQLite database (bulk inserts, no parser):
documents in every region, addressees of every kind with names in the dative and the
nominative, recommendation texts from templates (some "совместно с …", some with
abbreviations).  Then the search index is rebuilt and ``SearchService.my`` / ``ask`` are
timed inside the process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

VERBS = [
    "Разработать",
    "Обеспечить реализацию",
    "Рассмотреть возможность создания",
    "Организовать проведение",
    "Активизировать работу по развитию",
    "Продолжить поддержку",
    "Создать условия для развития",
    "Поддержать",
    "Внедрить",
    "Проработать вопрос о финансировании",
]
OBJECTS = [
    "программы поддержки социально ориентированных некоммерческих организаций",
    "системы обучения специалистов НКО",
    "конкурса социальных проектов",
    "информационной кампании о деятельности СО НКО",
    "ресурсного центра для некоммерческих организаций",
    "механизмов общественного контроля",
    "плана мероприятий по развитию добровольчества",
    "регионального форума гражданских инициатив",
    "муниципальных программ поддержки ТОС",
    "грантового финансирования молодежных проектов",
    "консультационных пунктов для инициативных групп",
    "практики публичных обсуждений",
]
TOPICS = [
    "молодежной политики",
    "культуры",
    "здравоохранения",
    "образования",
    "социального обслуживания населения",
    "благоустройства территорий",
    "экологии",
    "физической культуры и спорта",
    "территориального общественного самоуправления",
    "патриотического воспитания",
    "поддержки семьи и детства",
    "туризма",
    "цифровизации",
    "противодействия коррупции",
    "социального предпринимательства",
]
TAILS = [
    "с привлечением экспертов и представителей бизнеса",
    "с учетом лучших практик других регионов",
    "на территории муниципальных образований",
    "с участием граждан и общественных объединений",
    "в том числе в сельских поселениях",
    "и информировать население о результатах",
]
JOINT = [
    "совместно с органами местного самоуправления",
    "совместно с ресурсными центрами НКО",
    "совместно с Общественной палатой {rg}",
    "совместно с молодежными общественными организациями",
]
# kind → (dative as written, nominative canonical); {rg} is the region in the genitive.
ADDRESSEES: dict[str, list[tuple[str, str]]] = {
    "regional_government": [("Правительству {rg}", "Правительство {rg}")],
    "legislature": [("Законодательному Собранию {rg}", "Законодательное Собрание {rg}")],
    "ministry_or_agency": [
        ("Министерству социальной защиты {rg}", "Министерство социальной защиты {rg}"),
        ("Министерству образования {rg}", "Министерство образования {rg}"),
        ("Агентству по внутренней политике {rg}", "Агентство по внутренней политике {rg}"),
        ("Департаменту культуры {rg}", "Департамент культуры {rg}"),
    ],
    "local_government": [
        ("Органам местного самоуправления {rg}", "Органы местного самоуправления {rg}"),
        ("Администрациям муниципальных районов", "Администрации муниципальных районов"),
    ],
    "public_chamber": [("Общественной палате {rg}", "Общественная палата {rg}")],
    "public_council": [
        ("Общественным советам при органах власти", "Общественные советы при органах власти")
    ],
    "ngo": [
        (
            "Социально ориентированным некоммерческим организациям",
            "Социально ориентированные некоммерческие организации",
        ),
        ("Добровольческим объединениям", "Добровольческие объединения"),
    ],
    "resource_center": [
        ("Ресурсным центрам поддержки НКО", "Ресурсные центры поддержки НКО"),
        ("АНО «Ресурсный центр {rg}»", "АНО «Ресурсный центр {rg}»"),
    ],
    "business": [("Бизнес-сообществу", "Бизнес-сообщество")],
    "media": [("Средствам массовой информации", "Средства массовой информации")],
    "education": [
        ("Образовательным организациям высшего образования", "Образовательные организации")
    ],
    "federal_body": [("Федеральному агентству по делам молодежи", "Федеральное агентство")],
    "other": [("Участникам форума", "Участники форума")],
}


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _peak_rss_mb() -> float:
    """This process's own peak: ``VmHWM`` (``ru_maxrss`` of a child started by a big parent
    keeps the parent's peak on Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return _rss_mb()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return round(ordered[k], 2)


def _text(rnd: random.Random, rg: str) -> str:
    parts = [f"{rnd.choice(VERBS)} {rnd.choice(OBJECTS)} в сфере {rnd.choice(TOPICS)}"]
    if rnd.random() < 0.1:
        parts.append(rnd.choice(JOINT).format(rg=rg))
    parts.append(rnd.choice(TAILS))
    if rnd.random() < 0.5:
        parts.append(f"и {rnd.choice(VERBS).lower()} {rnd.choice(OBJECTS)}")
    return " ".join(parts) + "."


async def _build_corpus(db, rnd: random.Random, recommendations: int, documents: int) -> None:
    from bot.matching import region_genitive
    from bot.regions import all_regions

    regions = [r.name for r in all_regions()]
    genitive = {r: region_genitive(r) for r in regions}
    kinds = list(ADDRESSEES)
    now = "2026-01-01T00:00:00+00:00"
    docs, addrs, recs, links = [], [], [], []
    addressee_id = rec_id = 0
    per_doc = max(1, recommendations // documents)
    for doc_id in range(1, documents + 1):
        region = rnd.choice(regions)
        rg = genitive[region]
        year = rnd.randint(2014, 2025)
        docs.append(
            (
                doc_id,
                f"doc-{doc_id}",
                f"bench_{doc_id:05d}.txt",
                f"h{doc_id}",
                f"Резолюция форума «{rnd.choice(TOPICS).capitalize()}» {rg}",
                f"{year}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
                region,
                now,
                now,
            )
        )
        doc_addrs = []
        if rnd.random() > 0.05:  # a few documents have no addressee at all
            for position, kind in enumerate(rnd.sample(kinds, rnd.randint(2, 6))):
                dative, canonical = rnd.choice(ADDRESSEES[kind])
                addressee_id += 1
                doc_addrs.append(addressee_id)
                addrs.append(
                    (
                        addressee_id,
                        doc_id,
                        position,
                        dative.format(rg=rg),
                        canonical.format(rg=rg),
                        kind,
                        region,
                    )
                )
        count = per_doc if doc_id < documents else recommendations - rec_id
        for position in range(count):
            rec_id += 1
            deadline = f"{year + 1}-12-31" if rnd.random() < 0.3 else None
            recs.append(
                (
                    rec_id,
                    doc_id,
                    position,
                    str(position + 1),
                    _text(rnd, rg),
                    deadline,
                    "year" if deadline else None,
                    now,
                    now,
                )
            )
            if doc_addrs:
                links.append((rec_id, doc_addrs[position * len(doc_addrs) // count]))
                if rnd.random() < 0.1:
                    links.append((rec_id, rnd.choice(doc_addrs)))
    async with db.transaction():
        await db.executemany(
            "INSERT INTO documents (id, doc_key, source, content_hash, title, adopted_on,"
            " region, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            docs,
        )
        await db.executemany(
            "INSERT INTO addressees (id, document_id, position, name, canonical, kind, region)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            addrs,
        )
        await db.executemany(
            "INSERT INTO recommendations (id, document_id, position, number, text, deadline,"
            " deadline_precision, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            recs,
        )
        await db.executemany(
            "INSERT OR IGNORE INTO recommendation_addressees (recommendation_id, addressee_id)"
            " VALUES (?, ?)",
            links,
        )


def _questions(rnd: random.Random, regions: list[str], n: int) -> list[str]:
    from bot.matching import region_locative
    from bot.vocabulary import kind_dative

    kinds = [k for k in ADDRESSEES if k != "other"]
    templates = [
        lambda: f"что рекомендовано {kind_dative(rnd.choice(kinds))}?",
        lambda: (
            f"какие рекомендации по {rnd.choice(TOPICS)} в {region_locative(rnd.choice(regions))}"
        ),
        lambda: f"поддержка СО НКО в {region_locative(rnd.choice(regions))}",
        lambda: "что должна сделать общественная палата",
        lambda: f"{rnd.choice(OBJECTS)} {kind_dative(rnd.choice(kinds))}",
        lambda: f"рекомендации в сфере {rnd.choice(TOPICS)}",
    ]
    return [rnd.choice(templates)() for _ in range(n)]


def _profiles(rnd: random.Random, regions: list[str], n: int) -> list[list[str | None]]:
    """(region, kind, organization name) of ``n`` people asking /my."""
    from bot.matching import region_genitive

    kinds = [k for k in ADDRESSEES if k != "other"]
    out: list[list[str | None]] = []
    for _ in range(n):
        region = rnd.choice(regions)
        kind = rnd.choice(kinds)
        roll = rnd.random()
        name: str | None
        if roll < 0.25:
            name = f"Общественная палата {region_genitive(region)}"
            kind = "public_chamber"
        elif roll < 0.5:
            name = f"АНО «Ресурсный центр {region_genitive(rnd.choice(regions))}»"
        else:
            name = None
        out.append([region, kind, name])
    return out


async def _serve(path: str, work: dict[str, Any]) -> dict[str, Any]:
    """In the measuring process: the bot's services over the database, /my and questions."""
    from bot.container import build_services
    from bot.search import Profile
    from bot.settings import Settings
    from storage import Database

    settings = Settings(_env_file=None, database_path=path, import_seeds_on_empty=False)
    db = await Database.connect(path)
    try:
        search = build_services(settings, db).search
        # Untimed: a process's first queries load dictionaries and fill caches.
        for region, kind, name in work["warmup"]["profiles"]:
            await search.my(Profile(region, kind, name))
        for question in work["warmup"]["questions"]:
            await search.ask(question)
        my_ms, ask_ms, hits, answered = [], [], 0, 0
        # CPU of the whole process (the database thread included): steadier under load.
        cpu = time.process_time()
        for region, kind, name in work["profiles"]:
            t0 = time.perf_counter()
            matches, _ = await search.my(Profile(region, kind, name))
            my_ms.append((time.perf_counter() - t0) * 1000)
            hits += bool(matches)
        my_cpu, cpu = time.process_time() - cpu, time.process_time()
        for question in work["questions"]:
            t0 = time.perf_counter()
            result = await search.ask(question)
            ask_ms.append((time.perf_counter() - t0) * 1000)
            answered += bool(result.matches)
        ask_cpu = time.process_time() - cpu
    finally:
        await db.close()
    return {
        "my_ms": my_ms,
        "ask_ms": ask_ms,
        "my_with_results": hits,
        "ask_with_results": answered,
        "my_cpu_s": my_cpu,
        "ask_cpu_s": ask_cpu,
        "peak_rss_mb": _peak_rss_mb(),
    }


def _child(code: str, path: str, work_file: str) -> None:
    """Entry of the measuring process: ``code`` is the tree whose bot/ and storage/ run."""
    sys.path.insert(0, code)
    work = json.loads(Path(work_file).read_text(encoding="utf-8"))
    print(json.dumps(asyncio.run(_serve(path, work))))


def _measure(code: Path, path: Path, work_file: Path) -> dict[str, Any]:
    """One measuring process over ``code``: its figures, the last line it prints."""
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", str(code), str(path)]
    done = subprocess.run([*argv, str(work_file)], capture_output=True, text=True, cwd=code)
    if done.returncode:
        raise RuntimeError(f"the measuring process failed:\n{done.stderr.strip()}")
    last = done.stdout.strip().splitlines()[-1]
    return dict(json.loads(last))


def _figures(runs: list[dict[str, Any]], prefix: str = "") -> dict[str, Any]:
    my_ms = [v for r in runs for v in r["my_ms"]]
    ask_ms = [v for r in runs for v in r["ask_ms"]]
    return {
        f"{prefix}my_p50_ms": _percentile(my_ms, 0.5),
        f"{prefix}my_p95_ms": _percentile(my_ms, 0.95),
        f"{prefix}my_mean_ms": round(statistics.fmean(my_ms), 2) if my_ms else 0.0,
        f"{prefix}my_with_results": sum(r["my_with_results"] for r in runs),
        f"{prefix}ask_p50_ms": _percentile(ask_ms, 0.5),
        f"{prefix}ask_p95_ms": _percentile(ask_ms, 0.95),
        f"{prefix}ask_mean_ms": round(statistics.fmean(ask_ms), 2) if ask_ms else 0.0,
        f"{prefix}ask_with_results": sum(r["ask_with_results"] for r in runs),
        f"{prefix}my_cpu_ms": round(sum(r["my_cpu_s"] for r in runs) * 1000 / len(my_ms), 2)
        if my_ms
        else 0.0,
        f"{prefix}ask_cpu_ms": round(sum(r["ask_cpu_s"] for r in runs) * 1000 / len(ask_ms), 2)
        if ask_ms
        else 0.0,
        f"{prefix}peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
    }


async def _prepare(path: Path, recommendations: int, documents: int, seed: int) -> dict[str, Any]:
    from bot.search import SearchService
    from storage import Database, apply_migrations

    rnd = random.Random(seed)
    db = await Database.connect(path)
    try:
        await apply_migrations(db)
        started = time.perf_counter()
        await _build_corpus(db, rnd, recommendations, documents)
        corpus_s = time.perf_counter() - started
        started = time.perf_counter()
        await SearchService(db).rebuild()
        index_s = time.perf_counter() - started
    finally:
        await db.close()
    return {"corpus_seconds": round(corpus_s, 1), "index_seconds": round(index_s, 1)}


async def _migrate(path: Path) -> None:
    from storage import Database, apply_migrations

    db = await Database.connect(path)
    try:
        await apply_migrations(db)
    finally:
        await db.close()


def _work(seed: int, samples: int, rounds: int) -> list[dict[str, Any]]:
    """The same profiles and questions for every code, split into ``rounds`` slices."""
    from bot.regions import all_regions

    rnd = random.Random(seed + 1)
    regions = [r.name for r in all_regions()]
    profiles = _profiles(rnd, regions, samples)
    questions = _questions(rnd, regions, samples)
    warmup = {"profiles": _profiles(rnd, regions, 5), "questions": _questions(rnd, regions, 5)}
    return [
        {"profiles": profiles[i::rounds], "questions": questions[i::rounds], "warmup": warmup}
        for i in range(rounds)
    ]


def run(
    recommendations: int = 200_000,
    documents: int = 10_000,
    seed: int = 42,
    samples: int = 300,
    baseline: str = "",
    rounds: int = 3,
    database: str = "",
) -> dict[str, Any]:
    """Build the corpus, index it, time /my and ask in a separate process; milliseconds.

    The measuring process holds only what the running bot holds (its services over the
    database), so ``peak_rss_mb`` is the bot's memory at that size.  ``baseline`` is another
    checkout (e.g. ``git worktree add /tmp/base main``): its code is measured over the same
    database, interleaved with this one in ``rounds`` rounds, as ``baseline_*`` figures.
    ``database`` keeps the built database at that path and reuses it when it exists (a
    million recommendations take minutes to build; build once, measure again); a reused
    database gets this checkout's migrations first (so copy one you must not change).
    """
    documents = max(1, min(documents, recommendations))
    rounds = max(1, min(rounds, samples))
    here = Path(__file__).resolve().parent.parent
    codes = {"": here} | ({"baseline_": Path(baseline).resolve()} if baseline else {})
    with tempfile.TemporaryDirectory(prefix="bench-query-") as tmp:
        path = Path(database) if database else Path(tmp) / "bench.sqlite3"
        if path.exists():
            # Built by an older checkout: its schema is brought up to this one's first.
            asyncio.run(_migrate(path))
            built = {"corpus_seconds": 0.0, "index_seconds": 0.0, "reused_database": 1}
        else:
            built = asyncio.run(_prepare(path, recommendations, documents, seed))
        runs: dict[str, list[dict[str, Any]]] = {prefix: [] for prefix in codes}
        for i, work in enumerate(_work(seed, samples, rounds)):
            work_file = Path(tmp) / f"work{i}.json"
            work_file.write_text(json.dumps(work, ensure_ascii=False), encoding="utf-8")
            for prefix, code in codes.items():
                runs[prefix].append(_measure(code, path, work_file))
    figures: dict[str, Any] = {
        "recommendations": recommendations,
        "documents": documents,
        "samples": samples,
        "rounds": rounds,
        **built,
    }
    for prefix in codes:
        figures |= _figures(runs[prefix], prefix)
    if baseline:
        for key in ("my_p95_ms", "ask_p95_ms", "my_cpu_ms", "ask_cpu_ms", "peak_rss_mb"):
            figures[f"{key}_ratio"] = (
                round(figures[key] / figures[f"baseline_{key}"], 3)
                if figures[f"baseline_{key}"]
                else 0.0
            )
    figures["bench_rss_mb"] = _peak_rss_mb()
    figures["load_average"] = round(os.getloadavg()[0], 2)
    return figures


def main(argv: list[str] | None = None) -> int:
    if argv is None and sys.argv[1:2] == ["--child"]:
        _child(*sys.argv[2:5])
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.query")
    parser.add_argument("--recommendations", type=int, default=200_000)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--baseline", default="")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", default="")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    figures = run(
        args.recommendations,
        args.documents,
        args.seed,
        args.samples,
        args.baseline,
        args.rounds,
        args.database,
    )
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    else:
        for key, value in figures.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

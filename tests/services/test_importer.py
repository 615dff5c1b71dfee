"""Import: the same content changes nothing; a corrected version updates in place."""

import asyncio
import copy
import json
import os
import sys

import pytest

from bot.importer import content_hash, document_json, document_key
from bot.ingest.parser import parse_resolution
from bot.paths import CONTENT_DIR, PROJECT_DIR
from bot.vocabulary import KINDS
from tests.conftest import ADMIN_ID

ORIGINAL = """РЕЗОЛЮЦИЯ круглого стола «НКО и власть»

12 марта 2024 г.                       г. Благовещенск

Участники круглого стола рекомендуют:

Правительству Амурской области:
1. Создать совет по делам НКО до 1 июня 2024 г.
2. Провести конкурс грантов для СО НКО в 2024 году.
3. Организовать обучение сотрудников ресурсных центров.

Общественной палате Амурской области:
1. Провести мониторинг исполнения рекомендаций.
"""

CORRECTED = (
    ORIGINAL.replace(
        "2. Провести конкурс грантов для СО НКО в 2024 году.",
        "2. Провести конкурс грантов для СО НКО и ТОС в 2024 году.",
    )
    .replace("3. Организовать обучение сотрудников ресурсных центров.\n", "")
    .replace(
        "1. Провести мониторинг исполнения рекомендаций.",
        "1. Провести мониторинг исполнения рекомендаций.\n2. Опубликовать доклад о мониторинге.",
    )
)

# A new item at the top (the others shift by one), two items reworded.
TWO_CHANGED_ONE_ADDED = (
    ORIGINAL.replace(
        "1. Создать совет по делам НКО до 1 июня 2024 г.",
        "1. Утвердить план поддержки НКО.\n2. Создать совет по делам НКО до 1 июня 2024 г.",
    )
    .replace("2. Провести конкурс грантов", "3. Провести расширенный конкурс грантов")
    .replace("3. Организовать обучение", "4. Организовать обучение")
    .replace("1. Провести мониторинг исполнения", "1. Провести ежегодный мониторинг исполнения")
)


async def test_same_content_twice_changes_nothing(services):
    parsed = parse_resolution(ORIGINAL, "r.txt")
    first = await services.importer.import_document(copy.deepcopy(parsed))
    again = await services.importer.import_document(parse_resolution(ORIGINAL, "другое-имя.txt"))
    assert first.outcome == "created" and again.outcome == "unchanged"
    assert again.document_id == first.document_id
    assert again.recommendation_ids == first.recommendation_ids
    assert again.addressee_ids == first.addressee_ids
    document = await services.documents.get(first.document_id)
    assert document.version == 1


async def test_corrected_version_updates_in_place_and_keeps_history(services):
    first = await services.importer.import_document(parse_resolution(ORIGINAL, "r.txt"))
    by_number = {r.number: r for r in await services.documents.recommendations(first.document_id)}
    kept, reworded, dropped = by_number["1.1"], by_number["1.2"], by_number["1.3"]
    await services.reporting.report_status(ADMIN_ID, reworded.id, "in_progress", "начали")

    corrected = parse_resolution(CORRECTED, "r-исправленная.txt")
    assert document_key(corrected) == document_key(parse_resolution(ORIGINAL, "r.txt"))
    assert content_hash(corrected) != content_hash(parse_resolution(ORIGINAL, "r.txt"))
    result = await services.importer.import_document(corrected)
    assert result.outcome == "updated" and result.document_id == first.document_id
    # 1.2 reworded; 2.1 only moved up a place, which is not a change
    assert (result.added, result.changed, result.removed) == (1, 1, 1)

    now = {r.number: r for r in await services.documents.recommendations(first.document_id)}
    assert now["1.1"].id == kept.id
    assert now["1.2"].id == reworded.id and "ТОС" in now["1.2"].text
    assert now["1.2"].status == "in_progress"  # the status survives the new wording
    assert len(await services.reporting.history(reworded.id)) == 1
    assert "1.3" not in now
    gone = await services.documents.get_recommendation(dropped.id)
    assert gone.removed  # kept for its history, hidden from lists
    assert (await services.documents.get(first.document_id)).version == 2


async def test_coordinator_deadline_survives_a_new_version(services):
    import datetime as dt

    first = await services.importer.import_document(parse_resolution(ORIGINAL, "r.txt"))
    rec = (await services.documents.recommendations(first.document_id))[0]
    await services.reporting.set_deadline(ADMIN_ID, rec.id, dt.date(2024, 12, 1))
    await services.importer.import_document(parse_resolution(CORRECTED, "r2.txt"))
    assert (await services.documents.get_recommendation(rec.id)).deadline == "2024-12-01"


def test_document_json_shape(parsed_seeds):
    for parsed in parsed_seeds:
        data = document_json(parsed)
        assert set(data) >= {
            "source",
            "title",
            "date",
            "place",
            "region",
            "addressees",
            "recommendations",
            "warnings",
        }
        ids = {a["id"] for a in data["addressees"]}
        assert all(a["kind"] in KINDS for a in data["addressees"])
        for rec in data["recommendations"]:
            assert set(rec) >= {"id", "number", "addressee_ids", "text", "deadline", "mentions"}
            assert set(rec["addressee_ids"]) <= ids
            if rec["deadline"]:
                assert rec["deadline"]["precision"] in {"day", "month", "year"}
        json.dumps(data, ensure_ascii=False)


@pytest.mark.slow  # runs `python -m bot import` as a separate process
async def test_cli_import_json_then_unchanged(tmp_path):
    env = {**os.environ, "DATABASE_PATH": str(tmp_path / "cli.sqlite3")}
    env.pop("BOT_TOKEN", None)
    seed = next((CONTENT_DIR / "resolutions").glob("003_*.txt"))

    async def run(*args):
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "import",
            *args,
            cwd=str(PROJECT_DIR),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        return proc.returncode, out.decode(), err.decode()

    code, out, _ = await run(str(seed), "--json")
    assert code == 0
    first = json.loads(out.strip().splitlines()[-1])
    assert first["source"] == seed.name and first["outcome"] == "created"
    assert first["region"] == "Камчатский край" and first["date"] == "2017-02-17"
    code, out, _ = await run(str(seed), "--json")
    second = json.loads(out.strip().splitlines()[-1])
    assert second["outcome"] == "unchanged"
    assert [r["id"] for r in second["recommendations"]] == [
        r["id"] for r in first["recommendations"]
    ]
    bad = tmp_path / "bad.exe"
    bad.write_bytes(b"MZ\x00\x01")
    code, out, err = await run(str(bad), "--dry-run")
    assert code == 1 and "bad.exe" in err and "Traceback" not in err


async def test_changes_are_counted_by_content_not_by_position(services):
    """Two reworded items and one new item at the top: изменено — 2, добавлено — 1."""
    first = await services.importer.import_document(parse_resolution(ORIGINAL, "r.txt"))
    version = TWO_CHANGED_ONE_ADDED
    result = await services.importer.import_document(parse_resolution(version, "r2.txt"))
    assert result.document_id == first.document_id
    assert (result.added, result.changed, result.removed) == (1, 2, 0)


def _resolution(title: str, items: int, reworded: int = 0) -> str:
    """A resolution with ``items`` items for two addressees; the first ``reworded`` reworded."""
    lines = [f"РЕЗОЛЮЦИЯ круглого стола «{title}»", "", "12 марта 2024 г.    г. Благовещенск", ""]
    lines += ["Участники круглого стола рекомендуют:", "", "Правительству Амурской области:"]
    for i in range(1, items + 1):
        verb = "Незамедлительно провести" if i <= reworded else "Провести"
        lines.append(f"{i}. {verb} совещание номер {i} о поддержке НКО в районе {i}.")
    lines += ["", "Общественной палате Амурской области:", "1. Провести мониторинг.", ""]
    return "\n".join(lines)


class _Trips:
    """Counts the statements a service sends to the database connection (one trip each)."""

    def __init__(self, db, monkeypatch):
        self.count = 0
        for name in ("execute", "execute_rowcount", "executemany", "fetchone", "fetchall"):
            monkeypatch.setattr(db, name, self._counting(getattr(db, name)))

    def _counting(self, method):
        async def call(*args, **kwargs):
            self.count += 1
            return await method(*args, **kwargs)

        return call

    async def of(self, work):
        before = self.count
        result = await work
        return result, self.count - before


async def test_database_trips_do_not_grow_with_the_number_of_items(services, monkeypatch):
    """An import is a few statements per table, not a few per item (issue 15, aim 5)."""
    trips = _Trips(services.db, monkeypatch)
    importer = services.importer
    small, small_trips = await trips.of(
        importer.import_document(parse_resolution(_resolution("Малый", 3), "a.txt"))
    )
    big, big_trips = await trips.of(
        importer.import_document(parse_resolution(_resolution("Большой", 40), "b.txt"))
    )
    assert (len(small.recommendation_ids), len(big.recommendation_ids)) == (4, 41)
    assert big_trips == small_trips
    changed, changed_trips = await trips.of(
        importer.import_document(parse_resolution(_resolution("Большой", 38, 20), "c.txt"))
    )
    assert (changed.outcome, changed.changed, changed.removed) == ("updated", 20, 2)
    kept = [*big.recommendation_ids[20:38], big.recommendation_ids[-1]]
    assert changed.recommendation_ids[20:] == kept
    small_changed, small_changed_trips = await trips.of(
        importer.import_document(parse_resolution(_resolution("Малый", 2, 1), "d.txt"))
    )
    assert (small_changed.changed, small_changed.removed) == (1, 1)
    assert changed_trips == small_changed_trips


def test_stored_parse_and_hash_are_those_of_asdict(parsed_seeds):
    """The stored JSON and the content hash stay byte for byte what they were, so a re-import
    of an unchanged document into an existing database still changes nothing."""
    import hashlib
    from dataclasses import asdict

    from bot.importer import parsed_to_dict

    for parsed in parsed_seeds:
        reference = json.loads(json.dumps(asdict(parsed), default=str, ensure_ascii=False))
        assert parsed_to_dict(parsed) == reference
        reference.pop("source")
        digest = hashlib.sha256(json.dumps(reference, sort_keys=True).encode()).hexdigest()
        assert content_hash(parsed) == digest

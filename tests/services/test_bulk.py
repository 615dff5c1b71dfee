"""Bulk updates from the XLSX of /report: preview, conflicts, invalid rows, all or nothing."""

from __future__ import annotations

import io

import pytest

from bot.access import PermissionDenied
from bot.bulk import BulkError, PlanChanged
from bot.exports import COLUMNS
from storage.exports import Scope
from tests.services.conftest import AMUR, COORD, KAMCHATKA_COORD, OFFICIAL

STATUS = COLUMNS.index("status") + 1
COMMENT = COLUMNS.index("comment") + 1
ID = COLUMNS.index("id") + 1


async def export(services, scope=None) -> bytes:
    report = await services.reports.export(COORD, scope or Scope(AMUR), "xlsx")
    return report.data


def edit(data: bytes, texts, changes: dict[int, tuple[str | None, str | None]]) -> bytes:
    """Fill «Статус»/«Комментарий» of the rows whose id is a key, as a person would in Excel."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    ws = wb[texts.plain("reports.file.sheet_items")]
    for row in range(2, ws.max_row + 1):
        rec_id = ws.cell(row=row, column=ID).value
        if rec_id in changes:
            status, comment = changes[rec_id]
            if status is not None:
                ws.cell(row=row, column=STATUS).value = status
            if comment is not None:
                ws.cell(row=row, column=COMMENT).value = comment
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row_of(data: bytes, texts, rec_id: int) -> int:
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(data))[texts.plain("reports.file.sheet_items")]
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=ID).value == rec_id)


async def region_ids(services) -> list[int]:
    rows = await services.db.fetchall(
        "SELECT r.id FROM recommendations r JOIN documents d ON d.id = r.document_id"
        " WHERE d.region = ? AND r.removed = 0 ORDER BY r.id",
        (AMUR,),
    )
    return [r[0] for r in rows]


async def history_count(services) -> int:
    return await services.db.fetchval("SELECT count(*) FROM history")


async def test_fifty_letters_in_one_upload(services, report_world):
    texts = services.texts
    data = await export(services)
    ids = [
        i
        for i in await region_ids(services)
        if i not in (report_world["first"], report_world["second"])
    ][:50]
    assert len(ids) == 50
    done = texts.plain("status.done")
    filled = edit(data, texts, {i: (done.upper(), f"Письмо № {n}") for n, i in enumerate(ids)})
    await services.reporting.follow(OFFICIAL, ids[0], True)
    before = await history_count(services)

    plan = await services.bulk.plan(COORD, filled, "report_world.xlsx")
    assert plan.issues == [] and plan.conflicts == []
    assert len(plan.changes) == 50
    assert {c.new for c in plan.changes} == {"done"}
    applied = await services.bulk.apply(COORD, filled, "report_world.xlsx", plan.digest, False)
    assert len(applied.changes) == 50

    statuses = await services.db.fetchall(
        f"SELECT status FROM recommendations WHERE id IN ({', '.join('?' * 50)})", ids
    )
    assert {r[0] for r in statuses} == {"done"}
    assert await history_count(services) == before + 50
    entry = (await services.reporting.history(ids[0]))[-1]
    assert (entry.basis, entry.actor_role, entry.comment) == (
        "spreadsheet",
        "coordinator",
        "Письмо № 0",
    )
    # The follower hears of it as of any report.
    notices = await services.db.fetchval(
        "SELECT count(*) FROM outbox WHERE recipient_id = ? AND kind = 'notice'", (OFFICIAL,)
    )
    assert notices == 1


async def test_invalid_rows_are_listed_and_nothing_is_applied(services, report_world):
    from openpyxl import load_workbook

    texts = services.texts
    data = await export(services)
    ids = await region_ids(services)
    filled = edit(
        data,
        texts,
        {
            ids[0]: ("Сделали почти всё", None),  # unknown status
            ids[1]: (texts.plain("status.done"), None),  # fine on its own
            ids[2]: (texts.plain("status.wont_do"), None),  # no reason
        },
    )
    wb = load_workbook(io.BytesIO(filled))
    ws = wb[texts.plain("reports.file.sheet_items")]
    ws.append([999999, "not_started", "", "1", "", "", "", "", texts.plain("status.done")])
    ws.append(["абв", "", "", "", "", "", "", "", texts.plain("status.done")])
    kamchatka = await services.db.fetchval(
        "SELECT r.id FROM recommendations r JOIN documents d ON d.id = r.document_id"
        " WHERE d.region = 'Камчатский край' LIMIT 1"
    )
    ws.append([kamchatka, "not_started", "", "1", "", "", "", "", texts.plain("status.done")])
    out = io.BytesIO()
    wb.save(out)
    last = ws.max_row
    before = await history_count(services)

    plan = await services.bulk.plan(COORD, out.getvalue(), "report_world.xlsx")
    found = {(i.row, i.key) for i in plan.issues}
    assert found == {
        (row_of(filled, texts, ids[0]), "reports.bulk.error_unknown_status"),
        (row_of(filled, texts, ids[2]), "reports.bulk.error_reason_required"),
        (last - 2, "reports.bulk.error_missing"),
        (last - 1, "reports.bulk.error_not_a_number"),
        (last, "reports.bulk.error_other_region"),
    }
    with pytest.raises(PlanChanged):
        await services.bulk.apply(COORD, out.getvalue(), "report_world.xlsx", plan.digest, True)
    assert await history_count(services) == before
    assert (await services.documents.get_recommendation(ids[1])).status == "not_started"


async def test_a_status_changed_after_the_export_is_a_conflict(services, report_world):
    texts = services.texts
    data = await export(services)
    ids = [
        i
        for i in await region_ids(services)
        if i not in (report_world["first"], report_world["second"])
    ]
    gov_item = report_world["first"]  # the official's item: they report after the export
    services.clock.move(minutes=5)
    await services.reporting.report_status(OFFICIAL, gov_item, "done", "Сделано")
    filled = edit(
        data,
        texts,
        {
            gov_item: (texts.plain("status.partially_done"), "по письму"),
            ids[0]: (texts.plain("status.in_progress"), None),
        },
    )
    plan = await services.bulk.plan(COORD, filled, "report_world.xlsx")
    assert [c.recommendation_id for c in plan.conflicts] == [gov_item]
    assert plan.conflicts[0].current == "done"
    assert [c.recommendation_id for c in plan.clean] == [ids[0]]
    await services.bulk.apply(COORD, filled, "report_world.xlsx", plan.digest, False)
    assert (await services.documents.get_recommendation(gov_item)).status == "done"
    assert (await services.documents.get_recommendation(ids[0])).status == "in_progress"


async def test_all_or_nothing_when_one_row_fails_inside_the_transaction(services, report_world):
    texts = services.texts
    data = await export(services)
    ids = [
        i
        for i in await region_ids(services)
        if i not in (report_world["first"], report_world["second"])
    ][:3]
    filled = edit(data, texts, {i: (texts.plain("status.in_progress"), None) for i in ids})
    plan = await services.bulk.plan(COORD, filled, "report_world.xlsx")
    before = await history_count(services)
    # Between the preview and «Применить» someone reports on the last row.
    original = services.bulk.plan

    async def plan_then_race(actor, data, name):
        result = await original(actor, data, name)
        services.bulk.plan = original
        await services.reporting.report_status(COORD, ids[-1], "done", "Успели раньше")
        return result

    services.bulk.plan = plan_then_race
    with pytest.raises(PlanChanged) as raised:
        await services.bulk.apply(COORD, filled, "report_world.xlsx", plan.digest, False)
    assert await history_count(services) == before + 1  # only the racing report
    assert [(await services.documents.get_recommendation(i)).status for i in ids] == [
        "not_started",
        "not_started",
        "done",
    ]
    assert [c.recommendation_id for c in raised.value.plan.conflicts] == [ids[-1]]


async def test_a_file_that_is_not_a_report(services, report_world):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["Название", "Статус"])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(BulkError) as raised:
        await services.bulk.plan(COORD, out.getvalue(), "list.xlsx")
    assert raised.value.key == "reports.bulk.not_ours"
    with pytest.raises(BulkError) as raised:
        await services.bulk.plan(COORD, b"PK\x03\x04 not a zip", "broken.xlsx")
    assert raised.value.key == "reports.bulk.unreadable"


async def test_only_coordinators_update_in_bulk(services, report_world):
    data = edit(await export(services), services.texts, {})
    with pytest.raises(PermissionDenied):
        await services.bulk.plan(OFFICIAL, data, "report_world.xlsx")
    plan = await services.bulk.plan(
        KAMCHATKA_COORD,
        edit(
            await export(services),
            services.texts,
            {(await region_ids(services))[0]: (services.texts.plain("status.done"), None)},
        ),
        "report_world.xlsx",
    )
    assert [i.key for i in plan.issues] == ["reports.bulk.error_other_region"]
    assert plan.changes == []


async def test_hostile_spreadsheets_are_refused_before_openpyxl(services, report_world):
    import zipfile

    from bot.bulk import read_sheet
    from bot.ingest.extract import DocumentError
    from bot.ingest.guard import ParseLimits

    data = await export(services)
    with pytest.raises(DocumentError) as raised:
        read_sheet(data, services.texts, ParseLimits(max_parts=3))
    assert raised.value.key == "documents.refused.xlsx_parts"
    with pytest.raises(DocumentError) as raised:
        read_sheet(data, services.texts, ParseLimits(max_unpacked_bytes=1000))
    assert raised.value.key == "documents.refused.xlsx_unpacked"

    # An entity definition hidden in a part: refused, never parsed.
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = source.read(item)
            if item.filename == "xl/workbook.xml":
                body = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + body
            target.writestr(item, body)
    with pytest.raises(BulkError) as bulk:
        await services.bulk.plan(COORD, out.getvalue(), "evil.xlsx")
    assert bulk.value.key == "reports.bulk.unreadable"
    assert bulk.value.params["reason"] == services.texts.plain("documents.refused.xlsx_dtd")

"""/report as a service: real files built, then opened again with the libraries that read them."""

from __future__ import annotations

import csv
import io

import pytest

from bot.access import PermissionDenied
from bot.exports import COLUMNS
from bot.progress import addressee_summary
from storage.exports import Scope
from tests.conftest import ADMIN_ID
from tests.services.conftest import AMUR, COORD, GOVERNMENT, KAMCHATKA_COORD, MEMBER, OFFICIAL


def col(name: str) -> int:
    return COLUMNS.index(name)


async def test_xlsx_has_one_row_per_item_a_summary_and_what_brings_it_back(services, report_world):
    from openpyxl import load_workbook

    texts = services.texts
    scope = await services.reports.scope_for(COORD, AMUR, report_world["document"])
    report = await services.reports.export(COORD, scope, "xlsx")
    assert report.name.endswith(".xlsx") and report.total == 61

    wb = load_workbook(io.BytesIO(report.data))
    items, summary, info = (
        wb[texts.plain(f"reports.file.sheet_{s}")] for s in ("items", "summary", "info")
    )
    rows = list(items.iter_rows(values_only=True))
    assert list(rows[0]) == [texts.plain(f"reports.file.col_{c}") for c in COLUMNS]
    assert len(rows) == 62
    assert items.freeze_panes == "A2"
    assert items.auto_filter.ref == f"A1:P{62}"
    assert items.column_dimensions["A"].hidden and items.column_dimensions["B"].hidden
    by_id = {r[col("id")]: r for r in rows[1:]}
    assert len(by_id) == 61
    reported = by_id[report_world["first"]]
    assert reported[col("status")] == texts.plain("status.in_progress")
    assert reported[col("exported")] == "in_progress"
    assert reported[col("done")] == "Создана рабочая группа"
    assert (reported[col("agree")], reported[col("disagree")]) == (0, 1)
    assert reported[col("last_report")].date().isoformat() == "2026-03-02"
    assert GOVERNMENT in reported[col("addressee")]
    commented = by_id[report_world["second"]]
    # A comment is a report: no longer «нет данных», and still «Не начато».
    assert commented[col("status")] == texts.plain("status.not_started")
    assert commented[col("evidence")] == "https://example.org/plan"
    # Text a person typed stays text, never a formula.
    row_number = 2 + list(by_id).index(report_world["second"])
    cell = items.cell(row=row_number, column=col("done") + 1)
    assert cell.value == "=1+1 план" and cell.data_type == "s"
    untouched = [
        r for r in rows[1:] if r[col("id")] not in (report_world["first"], report_world["second"])
    ]
    assert {r[col("status")] for r in untouched} == {texts.plain("reports.file.no_data")}

    sums = list(summary.iter_rows(values_only=True))
    head = sums[0]
    government = next(r for r in sums if r[0] == GOVERNMENT)
    line = dict(zip(head, government, strict=True))
    assert line[texts.plain("reports.file.sum_in_progress")] == 1
    assert line[texts.plain("reports.file.sum_not_started")] == 1
    assert line[texts.plain("reports.file.sum_percent")] == 0  # reported, nothing done yet
    silent = next(r for r in sums[1:-1] if r[0] != GOVERNMENT)
    assert dict(zip(head, silent, strict=True))[texts.plain("reports.file.sum_percent")] is None
    assert sums[-1][0] == texts.plain("reports.file.sum_all") and sums[-1][1] == 61

    values = dict(info.iter_rows(values_only=True))
    assert values[texts.plain("reports.file.info_exported_at")] == services.clock.iso()


async def test_whole_region_and_one_addressee(services, report_world):
    from openpyxl import load_workbook

    region = await services.reports.export(COORD, Scope(AMUR), "xlsx")
    body = await services.reports.export(COORD, Scope(AMUR, addressee=GOVERNMENT), "xlsx")
    count = await services.db.fetchval(
        "SELECT count(*) FROM recommendations r JOIN documents d ON d.id = r.document_id"
        " WHERE d.region = ? AND r.removed = 0",
        (AMUR,),
    )
    assert region.total == count
    rows = list(load_workbook(io.BytesIO(body.data)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) - 1 == body.total < region.total
    assert all(GOVERNMENT in r[col("addressee")] for r in rows[1:])


async def test_pages_walk_every_item_once_in_small_pages(services, report_world):
    scope = Scope(AMUR, report_world["document"])
    seen = []
    async for page in services.reports.exports.pages(scope, size=7):
        assert len(page) <= 7
        seen.extend(r.id for r in page)
    assert len(seen) == len(set(seen)) == 61


async def test_docx_is_the_chambers_document(services, report_world):
    from docx import Document

    texts = services.texts
    scope = await services.reports.scope_for(COORD, AMUR, report_world["document"])
    report = await services.reports.export(COORD, scope, "docx")
    doc = Document(io.BytesIO(report.data))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == texts.plain("reports.file.title")
    assert any("2015" in p for p in paragraphs[1:3])  # the resolution's title and date
    assert GOVERNMENT in paragraphs
    summary = doc.tables[0]
    assert summary.rows[0].cells[0].text == texts.plain("reports.file.sum_addressee")
    assert summary.rows[-1].cells[0].text == texts.plain("reports.file.sum_all")
    assert summary.rows[-1].cells[1].text == "61"
    # The item reported on is in the table right under its addressee's heading.
    heading, under = None, None
    for element in doc.element.body.iterchildren():
        if element.tag.endswith("}p"):
            heading = "".join(t.text or "" for t in element.iter() if t.tag.endswith("}t"))
        elif element.tag.endswith("}tbl"):
            text = "".join(t.text or "" for t in element.iter() if t.tag.endswith("}t"))
            if "Создана рабочая группа" in text:
                under = heading
    assert under == GOVERNMENT


async def test_csv_opens_in_a_russian_excel(services, report_world):
    scope = await services.reports.scope_for(COORD, AMUR, report_world["document"])
    report = await services.reports.export(COORD, scope, "csv")
    assert report.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(report.data.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 62
    assert rows[0][col("status")] == services.texts.plain("reports.file.col_status")
    second = next(r for r in rows[1:] if r[col("id")] == str(report_world["second"]))
    assert second[col("done")].startswith("'=1+1")  # not a formula in a spreadsheet


async def test_png_chart(services, report_world):
    from PIL import Image

    scope = await services.reports.scope_for(COORD, AMUR, report_world["document"])
    report = await services.reports.export(COORD, scope, "png")
    image = Image.open(io.BytesIO(report.data))
    assert image.format == "PNG" and image.width >= 800 and image.height >= 200
    assert "0 из 61" in report.caption and "59" in report.caption


async def test_percent_is_hidden_without_data(services, report_world):
    summary = await addressee_summary(
        services.reports.progress_repo, AMUR, services.clock.now().date(), report_world["document"]
    )
    government = next(b for b in summary.bodies if b.name == GOVERNMENT)
    assert government.counts.percent_done == 0
    assert any(b.counts.percent_done is None for b in summary.bodies)
    assert summary.whole.total == 61
    assert summary.whole.by_state["no_data"] == 59


@pytest.mark.parametrize("actor", [MEMBER, OFFICIAL, KAMCHATKA_COORD])
async def test_only_coordinators_of_the_region_export(services, report_world, actor):
    with pytest.raises(PermissionDenied):
        await services.reports.export(actor, Scope(AMUR), "csv")
    with pytest.raises(PermissionDenied):
        await services.reports.scope_for(actor, AMUR, report_world["document"])


async def test_admin_exports_any_region(services, report_world):
    report = await services.reports.export(ADMIN_ID, Scope(AMUR), "csv")
    assert report.total > 0


async def test_command_line_report(settings, services, report_world, tmp_path, capsys):
    from openpyxl import load_workbook

    from bot.cli import build_parser

    parser, commands = build_parser()
    out = tmp_path / "out" / "report_world.xlsx"
    args = parser.parse_args(
        [
            "report",
            "--region",
            "амурская обл",
            "--resolution",
            str(report_world["document"]),
            "--addressee",
            "правительство обл",
            "--format",
            "xlsx",
            "--out",
            str(out),
        ]
    )
    assert await commands["report"](args, settings) == 0
    printed = capsys.readouterr().out
    rows = list(load_workbook(out).worksheets[0].iter_rows(values_only=True))[1:]
    assert rows and all(GOVERNMENT in r[col("addressee")] for r in rows)
    assert f"{len(rows)} рекомендац" in printed
    assert not list(out.parent.glob("*.part"))

    args = parser.parse_args(
        [
            "report",
            "--region",
            AMUR,
            "--addressee",
            "нет такого органа",
            "--format",
            "csv",
            "--out",
            str(tmp_path / "x.csv"),
        ]
    )
    assert await commands["report"](args, settings) == 1
    assert "не найден" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


async def test_a_status_from_a_letter_reaches_every_file(services, report_world):
    """«по письму № … от …»: the letter is the row's evidence and its date the report's date,
    a scan or not; the comment stays what was done."""
    import datetime as dt

    from docx import Document
    from openpyxl import load_workbook

    from bot.reporting import Letter
    from tests.texts import plain

    items = await services.progress.items(
        COORD, report_world["document"], "all", report_world["government"], limit=50
    )
    with_comment, bare = items.items[2].id, items.items[3].id
    letter = Letter("01-12/345", dt.date(2026, 2, 20))
    await services.reporting.report_status(
        COORD, with_comment, "done", "Программа принята", None, letter
    )
    await services.reporting.report_status(
        COORD, bare, "in_progress", None, None, Letter("7", dt.date(2026, 2, 21))
    )
    written = plain("reports.file.evidence_letter", number="01-12/345", date="20.02.2026")

    scope = await services.reports.scope_for(COORD, AMUR, report_world["document"])
    xlsx = await services.reports.export(COORD, scope, "xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.data)).worksheets[0].iter_rows(values_only=True))
    by_id = {r[col("id")]: r for r in rows[1:]}
    row = by_id[with_comment]
    assert row[col("evidence")] == written
    assert row[col("done")] == "Программа принята"
    assert row[col("last_report")].date() == dt.date(2026, 2, 20)  # the letter's, not typing's
    assert by_id[bare][col("evidence")] == plain(
        "reports.file.evidence_letter", number="7", date="21.02.2026"
    )
    assert by_id[bare][col("last_report")].date() == dt.date(2026, 2, 21)

    report = await services.reports.export(COORD, scope, "csv")
    lines = list(csv.reader(io.StringIO(report.data.decode("utf-8-sig")), delimiter=";"))
    assert next(r for r in lines if r[col("id")] == str(with_comment))[col("evidence")] == written

    docx = Document(io.BytesIO((await services.reports.export(COORD, scope, "docx")).data))
    cells = [c.text for t in docx.tables[1:] for r in t.rows for c in r.cells]
    assert any(written in c and "Программа принята" in c for c in cells)


async def test_the_xlsx_fallback_writes_the_same_workbook_as_the_fast_path(
    services, report_world, monkeypatch
):
    """The item rows' fast writer hooks openpyxl internals; without them (here: no lxml to
    build rows with) the public path writes them.  Both read back the same, cell by cell:
    values, types (text typed «=…» stays text) and the dates' format."""
    import sys

    from openpyxl import load_workbook

    from bot import exports

    taken: list[bool] = []
    fast_rows = exports._fast_rows

    def spy(sheet):
        taken.append(fast_rows(sheet))
        return taken[-1]

    monkeypatch.setattr(exports, "_fast_rows", spy)
    scope = await services.reports.scope_for(COORD, AMUR, report_world["document"])
    fast = await services.reports.export(COORD, scope, "xlsx")
    monkeypatch.setitem(sys.modules, "lxml.etree", None)  # the fast path's import fails
    slow = await services.reports.export(COORD, scope, "xlsx")
    assert taken == [True, False]

    def cells(data: bytes) -> dict[str, list[tuple]]:
        wb = load_workbook(io.BytesIO(data))
        return {
            sheet.title: [
                (c.coordinate, c.value, c.data_type, c.number_format)
                for row in sheet.iter_rows()
                for c in row
                if c.value is not None
            ]
            for sheet in wb.worksheets
        }

    read_fast, read_slow = cells(fast.data), cells(slow.data)
    assert read_fast == read_slow
    items = read_fast[services.texts.plain("reports.file.sheet_items")]
    assert len({coordinate[1:] for coordinate, *_ in items if coordinate[0] == "A"}) == 62
    assert any(kind == "d" and fmt == "DD.MM.YYYY" for _, _, kind, fmt in items)
    assert any(v == "=1+1 план" and kind == "s" for _, v, kind, _ in items)

"""/report and the bulk update through the real Dispatcher: buttons, files sent and sent back."""

from __future__ import annotations

import io

from bot.exports import COLUMNS
from bot.texts import Texts
from tests.conftest import ADMIN_ID
from tests.handlers.test_reporting import COORD, MEMBER, amur
from tests.texts import matches

__all__ = ["amur"]

TEXTS = Texts.load()


def t(key: str, **params) -> str:
    return TEXTS.plain(key, **params)


def sent_file(calls, method: str) -> tuple[str, bytes]:
    call = next(c for c in calls if c.method == method)
    [(name, data)] = call.files.items()
    return name, data


async def open_formats(harness, user_id: int):
    """/report → the resolution's button: the format screen (the first tap)."""
    calls = await harness.send(user_id, "/report")
    screen = calls[-1]
    assert screen.text == TEXTS("reports.pick_resolution", region="Амурская область")
    calls = await harness.press(user_id, screen, "СОНКО")
    return next(c for c in calls if c.method == "editMessageText")


async def test_a_spreadsheet_in_two_taps(harness, amur):
    from openpyxl import load_workbook

    formats = await open_formats(harness, COORD)
    assert "61 рекомендация" in formats.text
    calls = await harness.press(COORD, formats, t("reports.xlsx_button"))
    name, data = sent_file(calls, "sendDocument")
    assert name.endswith(".xlsx")
    rows = list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 62
    document = next(c for c in calls if c.method == "sendDocument")
    head, hint = document.params["caption"].split("\n\n")  # two sentences, a blank line apart
    assert hint == t("reports.xlsx_hint")
    assert head.endswith(" · 61 рекомендация")


async def test_docx_csv_and_a_chart(harness, amur):
    from docx import Document
    from PIL import Image

    formats = await open_formats(harness, COORD)
    calls = await harness.press(COORD, formats, t("reports.docx_button"))
    name, data = sent_file(calls, "sendDocument")
    assert name.endswith(".docx")
    assert Document(io.BytesIO(data)).paragraphs[0].text == t("reports.file.title")

    calls = await harness.press(COORD, formats, t("reports.csv_button"))
    name, data = sent_file(calls, "sendDocument")
    assert name.endswith(".csv") and data.startswith("\ufeff".encode())

    calls = await harness.press(COORD, formats, t("reports.png_button"))
    photo = next(c for c in calls if c.method == "sendPhoto")
    [(name, data)] = photo.files.items()
    assert Image.open(io.BytesIO(data)).format == "PNG"
    assert "из 61" in photo.params["caption"]


async def test_one_addressee(harness, amur):
    formats = await open_formats(harness, COORD)
    calls = await harness.press(COORD, formats, t("reports.by_addressee_button"))
    bodies = next(c for c in calls if c.method == "editMessageText")
    calls = await harness.press(COORD, bodies, "Правительство области")
    screen = next(c for c in calls if c.method == "editMessageText")
    assert "Правительство области" in screen.text
    calls = await harness.press(COORD, screen, t("reports.csv_button"))
    _, data = sent_file(calls, "sendDocument")
    lines = data.decode("utf-8-sig").strip().splitlines()
    assert 1 < len(lines) < 62
    assert all("Правительство области" in line for line in lines[1:])


async def test_members_are_refused_and_admins_pick_a_region(harness, amur):
    calls = await harness.send(MEMBER, "/report")
    assert calls[-1].text == TEXTS("access.coordinators_only")
    calls = await harness.send(ADMIN_ID, "/report")
    assert calls[-1].text == TEXTS("reports.pick_region")
    calls = await harness.press(ADMIN_ID, calls[-1], "Амурская область")
    screen = next(c for c in calls if c.method == "editMessageText")
    assert "Амурская область" in screen.text


async def test_a_forged_button_of_another_region_is_refused(harness, services, amur):
    from handlers.reports import ReportCallback, _key

    await harness.send(77, "/start")
    await harness.send(ADMIN_ID, "/coordinator 77 Камчатский край")
    amur_key = _key("Амурская область")
    for forged in (
        ReportCallback(a="fmt", r=amur_key, d=amur.document_id, f="xlsx"),
        ReportCallback(a="fmt", r=_key("Камчатский край"), d=amur.document_id, f="xlsx"),
        ReportCallback(a="fmt", r=amur_key, f="csv"),
    ):
        calls = await harness.click(77, forged.pack())
        assert not [c for c in calls if c.method in ("sendDocument", "sendPhoto")]
        answer = next(c for c in calls if c.method == "answerCallbackQuery")
        assert answer.params["text"] == t(
            "access.region_coordinators_only", region="Амурская область"
        )


def fill(data: bytes, statuses: dict[int, tuple[str, str]]) -> bytes:
    """Change «Статус» and «Комментарий» of rows 2, 3 … as a person would in Excel."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    for row, (status, comment) in statuses.items():
        ws.cell(row=row, column=COLUMNS.index("status") + 1).value = status
        ws.cell(row=row, column=COLUMNS.index("comment") + 1).value = comment
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


async def test_the_spreadsheet_comes_back_and_is_applied(harness, services, amur):
    formats = await open_formats(harness, COORD)
    calls = await harness.press(COORD, formats, t("reports.xlsx_button"))
    _, data = sent_file(calls, "sendDocument")
    done = t("status.done")
    filled = fill(data, {2: (done, "Письмо № 1"), 3: (done, "Письмо № 2"), 4: (done, "")})

    calls = await harness.send_document(COORD, filled, "amur.xlsx")
    preview = calls[-1]
    assert "строка 2" in preview.text and "строка 4" in preview.text
    assert t("reports.bulk.apply_button", n=3) in [b for b, _ in preview.buttons()]
    before = await services.db.fetchval("SELECT count(*) FROM recommendations WHERE status='done'")
    calls = await harness.press(COORD, preview, t("reports.bulk.apply_button", n=3))
    assert any(TEXTS("reports.bulk.applied", n=3, name="amur.xlsx") == c.text for c in calls)
    after = await services.db.fetchval("SELECT count(*) FROM recommendations WHERE status='done'")
    assert after == before + 3
    # A second tap on the same preview does nothing more.
    calls = await harness.press(COORD, preview, t("reports.bulk.apply_button", n=3))
    assert (
        await services.db.fetchval("SELECT count(*) FROM recommendations WHERE status='done'")
        == after
    )


async def test_bad_rows_are_listed_and_nothing_changes(harness, services, amur):
    formats = await open_formats(harness, COORD)
    calls = await harness.press(COORD, formats, t("reports.xlsx_button"))
    _, data = sent_file(calls, "sendDocument")
    filled = fill(data, {2: (t("status.done"), ""), 5: ("почти готово", "")})
    calls = await harness.send_document(COORD, filled, "amur.xlsx")
    assert "строка 5" in calls[-1].text and "почти готово" in calls[-1].text
    assert calls[-1].buttons() == []
    assert (
        await services.db.fetchval("SELECT count(*) FROM recommendations WHERE status='done'") == 0
    )


async def test_a_csv_sent_back_is_answered_with_the_excel_hint(harness, amur):
    calls = await harness.send_document(COORD, "\ufeffКод;Статус\n1;Выполнено\n".encode(), "r.csv")
    assert calls[-1].text == TEXTS("reports.bulk.csv_back", name="r.csv")
    calls = await harness.send_document(MEMBER, b"a;b\n", "r.csv")
    assert calls[-1].text == TEXTS("documents.bad_type", name="r.csv")


async def test_an_xlsx_from_a_member_is_not_read(harness, amur):
    calls = await harness.send_document(MEMBER, b"PK\x03\x04", "table.xlsx")
    assert calls[-1].text == TEXTS("documents.bad_type", name="table.xlsx")


def cell(data: bytes, row: int, column: str):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data)).worksheets[0].cell(row, COLUMNS.index(column) + 1).value


async def test_the_preview_says_no_data_for_an_item_nobody_reported_on(harness, amur):
    formats = await open_formats(harness, COORD)
    calls = await harness.press(COORD, formats, t("reports.xlsx_button"))
    _, data = sent_file(calls, "sendDocument")
    filled = fill(data, {2: (t("status.in_progress"), "")})
    preview = (await harness.send_document(COORD, filled, "amur.xlsx"))[-1]
    old, new = t("reports.file.sum_no_data"), t("status.in_progress")
    assert matches("reports.bulk.change_line", row=2, old=old, new=new).within(preview.text)


async def test_no_data_cannot_be_put_back_on_an_item_with_reports(harness, services, amur):
    formats = await open_formats(harness, COORD)
    calls = await harness.press(COORD, formats, t("reports.xlsx_button"))
    _, data = sent_file(calls, "sendDocument")
    rec_id = int(cell(data, 2, "id"))
    await services.reporting.comment(ADMIN_ID, rec_id, "Начнём в апреле")
    calls = await harness.press(COORD, formats, t("reports.xlsx_button"))
    _, data = sent_file(calls, "sendDocument")
    filled = fill(data, {2: (t("reports.file.no_data"), "")})
    text = (await harness.send_document(COORD, filled, "amur.xlsx"))[-1].text
    assert matches("reports.bulk.error_no_data_back", row=2).within(text)
    assert not matches("reports.bulk.error_unknown_status").within(text)

"""The public page: regions → resolutions → recommendations; escaped, paginated, no names."""

from __future__ import annotations

from urllib.parse import quote

from bot.public import PAGE_SIZE, public_region_url
from bot.settings import Settings
from tests.conftest import ADMIN_ID
from tests.web.helpers import make_document

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


async def test_index_region_resolution_and_recommendation_pages(client, services):
    doc_id, (body_id,), (rec_id,) = await make_document(services, title="Резолюция форума СОНКО")
    index = await client.get("/")
    assert index.status == 200
    html = await index.text()
    assert '<meta name="viewport"' in html and "Амурская область" in html
    assert f'href="/r/{quote("Амурская область", safe="")}"' in html

    region = await client.get(f"/r/{quote('Амурская область', safe='')}")
    assert region.status == 200
    html = await region.text()
    assert f'href="/d/{doc_id}"' in html and "Резолюция форума СОНКО" in html

    resolution = await client.get(f"/d/{doc_id}")
    html = await resolution.text()
    assert "Правительство Амурской области" in html  # progress by addressee
    assert f"/calendar/addressee/{body_id}.ics" in html and f'href="/rec/{rec_id}"' in html

    page = await client.get(f"/rec/{rec_id}")
    html = await page.text()
    assert "Разработать программу поддержки НКО." in html
    assert services.texts.plain("reports.file.sum_no_data") in html  # nobody reported yet
    assert "31 декабря 2026 г." in html


async def test_an_item_nobody_reported_on_reads_no_data_not_not_started(client, services):
    doc_id, _, (rec_id,) = await make_document(services)
    no_data = services.texts.plain("reports.file.sum_no_data")
    not_started = services.texts.plain("status.not_started")
    for path in (f"/d/{doc_id}", f"/rec/{rec_id}"):
        html = await (await client.get(path)).text()
        assert f'<span class="badge no_data">{no_data}</span>' in html, path
        assert f'<span class="badge not_started">{not_started}</span>' not in html, path
    await services.reporting.comment(ADMIN_ID, rec_id, "Начнём в апреле")
    for path in (f"/d/{doc_id}", f"/rec/{rec_id}"):
        html = await (await client.get(path)).text()
        assert f'<span class="badge not_started">{not_started}</span>' in html, path


async def test_hostile_document_text_is_escaped(client, services):
    doc_id, _, (rec_id,) = await make_document(
        services,
        title=f"Резолюция {HOSTILE}",
        items=[f"Текст {HOSTILE}"],
        addressees=(f"Орган {HOSTILE}",),
    )
    for path in (f"/r/{quote('Амурская область', safe='')}", f"/d/{doc_id}", f"/rec/{rec_id}"):
        html = await (await client.get(path)).text()
        assert "<script>" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;" in html, path
    security = (await client.get(f"/rec/{rec_id}")).headers["Content-Security-Policy"]
    assert "default-src 'none'" in security and "script-src" not in security


async def test_history_names_the_organization_never_the_person(client, services, harness):
    _, (body_id,), (rec_id,) = await make_document(services)
    await harness.send(ADMIN_ID, "/start")
    await services.db.execute(
        "INSERT INTO users (id, first_name, last_name, username, created_at, updated_at)"
        " VALUES (424242, 'Иннокентий', 'Смоктуновский', 'kesha', ?, ?)",
        ("2026-01-01T00:00:00+00:00",) * 2,
    )
    await services.reporting.reporting.bind_official(424242, body_id, None, services.clock.iso())
    await services.reporting.report_status(424242, rec_id, "in_progress", "Начали работу")
    await services.reporting.comment(ADMIN_ID, rec_id, "Проверено")
    html = await (await client.get(f"/rec/{rec_id}")).text()
    assert "Начали работу" in html and "Проверено" in html
    assert "представитель Правительства Амурской области" in html
    for personal in ("Иннокентий", "Смоктуновский", "kesha", "424242", "Анна"):
        assert personal not in html, personal


async def test_pages_of_a_long_resolution(client, services):
    items = [f"Рекомендация номер {i}." for i in range(1, PAGE_SIZE * 2 + 6)]
    doc_id, (body_id,), _ = await make_document(services, items=items)
    first = await (await client.get(f"/d/{doc_id}")).text()
    assert "Рекомендация номер 1." in first and f"Рекомендация номер {PAGE_SIZE + 1}." not in first
    assert "Страница 1 из 3" in first and f'href="/d/{doc_id}?page=2"' in first
    third = await (await client.get(f"/d/{doc_id}?page=3")).text()
    assert (
        f"Рекомендация номер {PAGE_SIZE * 2 + 5}." in third and "Рекомендация номер 1." not in third
    )
    # A page past the end shows the last one; a filter by addressee keeps its pages.
    assert "Страница 3 из 3" in await (await client.get(f"/d/{doc_id}?page=99")).text()
    filtered = await (await client.get(f"/d/{doc_id}?a={body_id}")).text()
    assert f'href="/d/{doc_id}?a={body_id}&amp;page=2"' in filtered


async def test_missing_pages_are_russian_404s(client, services):
    await make_document(services)
    for path in (
        "/r/" + quote("Нарния", safe=""),
        "/r/" + quote("Тверская область", safe=""),  # a region without resolutions
        "/d/999999",
        "/d/abc",
        "/rec/999999",
        "/calendar/addressee/999999.ics",
        "/calendar/region/" + quote("Нарния", safe="") + ".ics",
        "/nothing-here",
    ):
        response = await client.get(path)
        assert response.status == 404, path
        html = await response.text()
        assert (
            services.texts.plain("web.not_found_title") in html
            or services.texts.plain("web.no_region_title") in html
        ), path


def test_public_region_url_only_when_the_page_is_on(settings):
    assert public_region_url(settings, "Амурская область") == (
        "http://tracker.test/r/%D0%90%D0%BC%D1%83%D1%80%D1%81%D0%BA%D0%B0%D1%8F%20"
        "%D0%BE%D0%B1%D0%BB%D0%B0%D1%81%D1%82%D1%8C"
    )
    off = Settings(_env_file=None, public_url="http://tracker.test")
    assert public_region_url(off, "Амурская область") is None


async def test_a_file_in_the_history_is_mentioned_without_its_name(client, services, harness):
    """File names often carry a person's surname: the public page says a file is attached."""
    from bot.reporting import Evidence

    _, _, (rec_id,) = await make_document(services)
    await harness.send(ADMIN_ID, "/start")
    scan = Evidence("document", "file-1", "Письмо_Иванова.pdf")
    await services.reporting.comment(ADMIN_ID, rec_id, "Ответ получен", scan)
    html = await (await client.get(f"/rec/{rec_id}")).text()
    assert "Ответ получен" in html and services.texts.plain("history.evidence_file_public") in html
    assert "Иванова" not in html


async def test_one_percent_done_on_the_page_the_table_and_the_chart(client, services, harness):
    """Done over the items with reports — the same figure, with the same words, everywhere."""
    import io

    from openpyxl import load_workbook

    from storage.exports import Scope
    from tests.texts import expect, plain

    doc_id, (body_id,), recs = await make_document(
        services, items=[f"Рекомендация {i}." for i in range(1, 11)]
    )
    await harness.send(ADMIN_ID, "/start")
    await services.db.execute(
        "INSERT INTO users (id, first_name, created_at, updated_at) VALUES (424242, 'И', ?, ?)",
        ("2026-01-01T00:00:00+00:00",) * 2,
    )
    await services.reporting.reporting.bind_official(424242, body_id, None, services.clock.iso())
    for rec_id, status in zip(recs, ("done", "in_progress", "partially_done"), strict=False):
        await services.reporting.report_status(424242, rec_id, status, "Отчёт")
    await services.reporting.comment(424242, recs[3], "Пока думаем")
    # 1 done of 4 with reports (of 10 items): 25 %, not 10 %.
    html = await (await client.get(f"/d/{doc_id}")).text()
    assert str(expect("web.share_done", percent=25, reported=4)) in html

    scope = Scope("Амурская область", doc_id)
    xlsx = await services.reports.export(ADMIN_ID, scope, "xlsx")
    summary = load_workbook(io.BytesIO(xlsx.data))[plain("reports.file.sheet_summary")]
    rows = list(summary.iter_rows(values_only=True))
    column = rows[0].index(plain("reports.file.sum_percent"))
    assert rows[-1][0] == plain("reports.file.sum_all") and rows[-1][column] == 25
    assert [r[column] for r in rows[1:-1]] == [25]

    chart = await services.reports.export(ADMIN_ID, scope, "png")
    assert plain("reports.chart_percent", percent=25, reported=4) in chart.caption

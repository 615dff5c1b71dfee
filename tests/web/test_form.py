"""The officials' web form: a personal link acts as an official of its addressee."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from aiohttp import FormData

from bot.errors import PermissionDenied
from bot.weblinks import web_actor_id
from tests.conftest import ADMIN_ID
from tests.texts import expect
from tests.web.helpers import make_document


@pytest.fixture
async def body(services, harness):
    await harness.send(ADMIN_ID, "/start")
    _, addressee_ids, rec_ids = await make_document(
        services,
        items=["Разработать программу поддержки НКО.", "Провести форум."],
        addressees=("Министерство культуры Амурской области", "Законодательное Собрание"),
    )
    made = await services.weblinks.create(ADMIN_ID, addressee_ids[0])
    return made, addressee_ids, rec_ids


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def report(csrf: str | None, status: str = "", comment: str = "", link: str = "", file=None):
    form = FormData()
    if csrf is not None:
        form.add_field("csrf", csrf)
    form.add_field("status", status)
    form.add_field("comment", comment)
    form.add_field("link", link)
    if file is not None:
        name, data = file
        form.add_field("file", data, filename=name, content_type="application/octet-stream")
    else:
        form.add_field("file", b"", filename="", content_type="application/octet-stream")
    return form


def stored_files(services) -> list[Path]:
    return list(Path(services.settings.web_upload_dir).iterdir())


async def status_of(services, rec_id: int) -> str:
    return (await services.documents.get_recommendation(rec_id)).status


async def test_token_is_stored_hashed(services, body):
    made, _, _ = body
    row = await services.db.fetchone("SELECT * FROM web_links WHERE id = ?", (made.link.id,))
    assert made.token not in [str(v) for v in tuple(row)]
    assert row["token_hash"] == hashlib.sha256(made.token.encode()).hexdigest()


async def test_report_through_the_form(client, services, body):
    made, _, (rec_id, _) = body
    listing = await client.get(f"/o/{made.token}")
    assert listing.status == 200
    html = await listing.text()
    assert "Министерство культуры Амурской области" in html
    assert f'href="/o/{made.token}/rec/{rec_id}"' in html
    assert listing.headers["Referrer-Policy"] == "no-referrer"
    no_data = services.texts.plain("reports.file.sum_no_data")
    assert f'<span class="badge no_data">{no_data}</span>' in html  # nobody reported yet

    page = await client.get(f"/o/{made.token}/rec/{rec_id}")
    html = await page.text()
    assert "rt_csrf" in page.cookies
    response = await client.post(
        f"/o/{made.token}/rec/{rec_id}",
        data=report(
            csrf_of(html),
            "in_progress",
            "Программа на согласовании",
            file=("план.pdf", b"%PDF-1 plan"),
        ),
        allow_redirects=False,
    )
    assert response.status == 303
    assert response.headers["Location"] == f"/o/{made.token}/rec/{rec_id}?saved=1"
    assert await status_of(services, rec_id) == "in_progress"
    (entry,) = await services.reporting.history(rec_id)
    assert entry.actor_id == web_actor_id(made.link.id) and entry.actor_role == "official"
    assert entry.actor_org == "Министерство культуры Амурской области"
    assert entry.comment == "Программа на согласовании" and entry.evidence_name == "план.pdf"
    stored = Path(services.settings.web_upload_dir) / entry.evidence.removeprefix("upload:")
    assert stored.read_bytes() == b"%PDF-1 plan"

    shown = await (await client.get(f"/o/{made.token}/rec/{rec_id}?saved=1")).text()
    assert services.texts.plain("web.saved") in shown and "Программа на согласовании" in shown
    public = await (await client.get(f"/rec/{rec_id}")).text()
    assert expect("history.official_of", org="Министерства культуры Амурской области") in public


async def test_comment_with_a_link_and_errors_keep_the_text(client, services, body):
    made, _, (rec_id, _) = body
    url = f"/o/{made.token}/rec/{rec_id}"
    csrf = csrf_of(await (await client.get(url)).text())
    # «Не будет выполнено» without a reason: refused, said in the form's words, text kept.
    response = await client.post(url, data=report(csrf, "wont_do", link="https://example.org/a"))
    assert response.status == 400
    html = await response.text()
    assert services.texts.plain("web.reason_required") in html
    assert 'value="https://example.org/a"' in html
    assert await status_of(services, rec_id) == "not_started"
    bad = await client.post(url, data=report(csrf, comment="Смотрите", link="javascript:alert(1)"))
    assert bad.status == 400 and "Смотрите" in await bad.text()
    done = await client.post(
        url,
        data=report(csrf, comment="Опубликовано", link="https://example.org/news"),
        allow_redirects=False,
    )
    assert done.status == 303
    (entry,) = await services.reporting.history(rec_id)
    assert entry.event == "comment" and entry.evidence_kind == "link"
    assert entry.evidence == "https://example.org/news"


async def test_a_post_without_the_csrf_token_is_refused(client, services, body):
    made, _, (rec_id, _) = body
    url = f"/o/{made.token}/rec/{rec_id}"
    csrf = csrf_of(await (await client.get(url)).text())
    for token in (None, "", "x" * 43, csrf + "x"):
        response = await client.post(url, data=report(token, "done", "Готово"))
        assert response.status == 403, token
        html = await response.text()
        assert services.texts.plain("web.csrf") in html and "Готово" in html
    # Another browser (no cookie) posting the right field is refused too.
    client.session.cookie_jar.clear()
    assert (await client.post(url, data=report(csrf, "done", "Готово"))).status == 403
    assert await status_of(services, rec_id) == "not_started"
    assert await services.reporting.history(rec_id) == []


async def test_a_file_over_the_limit_is_refused_and_nothing_is_kept(client, services, body):
    made, _, (rec_id, _) = body
    url = f"/o/{made.token}/rec/{rec_id}"
    csrf = csrf_of(await (await client.get(url)).text())
    big = b"x" * (services.settings.max_document_bytes + 1)
    response = await client.post(url, data=report(csrf, "done", "Акт", file=("акт.pdf", big)))
    assert response.status == 413
    html = await response.text()
    assert services.texts.plain("web.too_large", mb="0,01") in html and "Акт" in html
    assert await status_of(services, rec_id) == "not_started"
    assert stored_files(services) == []


async def test_only_the_links_addressee(client, services, body):
    made, _, (_, other_rec) = body
    # The second item belongs to the first body too; a third of another body is not reachable.
    _, _, (foreign,) = await make_document(services, title="Другая", addressees=("Другой орган",))
    assert (await client.get(f"/o/{made.token}/rec/{foreign}")).status == 404
    with pytest.raises(PermissionDenied):
        await services.reporting.report_status(web_actor_id(made.link.id), foreign, "done")
    assert (await client.get(f"/o/{made.token}/rec/{other_rec}")).status == 200


async def test_revoked_expired_and_unknown_links(client, services, body, clock):
    made, _, (rec_id, _) = body
    url = f"/o/{made.token}/rec/{rec_id}"
    csrf = csrf_of(await (await client.get(url)).text())
    assert await services.weblinks.revoke(ADMIN_ID, made.link.id)
    for response in (await client.get(url), await client.post(url, data=report(csrf, "done"))):
        assert response.status == 410
        assert services.texts.plain("web.link_revoked") in await response.text()
    # The service refuses it too, whoever calls it.
    with pytest.raises(PermissionDenied):
        await services.reporting.report_status(web_actor_id(made.link.id), rec_id, "done")

    fresh = await services.weblinks.create(ADMIN_ID, made.link.addressee_id)
    assert (await client.get(f"/o/{fresh.token}")).status == 200
    clock.move(days=services.settings.web_link_days, seconds=1)
    response = await client.get(f"/o/{fresh.token}")
    assert response.status == 410
    assert services.texts.plain("web.link_expired") in await response.text()
    with pytest.raises(PermissionDenied):
        await services.reporting.report_status(web_actor_id(fresh.link.id), rec_id, "done")

    unknown = await client.get("/o/" + "A" * 32)
    assert unknown.status == 404
    assert services.texts.plain("web.link_unknown") in await unknown.text()
    assert await status_of(services, rec_id) == "not_started"


async def test_only_a_coordinator_of_the_region_makes_or_revokes_links(services, body, harness):
    made, (addressee_id, _), _ = body
    await harness.send(31, "/start")
    with pytest.raises(PermissionDenied):
        await services.weblinks.create(31, addressee_id)
    with pytest.raises(PermissionDenied):
        await services.weblinks.revoke(31, made.link.id)


async def test_a_file_from_the_form_opens_from_the_card_in_the_chat(
    client, services, body, harness
):
    made, _, (rec_id, _) = body
    url = f"/o/{made.token}/rec/{rec_id}"
    csrf = csrf_of(await (await client.get(url)).text())
    await client.post(url, data=report(csrf, "done", "Акт", file=("акт.pdf", b"%PDF act")))
    await harness.send(55, "/start")
    calls = await harness.click(55, f"card:{rec_id}")
    card = next(c for c in calls if c.method == "sendMessage")
    assert expect("history.evidence_document", name="акт.pdf") in card.text
    calls = await harness.press(55, card, "акт.pdf")
    [sent] = [c for c in calls if c.method == "sendDocument"]
    assert sent.params["chat_id"] == 55 and sent.params["document"].startswith("attach://")

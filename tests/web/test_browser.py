"""A real browser: headless Chromium opens the public page on a phone-sized screen and the
official's form, submits a report with a file, and the database has it."""

from __future__ import annotations

import os
import struct
from pathlib import Path
from urllib.parse import quote

import pytest
from aiohttp.test_utils import TestServer

from bot.web import create_web_app
from tests.conftest import ADMIN_ID
from tests.web.cdp import browser, chromium
from tests.web.helpers import make_document

pytestmark = pytest.mark.slow

# Screenshots go to the test's temporary directory, or where WEB_SCREENSHOTS says (to look).
SCREENSHOTS = "WEB_SCREENSHOTS"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def screenshots_dir(tmp_path: Path) -> Path:
    shots = Path(os.environ.get(SCREENSHOTS) or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    return shots


@pytest.fixture
async def server(services):
    test_server = TestServer(create_web_app(services), host="127.0.0.1")
    await test_server.start_server()
    yield test_server
    await test_server.close()


async def test_public_page_and_official_form_in_chromium(services, harness, server, tmp_path):
    if chromium() is None:  # like tmux for `bot try`: .ci/run installs it
        pytest.skip("chromium is not installed: apt-get install chromium")
    await harness.send(ADMIN_ID, "/start")
    doc_id, (body_id,), (rec_id, _) = await make_document(
        services,
        title="Резолюция форума «Развитие НКО» Амурской области",
        items=[
            "Разработать региональную программу поддержки социально ориентированных"
            " некоммерческих организаций на 2026–2028 годы.",
            "Провести форум добровольцев.",
        ],
    )
    made = await services.weblinks.create(ADMIN_ID, body_id)
    base = str(server.make_url("")).rstrip("/")
    evidence = tmp_path / "отчёт.pdf"
    evidence.write_bytes(b"%PDF-1.4 report")
    shots = screenshots_dir(tmp_path)

    async with browser(tmp_path / "profile") as page:
        await page.goto(f"{base}/r/{quote('Амурская область', safe='')}")
        assert "Развитие НКО" in await page.evaluate("document.body.innerText")
        # One column on a phone: nothing wider than the screen.
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390
        shot = await page.screenshot()
        (shots / "region.png").write_bytes(shot)
        width, height = png_size(shot)
        assert width == 390 and height >= 400 and len(shot) > 5_000

        await page.goto(f"{base}/d/{doc_id}")
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390
        (shots / "resolution.png").write_bytes(await page.screenshot())

        await page.goto(f"{base}/o/{made.token}/rec/{rec_id}")
        await page.evaluate("document.querySelector('#status').value = 'in_progress'")
        await page.evaluate(
            "document.querySelector('#comment').value = 'Проект программы внесён в Правительство'"
        )
        await page.set_file("#file", evidence)
        (shots / "form.png").write_bytes(await page.screenshot())
        await page.click_and_wait("button[type=submit]")
        text = await page.evaluate("document.body.innerText")
        assert services.texts.plain("web.saved") in text
        assert "Проект программы внесён в Правительство" in text
        shot = await page.screenshot()
        (shots / "form-saved.png").write_bytes(shot)
        assert png_size(shot)[0] == 390

    rec = await services.documents.get_recommendation(rec_id)
    assert rec.status == "in_progress"
    (entry,) = await services.reporting.history(rec_id)
    assert entry.actor_role == "official" and entry.evidence_name == "отчёт.pdf"
    assert entry.comment == "Проект программы внесён в Правительство"
    stored = Path(services.settings.web_upload_dir) / entry.evidence.removeprefix("upload:")
    assert stored.read_bytes() == b"%PDF-1.4 report"

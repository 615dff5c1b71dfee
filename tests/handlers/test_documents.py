"""A coordinator sends a resolution: preview, publish, cancel; others are refused."""

from bot.paths import CONTENT_DIR
from tests.conftest import ADMIN_ID
from tests.texts import expect, matches

AMUR_SEED = next((CONTENT_DIR / "resolutions").glob("002_*.txt"))
COORDINATOR = 301
MEMBER = 302


async def appoint(harness, user_id: int, region: str) -> None:
    await harness.send(user_id, "/start")
    calls = await harness.send(ADMIN_ID, f"/coordinator {user_id} {region}")
    appointed = matches("coordinator.appointed", region=region)
    assert any(c.text == appointed for c in calls), harness.sent_texts(calls)


async def test_member_cannot_upload(harness, services):
    await harness.send(MEMBER, "/start")
    calls = await harness.send_document(MEMBER, AMUR_SEED.read_bytes(), "резолюция.txt")
    assert calls[-1].text == expect("access.coordinators_only")
    assert not [c for c in calls if c.method == "getFile"]  # nothing downloaded
    assert await services.documents.count() == 0


async def test_wrong_type_and_size_get_clear_answers(harness, services):
    await appoint(harness, COORDINATOR, "Амурская область")
    calls = await harness.send_document(COORDINATOR, b"MZ\x90\x00", "setup.exe")
    assert calls[-1].text == expect("documents.bad_type", name="setup.exe")
    calls = await harness.send_document(COORDINATOR, b"\xd0\xcf\x11\xe0", "old.doc")
    assert calls[-1].text == expect("documents.old_word", name="old.doc")
    big = b"x" * (services.settings.max_document_bytes + 1)
    calls = await harness.send_document(COORDINATOR, big, "huge.txt")
    assert calls[-1].text == matches("documents.too_large")
    calls = await harness.send_document(COORDINATOR, b"", "empty.txt")
    assert calls[-1].text == matches("documents.unreadable", name="empty.txt")


async def test_a_damaged_file_is_explained_with_what_to_do(harness, services):
    await appoint(harness, COORDINATOR, "Амурская область")
    for name, data in (
        ("резолюция.docx", b"\x13\x37 not a zip"),
        ("резолюция.pdf", b"%PDF-1.4 xx"),
    ):
        reply = (await harness.send_document(COORDINATOR, data, name))[-1].text
        assert reply == matches("documents.unreadable", name=name)
        assert "»: Файл" not in reply  # one sentence after another, not «: Файл …: …»
        assert "повреждён" in reply and "сохраните" in reply.lower()  # and what to do next


async def test_preview_then_publish_then_reupload_is_unchanged(harness, services):
    await appoint(harness, COORDINATOR, "Амурская область")
    calls = await harness.send_document(COORDINATOR, AMUR_SEED.read_bytes(), "резолюция.txt")
    preview = calls[-1]
    assert matches("documents.preview_head").within(preview.text)
    assert "Амурская область" in preview.text
    for name, n in (
        ("Правительство области", 16),
        ("Законодательное Собрание Амурской области", 3),
    ):
        assert matches("documents.addressee_line", name=name, n=n).within(preview.text)
    assert matches("documents.deadlines").within(preview.text)
    assert len(preview.text) <= 4096
    assert await services.documents.count() == 0  # nothing published yet

    calls = await harness.press(COORDINATOR, preview, expect("documents.publish_button"))
    assert any(matches("documents.published").within(c.text) for c in calls)
    assert await services.documents.count() == 1

    # The same content again: the preview says so and offers no Publish button.
    calls = await harness.send_document(COORDINATOR, AMUR_SEED.read_bytes(), "копия.txt")
    assert expect("documents.unchanged") in calls[-1].text
    assert expect("documents.publish_button") not in [b for b, _ in calls[-1].buttons()]

    # A second press on the old preview's button finds the draft gone.
    calls = await harness.press(COORDINATOR, preview, expect("documents.publish_button"))
    gone = expect("documents.draft_gone")
    assert any(gone in (c.text or c.params.get("text") or "") for c in calls), calls


async def test_cancel_discards_the_draft(harness, services):
    await appoint(harness, COORDINATOR, "Амурская область")
    calls = await harness.send_document(COORDINATOR, AMUR_SEED.read_bytes(), "резолюция.txt")
    calls = await harness.press(COORDINATOR, calls[-1], expect("documents.cancel_button"))
    assert any(c.text == expect("documents.cancelled") for c in calls)
    assert await services.documents.count() == 0
    assert await services.db.fetchval("SELECT count(*) FROM document_drafts") == 0


async def test_coordinator_of_another_region_is_told_at_once(harness, services):
    """Issue 11.7: before any preview, with what they can do; no Publish button to find out."""
    await appoint(harness, COORDINATOR, "Камчатский край")
    calls = await harness.send_document(COORDINATOR, AMUR_SEED.read_bytes(), "резолюция.txt")
    reply = calls[-1]
    assert not reply.buttons()
    other = expect("documents.other_region", region="Амурская область", mine="Камчатский край")
    assert reply.text == other
    assert await services.documents.count() == 0
    assert await services.db.fetchval("SELECT count(*) FROM document_drafts") == 0


async def test_document_text_is_escaped_in_preview(harness, services):
    await appoint(harness, COORDINATOR, "Амурская область")
    text = (
        "РЕЗОЛЮЦИЯ <script>alert(1)</script> & КО\n\n12 марта 2024 г. г. Благовещенск\n\n"
        "Правительству Амурской области:\n"
        "1. Создать <b>совет</b> & рабочую группу до 1 мая 2025 г.\n"
    )
    calls = await harness.send_document(COORDINATOR, text.encode(), "r.txt")
    preview = calls[-1].text
    assert "<script>" not in preview and "&lt;script&gt;" in preview
    assert "&amp;" in preview


async def test_a_copy_placed_in_another_region_does_not_overwrite_the_original(
    harness, services, seeded
):
    moscow = seeded["000"].document_id
    await appoint(harness, COORDINATOR, "Амурская область")
    seed = next((CONTENT_DIR / "resolutions").glob("000_*.txt"))
    text = seed.read_text(encoding="utf-8").replace("г. Москва", "г. Благовещенск")
    calls = await harness.send_document(COORDINATOR, text.encode(), "копия.txt")
    assert expect("documents.new_version") not in calls[-1].text
    await harness.press(COORDINATOR, calls[-1], expect("documents.publish_button"))
    assert (await services.documents.get(moscow)).region == "Москва"
    assert await services.documents.count() == 6


async def test_hostile_docx_gets_one_clear_sentence(harness, services):
    from tests.unit.test_guard import make_docx, paragraphs

    await appoint(harness, COORDINATOR, "Амурская область")
    calls = await harness.send_document(COORDINATOR, make_docx(paragraphs(100_000)), "r.docx")
    assert "абзацев" in calls[-1].text and "не похоже на резолюцию" in calls[-1].text
    assert await services.documents.count() == 0


async def test_garbled_text_is_shown_as_such_and_cannot_be_published(harness, services):
    await appoint(harness, COORDINATOR, "Амурская область")
    garbled = AMUR_SEED.read_text(encoding="utf-8").encode("utf-8").decode("cp1251", "replace")
    calls = await harness.send_document(COORDINATOR, garbled.encode("utf-8"), "резолюция.txt")
    preview = calls[-1]
    assert expect("documents.mojibake_hint") in preview.text
    assert not any("draft:publish" in (data or "") for _, data in preview.buttons())
    # Even an old or forged Publish button is refused by the service.
    cancel = next(data for _, data in preview.buttons() if (data or "").startswith("draft:"))
    draft_id = int(cancel.split(":")[-1])
    calls = await harness.click(COORDINATOR, f"draft:publish:{draft_id}")
    assert any(c.method == "answerCallbackQuery" and c.params.get("show_alert") for c in calls)
    assert await services.documents.count() == 0


async def test_preview_warns_about_recurring_terms_and_items_without_addressee(harness, services):
    await appoint(harness, COORDINATOR, "Амурская область")
    text = "\n".join(
        [
            "Решение Общественной палаты Амурской области",
            "от 14.03.2025 № 4",
            "РЕШИЛА:",
            "1. Одобрить доклад о состоянии гражданского общества.",
            "2. Рекомендовать министерству образования Амурской области ежегодно до 1 марта "
            "публиковать доклад.",
        ]
    )
    calls = await harness.send_document(COORDINATOR, text.encode(), "решение.txt")
    preview = calls[-1].text
    assert expect("documents.unaddressed_line", n=1) in preview
    assert "Повторяющиеся сроки" in preview and "— пункт 2:" in preview  # one: «пункт»


async def test_a_refusal_names_the_file_then_gives_the_reason(harness):
    """«Не получилось прочитать «x». Причина. Что делать.» — the name escaped, the reason its
    own sentence."""
    await appoint(harness, COORDINATOR, "Амурская область")
    calls = await harness.send_document(COORDINATOR, bytes(range(256)) * 40, "<b>x</b>.txt")
    assert calls[-1].text == matches("documents.unreadable", name="<b>x</b>.txt")
    assert "«&lt;b&gt;x&lt;/b&gt;.txt». Файл не похож на текст" in calls[-1].text
    calls = await harness.send_document(COORDINATOR, b"%PDF-1.4 garbage", "broken.pdf")
    reason = calls[-1].text.split("». ", 1)[1]
    assert reason[0].isupper(), reason

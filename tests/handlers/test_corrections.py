"""A coordinator corrects a resolution in the chat by pressing buttons, then publishes it."""

from bot.container import build_services
from bot.correction_service import Ref
from handlers.callbacks import CardCallback
from tests.conftest import ADMIN_ID
from tests.handlers.test_documents import appoint
from tests.harness import HandlerHarness
from tests.services.test_importer import ORIGINAL, TWO_CHANGED_ONE_ADDED

COORDINATOR = 401
MEMBER = 402
REGION = "Амурская область"


def shown(calls):
    """The last message the bot sent or redrew that has buttons."""
    return [c for c in calls if c.method in {"sendMessage", "editMessageText"} and c.buttons()][-1]


async def open_screen(harness, call, *buttons):
    """Press buttons in turn, each on the screen the previous one drew."""
    for button in buttons:
        call = shown(await press(harness, call, button))
    return call


async def press(harness, call, button):
    calls = await harness.press(COORDINATOR, call, button)
    alerts = [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]
    assert not any(c.params.get("show_alert") for c in calls), alerts
    return calls


async def upload(harness, text=ORIGINAL):
    calls = await harness.send_document(COORDINATOR, text.encode(), "резолюция.txt")
    return calls[-1]


def assert_fits(call):
    assert len(call.text) <= 4096
    for _, data in call.buttons():
        assert data is None or len(data.encode()) <= 64


async def test_corrections_with_buttons_then_publish_then_invite(harness, services):
    await appoint(harness, COORDINATOR, REGION)
    preview = await upload(harness)
    assert "Правительство Амурской области — 3 рекомендации <i>(орган власти региона)</i>" in (
        preview.text
    )
    assert_fits(preview)

    # rename
    screen = await open_screen(harness, preview, "Адресаты", "Правительство Амурской области (3)")
    assert "Вид: орган власти региона" in screen.text and "п. 1.1, 1.2, 1.3" in screen.text
    ask = shown(await press(harness, screen, "Переименовать"))
    assert "в именительном падеже" in ask.text
    preview = (await harness.send(COORDINATOR, "Правительство области"))[-1]
    assert "Правительство области — 3 рекомендации" in preview.text

    # kind
    screen = await open_screen(
        harness, preview, "Адресаты", "Общественная палата Амурской области (1)", "Изменить вид"
    )
    assert len([b for b, _ in screen.buttons() if b != "« Назад"]) == 13
    preview = shown(await press(harness, screen, "общественный совет"))
    assert "Общественная палата Амурской области — 1 рекомендация <i>(общественный совет)" in (
        preview.text
    )

    # move an item to «без адресата»
    screen = await open_screen(harness, preview, "Пункты", "п. 1.3")
    assert "Адресат: Правительство области" in screen.text
    screen = shown(await press(harness, screen, "Перенести"))
    preview = shown(await press(harness, screen, "Без адресата"))
    assert "без адресата — 1 рекомендация" in preview.text
    assert "Правительство области — 2 рекомендации" in preview.text

    # move it back to an addressee
    screen = await open_screen(harness, preview, "Пункты", "п. 1.3", "Перенести")
    preview = shown(await press(harness, screen, "Общественная палата"))
    assert "Общественная палата Амурской области — 2 рекомендации" in preview.text

    # merge
    screen = await open_screen(
        harness, preview, "Адресаты", "Общественная палата Амурской области (2)", "Объединить с"
    )
    preview = shown(await press(harness, screen, "Правительство области"))
    assert "<b>Адресаты (1)</b>" in preview.text
    assert "Правительство области — 4 рекомендации" in preview.text

    # drop an item that is not a recommendation
    screen = await open_screen(harness, preview, "Пункты", "п. 1.1", "Это не рекомендация")
    assert "Исключить п. 1.1" in screen.text
    preview = shown(await press(harness, screen, "Да, исключить"))
    assert "Найдено 3 рекомендации" in preview.text

    # deadline: a bad date is explained, a good one is shown; then cleared
    await open_screen(harness, preview, "Пункты", "п. 2.1", "Срок")
    reply = (await harness.send(COORDINATOR, "к осени"))[-1]
    assert "ДД.ММ.ГГГГ" in reply.text
    preview = (await harness.send(COORDINATOR, "31.12.2026"))[-1]
    assert "п. 2.1: до 31 декабря 2026 г. (задан координатором)" in preview.text
    preview = await open_screen(harness, preview, "Пункты", "п. 1.2", "Убрать срок")
    assert "п. 1.2:" not in preview.text

    # title, date, region
    await press(harness, preview, "Название")
    preview = (await harness.send(COORDINATOR, "Резолюция круглого стола <НКО & власть>"))[-1]
    assert "<b>Резолюция круглого стола &lt;НКО &amp; власть&gt;</b>" in preview.text
    await press(harness, preview, "Дата")
    preview = (await harness.send(COORDINATOR, "13.03.2024"))[-1]
    assert "13 марта 2024 г." in preview.text
    # A date typed without a year is the last such day: a document is adopted in the past.
    today = services.clock.now().date()
    await press(harness, preview, "Дата")
    preview = (await harness.send(COORDINATOR, "1 декабря"))[-1]
    year = today.year if (today.month, today.day) >= (12, 1) else today.year - 1
    assert f"1 декабря {year} г." in preview.text
    await press(harness, preview, "Дата")
    preview = (await harness.send(COORDINATOR, "13.03.2024"))[-1]
    await press(harness, preview, "Регион")
    picker = (await harness.send(COORDINATOR, "амур"))[-1]
    preview = shown(await press(harness, picker, REGION))
    assert REGION in preview.text
    assert_fits(preview)
    assert await services.documents.count() == 0  # nothing visible before «Опубликовать»

    calls = await press(harness, preview, "Опубликовать")
    texts = harness.sent_texts(calls)
    assert any("Резолюция опубликована: 3 рекомендации" in t for t in texts)
    offer = shown(calls)
    assert "Пригласите представителей адресатов" in offer.text
    document = (await services.documents.list_documents())[0]
    assert document.title == "Резолюция круглого стола <НКО & власть>"
    assert document.adopted_on == "2024-03-13"
    addressees = await services.documents.addressees(document.id)
    assert [(a.canonical, a.kind) for a in addressees] == [
        ("Правительство области", "regional_government")
    ]
    rows = await services.documents.recommendations(document.id)
    assert [(r.number, r.deadline) for r in rows] == [
        ("1.2", None),
        ("1.3", None),
        ("2.1", "2026-12-31"),
    ]
    # The next step leads into the /invite flow for that addressee.
    screen = shown(await press(harness, offer, "Правительство области"))
    assert "Правительство области" in screen.text
    calls = await press(harness, screen, "5")
    assert any("t.me/tracker_bot?start=inv_" in (c.text or "") for c in calls)


async def test_stale_button_is_refused_and_the_current_preview_shown(harness, services):
    await appoint(harness, COORDINATOR, REGION)
    preview = await upload(harness)
    confirm = await open_screen(harness, preview, "Пункты", "п. 1.1", "Это не рекомендация")
    await press(harness, confirm, "Да, исключить")
    calls = await harness.press(COORDINATOR, confirm, "Да, исключить")  # the same old button
    alert = next(c for c in calls if c.method == "answerCallbackQuery")
    assert "документ изменился" in alert.params["text"]
    assert "Найдено 3 рекомендации" in shown(calls).text  # dropped once, not twice


async def test_the_draft_and_its_corrections_survive_a_restart(harness, services, settings, db):
    await appoint(harness, COORDINATOR, REGION)
    preview = await upload(harness)
    preview = await open_screen(
        harness, preview, "Адресаты", "Общественная палата", "Изменить вид", "НКО"
    )

    restarted = HandlerHarness(build_services(settings, db, services.clock))
    try:
        calls = await restarted.press(COORDINATOR, preview, "Опубликовать")
        assert any("Резолюция опубликована" in t for t in restarted.sent_texts(calls))
    finally:
        await restarted.close()
    document = (await services.documents.list_documents())[0]
    kinds = {a.canonical: a.kind for a in await services.documents.addressees(document.id)}
    assert kinds["Общественная палата Амурской области"] == "ngo"


async def test_published_document_is_corrected_from_a_card(harness, services):
    await appoint(harness, COORDINATOR, REGION)
    await press(harness, await upload(harness), "Опубликовать")
    document = (await services.documents.list_documents())[0]
    rec = (await services.documents.recommendations(document.id))[0]
    card_data = CardCallback(rec_id=rec.id).pack()

    await harness.send(MEMBER, "/start")
    member_card = shown(await harness.click(MEMBER, card_data))
    assert not [b for b, _ in member_card.buttons() if "Исправить" in b]

    card = shown(await harness.click(COORDINATOR, card_data))
    screen = shown(await press(harness, card, "Исправить"))
    assert "Исправление резолюции" in screen.text and "Опубликовать" not in str(screen.buttons())
    await open_screen(
        harness, screen, "Адресаты", "Правительство Амурской области", "Переименовать"
    )
    screen = (await harness.send(COORDINATOR, "Правительство области"))[-1]
    assert "Правительство области — 3 рекомендации" in screen.text
    assert "«Правительство Амурской области» переименован в «Правительство области»" in (
        screen.text
    )
    assert "координатор" in screen.text  # who did it, in the history
    addressees = await services.documents.addressees(document.id)
    assert addressees[0].canonical == "Правительство области"

    # Another region's coordinator sees no button and cannot press a forged one.
    await appoint(harness, 403, "Камчатский край")
    other_card = shown(await harness.click(403, card_data))
    assert not [b for b, _ in other_card.buttons() if "Исправить" in b]
    forged = next(d for b, d in card.buttons() if "Исправить" in b)
    calls = await harness.click(403, forged)
    alert = next(c for c in calls if c.method == "answerCallbackQuery")
    assert alert.params.get("show_alert") and "координатор региона" in alert.params["text"]


async def test_long_lists_page_with_buttons(harness, services):
    from tests.handlers.test_documents import AMUR_SEED

    await appoint(harness, COORDINATOR, REGION)
    calls = await harness.send_document(COORDINATOR, AMUR_SEED.read_bytes(), "резолюция.txt")
    preview = calls[-1]
    assert_fits(preview)
    first = shown(await press(harness, preview, "Пункты"))
    draft_id = await services.db.fetchval("SELECT max(id) FROM document_drafts")
    view = await services.corrections.view(COORDINATOR, Ref("draft", draft_id))
    assert f"Страница 1 из {-(-len(view.parsed.recommendations) // 8)}" in first.text
    numbers = [b for b, _ in first.buttons() if b.startswith("п. ")]
    assert len(numbers) == 8 and not [b for b, _ in first.buttons() if "Раньше" in b]
    second = shown(await press(harness, first, "Дальше"))
    assert "Страница 2 из" in second.text and [b for b, _ in second.buttons() if "Раньше" in b]
    assert not set(numbers) & {b for b, _ in second.buttons()}
    assert_fits(second)
    item = shown(await press(harness, second, "п. "))
    assert_fits(item)


async def test_a_new_version_reports_changes_by_content(harness, services):
    """Issue 11.11: two reworded items and one added at the top: изменено — 2, новых — 1."""
    await appoint(harness, COORDINATOR, REGION)
    await press(harness, await upload(harness), "Опубликовать")
    preview = await upload(harness, TWO_CHANGED_ONE_ADDED)
    assert "новых пунктов — 1, изменено — 2, исключено — 0" in preview.text
    assert "новые: п. 1.1" in preview.text and "изменены: п. 1.3, 2.1" in preview.text
    texts = harness.sent_texts(await press(harness, preview, "Опубликовать"))
    assert any("новых пунктов — 1, изменено — 2, исключено — 0" in t for t in texts)


async def test_a_document_without_a_region_gets_one_from_the_button(harness, services):
    await appoint(harness, COORDINATOR, REGION)
    await harness.send(ADMIN_ID, f"/coordinator {COORDINATOR} Камчатский край")
    text = (
        "РЕЗОЛЮЦИЯ круглого стола «Добровольчество»\n\n12 марта 2024 г.\n\n"
        "Администрации района:\n1. Провести форум добровольцев.\n"
    )
    preview = await upload(harness, text)
    assert "Дата, место и регион не найдены" not in preview.text
    calls = await harness.press(COORDINATOR, preview, "Опубликовать")
    alert = next(c for c in calls if c.method == "answerCallbackQuery")
    assert "укажите его кнопкой «📍 Регион»" in alert.params["text"]
    await press(harness, preview, "Регион")
    picker = (await harness.send(COORDINATOR, "камч"))[-1]
    preview = shown(await press(harness, picker, "Камчатский край"))
    assert "Камчатский край" in preview.text
    await press(harness, preview, "Опубликовать")
    assert [d.region for d in await services.documents.list_documents()] == ["Камчатский край"]

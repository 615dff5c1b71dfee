"""A coordinator corrects a resolution in the chat by pressing buttons, then publishes it."""

from bot.container import build_services
from bot.correction_service import Ref
from handlers.callbacks import CardCallback
from tests.conftest import ADMIN_ID
from tests.handlers.test_documents import appoint
from tests.harness import HandlerHarness
from tests.services.test_importer import ORIGINAL, TWO_CHANGED_ONE_ADDED
from tests.texts import expect, matches, plain

COORDINATOR = 401
MEMBER = 402
REGION = "Амурская область"
# The buttons, by their texts.
ADDRESSEES = expect("corrections.addressees_button")
ITEMS = expect("corrections.items_button")
RENAME = expect("corrections.rename_button")
KIND = expect("corrections.kind_button")
MERGE = expect("corrections.merge_button")
MOVE = expect("corrections.move_button")
DROP = expect("corrections.drop_button")
DROP_YES = expect("corrections.drop_yes_button")
DEADLINE = expect("corrections.deadline_button")
PUBLISH = expect("documents.publish_button")
FIX = expect("documents.fix_button")
GOVERNMENT = "Правительство области"


def addressee_line(name, n, kind=None):
    """A preview's line about one addressee; its kind as the corrections name it."""
    if kind is None:
        return matches("documents.addressee_line", name=name, n=n)
    return expect("documents.addressee_line", name=name, n=n, kind=expect(kind))


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
    government = addressee_line(
        "Правительство Амурской области", 3, "corrections.kind.regional_government"
    )
    assert government in preview.text
    assert_fits(preview)

    # rename
    screen = await open_screen(harness, preview, ADDRESSEES, "Правительство Амурской области (3)")
    kind = expect("corrections.kind.regional_government")
    assert screen.text == matches("corrections.addressee", kind=kind, n=3)
    assert "п. 1.1, 1.2, 1.3" in screen.text
    ask = shown(await press(harness, screen, RENAME))
    assert ask.text == expect("corrections.ask_name", name="Правительство Амурской области")
    preview = (await harness.send(COORDINATOR, GOVERNMENT))[-1]
    assert addressee_line(GOVERNMENT, 3).within(preview.text)

    # kind
    screen = await open_screen(
        harness, preview, ADDRESSEES, "Общественная палата Амурской области (1)", KIND
    )
    back = expect("corrections.back_button")
    assert len([b for b, _ in screen.buttons() if b != back]) == 13
    preview = shown(await press(harness, screen, expect("corrections.kind.public_council")))
    chamber = "Общественная палата Амурской области"
    assert addressee_line(chamber, 1, "corrections.kind.public_council") in preview.text

    # move an item to «без адресата»
    screen = await open_screen(harness, preview, ITEMS, "п. 1.3")
    assert screen.text == matches("corrections.item", addressees=GOVERNMENT)
    screen = shown(await press(harness, screen, MOVE))
    preview = shown(await press(harness, screen, expect("corrections.no_addressee_button")))
    assert expect("documents.unaddressed_line", n=1) in preview.text
    assert addressee_line(GOVERNMENT, 2).within(preview.text)

    # move it back to an addressee
    screen = await open_screen(harness, preview, ITEMS, "п. 1.3", MOVE)
    preview = shown(await press(harness, screen, "Общественная палата"))
    assert addressee_line(chamber, 2).within(preview.text)

    # merge
    screen = await open_screen(
        harness, preview, ADDRESSEES, "Общественная палата Амурской области (2)", MERGE
    )
    preview = shown(await press(harness, screen, GOVERNMENT))
    assert matches("documents.addressees", n=1).within(preview.text)
    assert addressee_line(GOVERNMENT, 4).within(preview.text)

    # drop an item that is not a recommendation
    screen = await open_screen(harness, preview, ITEMS, "п. 1.1", DROP)
    assert screen.text == matches("corrections.confirm_drop", number="1.1")
    preview = shown(await press(harness, screen, DROP_YES))
    assert matches("documents.preview_head", n=3).within(preview.text)

    # deadline: a bad date is explained, a good one is shown; then cleared
    await open_screen(harness, preview, ITEMS, "п. 2.1", DEADLINE)
    reply = (await harness.send(COORDINATOR, "к осени"))[-1]
    assert reply.text == expect("corrections.bad_date")
    preview = (await harness.send(COORDINATOR, "31.12.2026"))[-1]
    deadline = "до 31 декабря 2026 г."
    assert expect("documents.deadline_set_line", number="2.1", deadline=deadline) in preview.text
    preview = await open_screen(
        harness, preview, ITEMS, "п. 1.2", expect("corrections.clear_deadline_button")
    )
    assert "п. 1.2:" not in preview.text

    # title, date, region
    await press(harness, preview, expect("corrections.title_button"))
    preview = (await harness.send(COORDINATOR, "Резолюция круглого стола <НКО & власть>"))[-1]
    assert "<b>Резолюция круглого стола &lt;НКО &amp; власть&gt;</b>" in preview.text
    await press(harness, preview, expect("corrections.date_button"))
    preview = (await harness.send(COORDINATOR, "13.03.2024"))[-1]
    assert "13 марта 2024 г." in preview.text
    # A date typed without a year is the last such day: a document is adopted in the past.
    today = services.clock.now().date()
    await press(harness, preview, expect("corrections.date_button"))
    preview = (await harness.send(COORDINATOR, "1 декабря"))[-1]
    year = today.year if (today.month, today.day) >= (12, 1) else today.year - 1
    assert f"1 декабря {year} г." in preview.text
    await press(harness, preview, expect("corrections.date_button"))
    preview = (await harness.send(COORDINATOR, "13.03.2024"))[-1]
    await press(harness, preview, expect("corrections.region_button"))
    picker = (await harness.send(COORDINATOR, "амур"))[-1]
    preview = shown(await press(harness, picker, REGION))
    assert REGION in preview.text
    assert_fits(preview)
    assert await services.documents.count() == 0  # nothing visible before «Опубликовать»

    calls = await press(harness, preview, PUBLISH)
    texts = harness.sent_texts(calls)
    assert any(expect("documents.published", n=3) in t for t in texts)
    offer = shown(calls)
    assert expect("documents.invite_next") in offer.text
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
    confirm = await open_screen(harness, preview, ITEMS, "п. 1.1", DROP)
    await press(harness, confirm, DROP_YES)
    calls = await harness.press(COORDINATOR, confirm, DROP_YES)  # the same old button
    alert = next(c for c in calls if c.method == "answerCallbackQuery")
    assert alert.params["text"] == plain("corrections.stale")
    # dropped once, not twice
    assert matches("documents.preview_head", n=3).within(shown(calls).text)


async def test_the_draft_and_its_corrections_survive_a_restart(harness, services, settings, db):
    await appoint(harness, COORDINATOR, REGION)
    preview = await upload(harness)
    preview = await open_screen(
        harness, preview, ADDRESSEES, "Общественная палата", KIND, expect("corrections.kind.ngo")
    )

    restarted = HandlerHarness(build_services(settings, db, services.clock))
    try:
        calls = await restarted.press(COORDINATOR, preview, PUBLISH)
        published = matches("documents.published")
        assert any(published.within(t) for t in restarted.sent_texts(calls))
    finally:
        await restarted.close()
    document = (await services.documents.list_documents())[0]
    kinds = {a.canonical: a.kind for a in await services.documents.addressees(document.id)}
    assert kinds["Общественная палата Амурской области"] == "ngo"


async def test_published_document_is_corrected_from_a_card(harness, services):
    await appoint(harness, COORDINATOR, REGION)
    await press(harness, await upload(harness), PUBLISH)
    document = (await services.documents.list_documents())[0]
    rec = (await services.documents.recommendations(document.id))[0]
    card_data = CardCallback(rec_id=rec.id).pack()

    await harness.send(MEMBER, "/start")
    member_card = shown(await harness.click(MEMBER, card_data))
    assert not [b for b, _ in member_card.buttons() if b == FIX]

    card = shown(await harness.click(COORDINATOR, card_data))
    screen = shown(await press(harness, card, FIX))
    assert matches("corrections.doc_head").within(screen.text)
    assert PUBLISH not in [b for b, _ in screen.buttons()]
    await open_screen(harness, screen, ADDRESSEES, "Правительство Амурской области", RENAME)
    screen = (await harness.send(COORDINATOR, "Правительство области"))[-1]
    assert addressee_line(GOVERNMENT, 3).within(screen.text)
    renamed = expect(
        "corrections.op_rename", addressee="Правительство Амурской области", name=GOVERNMENT
    )
    # who did it, in the history
    log = matches("corrections.log_line", role=expect("role.coordinator"), what=renamed)
    assert log.within(screen.text)
    addressees = await services.documents.addressees(document.id)
    assert addressees[0].canonical == "Правительство области"

    # Another region's coordinator sees no button and cannot press a forged one.
    await appoint(harness, 403, "Камчатский край")
    other_card = shown(await harness.click(403, card_data))
    assert not [b for b, _ in other_card.buttons() if b == FIX]
    forged = next(d for b, d in card.buttons() if b == FIX)
    calls = await harness.click(403, forged)
    alert = next(c for c in calls if c.method == "answerCallbackQuery")
    refusal = plain("access.region_coordinators_only", region=REGION)
    assert alert.params.get("show_alert") and alert.params["text"] == refusal


async def test_long_lists_page_with_buttons(harness, services):
    from tests.handlers.test_documents import AMUR_SEED

    await appoint(harness, COORDINATOR, REGION)
    calls = await harness.send_document(COORDINATOR, AMUR_SEED.read_bytes(), "резолюция.txt")
    preview = calls[-1]
    assert_fits(preview)
    first = shown(await press(harness, preview, ITEMS))
    draft_id = await services.db.fetchval("SELECT max(id) FROM document_drafts")
    view = await services.corrections.view(COORDINATOR, Ref("draft", draft_id))
    pages = -(-len(view.parsed.recommendations) // 8)
    assert expect("corrections.page", page=1, pages=pages) in first.text
    numbers = [b for b, _ in first.buttons() if b.startswith("п. ")]
    earlier, later = expect("corrections.prev_button"), expect("corrections.next_button")
    assert len(numbers) == 8 and earlier not in [b for b, _ in first.buttons()]
    second = shown(await press(harness, first, later))
    assert expect("corrections.page", page=2, pages=pages) in second.text
    assert earlier in [b for b, _ in second.buttons()]
    assert not set(numbers) & {b for b, _ in second.buttons()}
    assert_fits(second)
    item = shown(await press(harness, second, "п. "))
    assert_fits(item)


async def test_a_new_version_reports_changes_by_content(harness, services):
    """Issue 11.11: two reworded items and one added at the top: изменено — 2, новых — 1."""
    await appoint(harness, COORDINATOR, REGION)
    await press(harness, await upload(harness), PUBLISH)
    preview = await upload(harness, TWO_CHANGED_ONE_ADDED)
    assert expect("documents.changes", added=1, changed=2, removed=0) in preview.text
    added = expect(
        "documents.changes_numbers", label=expect("documents.changes_added"), numbers="1.1"
    )
    changed = expect(
        "documents.changes_numbers", label=expect("documents.changes_changed"), numbers="1.3, 2.1"
    )
    assert added in preview.text and changed in preview.text
    texts = harness.sent_texts(await press(harness, preview, PUBLISH))
    assert expect("documents.updated", added=1, changed=2, removed=0) in texts


async def test_a_document_without_a_region_gets_one_from_the_button(harness, services):
    await appoint(harness, COORDINATOR, REGION)
    await harness.send(ADMIN_ID, f"/coordinator {COORDINATOR} Камчатский край")
    text = (
        "РЕЗОЛЮЦИЯ круглого стола «Добровольчество»\n\n12 марта 2024 г.\n\n"
        "Администрации района:\n1. Провести форум добровольцев.\n"
    )
    preview = await upload(harness, text)
    assert expect("documents.no_meta") not in preview.text
    calls = await harness.press(COORDINATOR, preview, PUBLISH)
    alert = next(c for c in calls if c.method == "answerCallbackQuery")
    assert alert.params["text"] == plain("access.region_unknown")
    await press(harness, preview, expect("corrections.region_button"))
    picker = (await harness.send(COORDINATOR, "камч"))[-1]
    preview = shown(await press(harness, picker, "Камчатский край"))
    assert "Камчатский край" in preview.text
    await press(harness, preview, PUBLISH)
    assert [d.region for d in await services.documents.list_documents()] == ["Камчатский край"]

"""/announce and /announcements through the real Dispatcher (recording session)."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from bot.announcements import Content, parse_local_time
from bot.errors import InvalidInput, PermissionDenied, Stale
from bot.ratelimit import RateLimiter
from bot.telegram.progress import ProgressReporter
from bot.users import TelegramIdentity
from bot.vocabulary import kind_label
from handlers.callbacks import AnnounceCallback
from tests.conftest import ADMIN_ID
from tests.texts import expect, matches, plain

AMUR = "Амурская область"
COORD = 501
BOLD = [{"type": "bold", "offset": 0, "length": 5}]
# Recipients see who sent an announcement: a line in italics before the author's text.
SIGNATURE = plain("announce.signature_coordinator", region="Амурская область")
SIGNED = SIGNATURE + "\n\n"
ALL_BUTTON = expect("announce.audience_all_button", n=5)
SEND_NOW = expect("announce.send_now_button")
WHEN, ZONE = "03.03.2026 10:00", "Амурская область, UTC+9"  # Blagoveshchensk's local time
SIGNED_BOLD = [
    {"type": "italic", "offset": 0, "length": len(SIGNATURE.encode("utf-16-le")) // 2},
    {"type": "bold", "offset": len(SIGNED.encode("utf-16-le")) // 2, "length": 5},
]


async def member(services, user_id: int, region: str, kind: str | None = "ngo", active=True):
    await services.users.touch(TelegramIdentity(id=user_id, first_name=f"U{user_id}"))
    now = services.clock.iso()
    await services.db.execute(
        "UPDATE users SET region = ?, org_kind = ?, is_active = ? WHERE id = ?",
        (region, kind, int(active), user_id),
    )
    await services.db.execute(
        "INSERT INTO subscriptions (user_id, region, created_at) VALUES (?, ?, ?)",
        (user_id, region, now),
    )


@pytest.fixture
async def region(services):
    """A coordinator of the Amur region; five active subscribers there (3 NGOs, 2 businesses),
    one who blocked the bot, and one subscriber elsewhere."""
    await services.users.touch(TelegramIdentity(id=COORD, first_name="Ольга"))
    await services.access.repo.add_coordinator(COORD, AMUR, ADMIN_ID, services.clock.iso())
    for n in range(1, 6):
        await member(services, 1000 + n, AMUR, "ngo" if n <= 3 else "business")
    await member(services, 1006, AMUR, "ngo", active=False)
    await member(services, 2001, "Москва", "ngo")
    return AMUR


async def outbox_rows(services, announcement_id: int):
    return await services.db.fetchall(
        "SELECT * FROM outbox WHERE kind = 'announce' AND ref_id = ? ORDER BY recipient_id",
        (announcement_id,),
    )


async def compose(harness, text="Форум в субботу", entities=BOLD):
    calls = await harness.send(COORD, "/announce")
    assert calls[-1].text == expect("announce.ask_text", region=AMUR)
    calls = await harness.send(COORD, text, entities=entities)
    return calls[-1]


async def test_compose_preview_and_send_now(harness, services, region):
    menu = await compose(harness)
    assert menu.text == expect("announce.pick_audience", region=AMUR, n=5)

    calls = await harness.press(COORD, menu, ALL_BUTTON)
    copy = next(c for c in calls if (c.params.get("text") or "").endswith("Форум в субботу"))
    # The recipients' message: who sent it, then the author's own formatting, no HTML parsing.
    assert copy.params["text"] == SIGNED + "Форум в субботу"
    assert copy.params["entities"] == SIGNED_BOLD and "parse_mode" not in copy.params
    control = calls[-1]
    audience = expect("announce.audience_region", region=AMUR)
    assert control.text == expect("announce.preview", n=5, audience=audience)

    calls = await harness.press(COORD, control, SEND_NOW)
    announcement_id = await services.db.fetchval("SELECT id FROM announcements")
    rows = await outbox_rows(services, announcement_id)
    assert [r["recipient_id"] for r in rows] == [1001, 1002, 1003, 1004, 1005]
    assert {r["dedup_key"] for r in rows} == {f"announce:{announcement_id}:{u}" for u in
                                               range(1001, 1006)}  # fmt: skip
    payload = json.loads(rows[0]["payload"])
    assert payload == {
        "text": SIGNED + "Форум в субботу",
        "parse_mode": None,
        "entities": SIGNED_BOLD,
    }
    progress = next(c for c in calls if c.method == "editMessageText")
    assert progress.text == matches("announce.progress", total=5)
    assert expect("announce.stop_button") in [text for text, _ in progress.buttons()]

    # A second press does not queue it twice.
    calls = await harness.press(COORD, control, SEND_NOW)
    assert harness.session.calls[-1].params["text"] == plain("announce.already_sent")
    assert len(await outbox_rows(services, announcement_id)) == 5


async def test_audience_narrowed_to_kinds_of_organization(harness, services, region):
    menu = await compose(harness)
    calls = await harness.press(COORD, menu, expect("announce.audience_kinds_button"))
    kinds = calls[-1]
    ngo, business = kind_label("ngo"), kind_label("business")
    calls = await harness.press(COORD, kinds, business)
    assert calls[-1].text == expect("announce.pick_kinds", n=2)
    calls = await harness.press(COORD, calls[-1], ngo)
    assert calls[-1].text == expect("announce.pick_kinds", n=5)
    assert {f"✅ {ngo}", f"✅ {business}"} <= {text for text, _ in calls[-1].buttons()}
    calls = await harness.press(COORD, calls[-1], business)  # unticked again
    calls = await harness.press(COORD, calls[-1], expect("announce.kinds_done_button", n=3))
    control = calls[-1]
    audience = expect("announce.audience_kinds", region=AMUR, kinds=ngo)
    assert control.text == expect("announce.preview", n=3, audience=audience)
    await harness.press(COORD, control, SEND_NOW)
    rows = await services.db.fetchall("SELECT recipient_id FROM outbox ORDER BY 1")
    assert [r[0] for r in rows] == [1001, 1002, 1003]


async def test_audience_of_the_followers_of_one_resolution(harness, services, region):
    now = services.clock.iso()
    doc = await services.db.execute(
        "INSERT INTO documents (doc_key, source, content_hash, title, region, created_at,"
        " updated_at) VALUES ('k', 's', 'h', 'Резолюция форума НКО', ?, ?, ?)",
        (AMUR, now, now),
    )
    recs = [
        await services.db.execute(
            "INSERT INTO recommendations (document_id, position, number, text, created_at,"
            " updated_at) VALUES (?, ?, ?, 'Рекомендация', ?, ?)",
            (doc, n, str(n), now, now),
        )
        for n in (1, 2)
    ]
    await services.users.touch(TelegramIdentity(id=3001, first_name="Не подписан"))
    for user_id, rec in ((1001, recs[0]), (1001, recs[1]), (3001, recs[1])):
        await services.db.execute(
            "INSERT INTO follows (user_id, recommendation_id, created_at) VALUES (?, ?, ?)",
            (user_id, rec, now),
        )
    menu = await compose(harness)
    calls = await harness.press(COORD, menu, expect("announce.audience_document_button"))
    calls = await harness.press(COORD, calls[-1], "Резолюция форума НКО")
    control = calls[-1]
    audience = expect("announce.audience_document", title="Резолюция форума НКО")
    assert control.text == expect("announce.preview", n=2, audience=audience)
    await harness.press(COORD, control, SEND_NOW)
    rows = await services.db.fetchall("SELECT recipient_id FROM outbox ORDER BY 1")
    assert [r[0] for r in rows] == [1001, 3001]


async def test_schedule_at_local_time_and_cancel(harness, services, region):
    # The clock says 2026-03-02 07:00 UTC: 16:00 in Blagoveshchensk (UTC+9).
    menu = await compose(harness)
    calls = await harness.press(COORD, menu, ALL_BUTTON)
    control = calls[-1]
    calls = await harness.press(COORD, control, expect("announce.schedule_button"))
    assert calls[-1].text == matches("announce.ask_time", region=AMUR, zone="UTC+9")

    calls = await harness.send(COORD, "завтра утром")
    assert calls[-1].text == matches("announce.bad_time")
    calls = await harness.send(COORD, "02.03.2026 15:00")
    assert calls[-1].text == matches("announce.time_in_past")
    calls = await harness.send(COORD, "03.03.2026 10:00")
    scheduled = calls[-1]
    assert scheduled.text == matches("announce.scheduled", when=WHEN, zone=ZONE, total=5)
    rows = await services.db.fetchall("SELECT not_before, status FROM outbox")
    assert {tuple(r) for r in rows} == {("2026-03-03T01:00:00+00:00", "pending")}

    calls = await harness.press(COORD, scheduled, expect("announce.cancel_scheduled_button"))
    assert calls[-1].text == matches("announce.stopped", cancelled=5)
    rows = await services.db.fetchall("SELECT DISTINCT status FROM outbox")
    assert [r[0] for r in rows] == ["cancelled"]
    status = await services.db.fetchval("SELECT status FROM announcements")
    assert status == "cancelled"


async def test_photo_with_caption_keeps_its_entities(harness, services, region):
    await harness.send(COORD, "/announce")
    photo = [{"file_id": "PHOTO-1", "file_unique_id": "u1", "width": 800, "height": 600}]
    message = harness.message_dict(
        COORD, None, photo=photo, caption="Афиша форума", caption_entities=BOLD
    )
    calls = await harness.feed({"message": message})
    calls = await harness.press(COORD, calls[-1], ALL_BUTTON)
    copy = next(c for c in calls if c.method == "sendPhoto")
    assert copy.params["photo"] == "PHOTO-1" and copy.params["caption_entities"] == SIGNED_BOLD
    assert copy.params["caption"] == SIGNED + "Афиша форума"

    await harness.send(COORD, "/announce")
    message = harness.message_dict(COORD, None, photo=photo, caption="я" * 1100)
    calls = await harness.feed({"message": message})
    # room for the line saying who sent it
    assert calls[-1].text == expect("announce.caption_too_long", limit=924)


async def test_a_command_ends_the_dialog(harness, region):
    await harness.send(COORD, "/announce")
    calls = await harness.send(COORD, "/announcements")
    assert calls[-1].text == expect("announce.list_empty")
    calls = await harness.send(COORD, "просто текст")
    assert not any(matches("announce.pick_audience") == c.text for c in calls)
    # A command of a router further down the list is handled by it, too.
    await harness.send(COORD, "/announce")
    calls = await harness.send(COORD, "/tasks")
    assert calls[-1].text == expect("tasks.not_official")
    assert await harness.services.db.fetchval("SELECT count(*) FROM announcements") == 0


async def test_back_from_the_documents_and_discarding_the_draft(harness, services, region):
    texts = harness.texts
    now = services.clock.iso()
    await services.db.execute(
        "INSERT INTO documents (doc_key, source, content_hash, title, region, created_at,"
        " updated_at) VALUES ('k', 's', 'h', 'Резолюция форума НКО', ?, ?, ?)",
        (AMUR, now, now),
    )
    menu = await compose(harness)
    documents = (
        await harness.press(COORD, menu, texts.plain("announce.audience_document_button"))
    )[-1]
    assert documents.text == texts.plain("announce.pick_document")
    calls = await harness.press(COORD, documents, texts.plain("announce.back_button"))
    again = calls[-1]
    assert again.text == menu.text  # the same audience menu, nothing chosen
    assert [t for t, _ in again.buttons()] == [t for t, _ in menu.buttons()]

    calls = await harness.press(COORD, again, texts.plain("announce.cancel_button"))
    assert calls[-1].params["text"] == texts.plain("announce.discarded")
    assert await services.db.fetchval("SELECT status FROM announcements") == "cancelled"
    # The old menu's buttons no longer do anything but say so.
    calls = await harness.press(COORD, again, texts.plain("announce.audience_kinds_button"))
    assert calls[-1].params["show_alert"] is True
    assert not await services.db.fetchval("SELECT count(*) FROM outbox")


async def test_only_coordinators_of_the_region_and_admins(harness, services, region):
    calls = await harness.send(1001, "/announce")
    assert calls[-1].text == expect("access.coordinators_only")

    draft = await services.announcements.create_draft(COORD, AMUR, Content("Анонс"))
    with pytest.raises(PermissionDenied):
        await services.announcements.create_draft(1001, AMUR, Content("Анонс"))
    await services.access.repo.add_coordinator(2001, "Москва", ADMIN_ID, services.clock.iso())
    with pytest.raises(PermissionDenied):
        await services.announcements.send(2001, draft.id)
    # A forged button does no more than the service allows.
    forged = AnnounceCallback(action="now", id=draft.id).pack()
    await harness.click(2001, forged)
    refusal = plain("access.region_coordinators_only", region=AMUR)
    assert harness.session.calls[-1].params["text"] == refusal
    assert not await outbox_rows(services, draft.id)

    # Admins may announce to any region: they name it.
    await services.users.touch(TelegramIdentity(id=ADMIN_ID, first_name="Админ"))
    calls = await harness.send(ADMIN_ID, "/announce")
    assert calls[-1].text == expect("announce.pick_region")
    calls = await harness.send(ADMIN_ID, "камчат")
    assert calls[-1].text == expect("announce.ask_text", region="Камчатский край")


async def test_service_rules(services, region, clock):
    service = services.announcements
    with pytest.raises(InvalidInput) as info:
        await service.create_draft(COORD, AMUR, Content("   "))
    assert info.value.key == "announce.empty"
    draft = await service.create_draft(COORD, AMUR, Content("Анонс"))
    await service.set_audience(COORD, draft.id, kinds=["media"])
    with pytest.raises(InvalidInput) as info:
        await service.send(COORD, draft.id)
    assert info.value.key == "announce.no_recipients"
    with pytest.raises(InvalidInput):
        await service.set_audience(COORD, draft.id, document_id=999)
    await service.set_audience(COORD, draft.id)
    sent = await service.send(COORD, draft.id)
    assert sent.status == "queued" and sent.recipients == 5
    with pytest.raises(Stale):
        await service.send(COORD, draft.id)


async def test_three_thousand_recipients_are_queued_fast(services, region):
    import time

    now = services.clock.iso()
    ids = range(10_000, 13_000)
    await services.db.executemany(
        "INSERT INTO users (id, first_name, created_at, updated_at) VALUES (?, 'U', ?, ?)",
        [(i, now, now) for i in ids],
    )
    await services.db.executemany(
        "INSERT INTO subscriptions (user_id, region, created_at) VALUES (?, ?, ?)",
        [(i, AMUR, now) for i in ids],
    )
    draft = await services.announcements.create_draft(COORD, AMUR, Content("Анонс"))
    started = time.perf_counter()
    sent = await services.announcements.send(COORD, draft.id)
    assert time.perf_counter() - started < 0.5
    assert sent.recipients == 3005
    assert await services.db.fetchval("SELECT count(*) FROM outbox") == 3005


async def test_progress_is_edited_when_figures_change_then_reported(harness, services, region):
    menu = await compose(harness)
    calls = await harness.press(COORD, menu, ALL_BUTTON)
    await harness.press(COORD, calls[-1], SEND_NOW)
    announcement_id = await services.db.fetchval("SELECT id FROM announcements")
    reporter = ProgressReporter(services, harness.bot, RateLimiter(0, chat_interval=0))

    harness.clear()
    await reporter.tick()
    assert not harness.calls  # nothing changed since the handler showed it

    await services.db.execute(
        "UPDATE outbox SET status = 'sent' WHERE recipient_id IN (1001, 1002, 1003)"
    )
    await services.db.execute("UPDATE outbox SET status = 'blocked' WHERE recipient_id = 1004")
    await reporter.tick()
    [edit] = harness.calls
    assert edit.method == "editMessageText"
    assert edit.text == matches("announce.progress", sent=3, total=5, blocked=1, left=1)

    harness.clear()
    await reporter.tick()
    assert not harness.calls

    await services.db.execute("UPDATE outbox SET status = 'failed' WHERE recipient_id = 1005")
    await reporter.tick()
    [edit] = harness.calls
    assert edit.text == matches("announce.finished", sent=3, total=5)
    assert not edit.buttons()
    assert await services.db.fetchval("SELECT status FROM announcements") == "done"
    report = await services.db.fetchone(
        "SELECT * FROM outbox WHERE dedup_key = ?", (f"announce-report:{announcement_id}",)
    )
    assert report["recipient_id"] == COORD
    reported = json.loads(report["payload"])["text"]
    assert reported == expect("announce.report", id=announcement_id, sent=3, total=5)

    harness.clear()
    await reporter.tick()
    assert not harness.calls


async def test_announcements_are_listed_with_figures_in_pages(harness, services, region):
    service = services.announcements
    for n in range(7):
        draft = await service.create_draft(COORD, AMUR, Content(f"Анонс номер {n}"))
        await service.send(COORD, draft.id)
    await services.db.execute("UPDATE outbox SET status = 'sent' WHERE ref_id = 7")
    calls = await harness.send(COORD, "/announcements")
    listing = calls[-1]
    assert matches("announce.list_header", total=7, page=1, pages=2).within(listing.text)
    assert "№7" in listing.text and "№3" in listing.text and "№2" not in listing.text
    assert matches("announce.figures", sent=5).within(listing.text)
    assert "Анонс номер 6" in listing.text
    calls = await harness.press(COORD, listing, expect("announce.next_button"))
    assert "№2" in calls[-1].text and "№1" in calls[-1].text and "№7" not in calls[-1].text

    calls = await harness.send(1001, "/announcements")
    assert calls[-1].text == expect("access.coordinators_only")


async def test_stopping_one_in_the_list_redraws_the_list(harness, services, region):
    service = services.announcements
    later = services.clock.now() + dt.timedelta(days=2)
    for n in range(7):
        draft = await service.create_draft(COORD, AMUR, Content(f"Анонс номер {n}"))
        await service.send(COORD, draft.id, at=later)
    listing = (await harness.send(COORD, "/announcements"))[-1]
    # page 2: №2 and №1
    listing = (await harness.press(COORD, listing, expect("announce.next_button")))[-1]
    calls = await harness.press(COORD, listing, expect("announce.stop_listed_button", id=2))
    redrawn = [c for c in calls if c.method == "editMessageText"][-1]
    # the same page, redrawn
    assert matches("announce.list_header", page=2, pages=2).within(redrawn.text)
    cancelled = expect("announce.state_cancelled")
    assert matches("announce.list_item", id=2, state=cancelled).within(redrawn.text)
    buttons = [t for t, _ in redrawn.buttons()]
    assert expect("announce.stop_listed_button", id=1) in buttons
    assert expect("announce.stop_listed_button", id=2) not in buttons
    # the page buttons are still there
    assert expect("announce.prev_button") in buttons


async def test_schedule_typed_as_people_write_it(harness, services, region):
    # The clock says 2026-03-02 07:00 UTC: 16:00 in Blagoveshchensk (UTC+9).
    menu = await compose(harness)
    calls = await harness.press(COORD, menu, ALL_BUTTON)
    calls = await harness.press(COORD, calls[-1], expect("announce.schedule_button"))
    assert "завтра в 10:00" in calls[-1].text  # the prompt shows the words that work
    calls = await harness.send(COORD, "завтра в 10")
    assert calls[-1].text == matches("announce.scheduled", when=WHEN, zone=ZONE)


@pytest.mark.parametrize(
    ("typed", "local"),
    [
        ("03.03.2026 10:00", "2026-03-03 10:00"),
        ("завтра в 10", "2026-03-03 10:00"),
        ("Завтра 9:30", "2026-03-03 09:30"),
        ("послезавтра в 18.00", "2026-03-04 18:00"),
        ("сегодня в 18:00", "2026-03-02 18:00"),
        ("в 18:00", "2026-03-02 18:00"),
        ("8 марта в 12:00", "2026-03-08 12:00"),
        ("08.03 12:00", "2026-03-08 12:00"),
        ("1 марта 12:00", "2027-03-01 12:00"),  # the next 1 March
        ("5 апреля 2026 г. в 11:15", "2026-04-05 11:15"),
    ],
)
def test_schedule_times_people_type(typed, local):
    zone = ZoneInfo("Asia/Yakutsk")
    now = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)
    at = parse_local_time(typed, zone, now)
    assert at.astimezone(zone).strftime("%Y-%m-%d %H:%M") == local


@pytest.mark.parametrize("typed", ["завтра утром", "завтра", "25:00", "31.02 10:00", "вечером"])
def test_schedule_times_not_understood(typed):
    with pytest.raises(InvalidInput):
        parse_local_time(typed, ZoneInfo("Asia/Yakutsk"), dt.datetime(2026, 3, 2, 7, tzinfo=dt.UTC))

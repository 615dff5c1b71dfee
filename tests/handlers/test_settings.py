"""/settings, the digest's own buttons, /pause and snoozing a nudge."""

from tests.conftest import ADMIN_ID
from tests.texts import expect, matches, matches_plain, plain

USER = 71


async def test_settings_change_frequency_day_hour_and_notify(harness, services):
    await harness.send(USER, "/start")
    calls = await harness.send(USER, "/settings")
    card = calls[-1]
    assert expect("settings.digest_weekly", day="понедельник", hour=10) in card.text
    calls = await harness.press(USER, card, expect("settings.freq_daily"))
    assert (await services.users.get(USER)).digest_frequency == "daily"
    edited = next(c for c in calls if c.method == "editMessageText")
    assert expect("settings.digest_daily", hour=10) in edited.text
    # A daily digest has no day to choose.
    assert not any(matches("settings.day_button") == t for t, _ in edited.buttons())
    calls = await harness.press(USER, edited, expect("settings.freq_weekly"))
    edited = next(c for c in calls if c.method == "editMessageText")

    # Each picker shows every choice at once: 10:00 → 9:00 is one tap, not six.
    calls = await harness.press(USER, edited, expect("settings.day_button", day="понедельник"))
    picker = next(c for c in calls if c.method == "editMessageText")
    assert picker.text == expect("settings.pick_day")
    assert len(picker.buttons()) == 8  # 7 days and «Назад»
    calls = await harness.press(USER, picker, "среда")
    edited = next(c for c in calls if c.method == "editMessageText")
    assert expect("settings.day_button", day="среда") in [b[0] for b in edited.buttons()]
    calls = await harness.press(USER, edited, expect("settings.hour_button", hour=10))
    picker = next(c for c in calls if c.method == "editMessageText")
    assert "• 10:00" in [b[0] for b in picker.buttons()]
    calls = await harness.press(USER, picker, "9:00")
    answer = next(c for c in calls if c.method == "answerCallbackQuery")
    assert answer.params["text"] == plain("settings.saved_hour", hour=9)
    user = await services.users.get(USER)
    assert (user.digest_weekday, user.digest_hour) == (2, 9)
    edited = next(c for c in calls if c.method == "editMessageText")
    assert expect("settings.digest_weekly", day="среда", hour=9) in edited.text
    # «Назад» from a picker leaves everything as it was.
    calls = await harness.press(USER, edited, expect("settings.hour_button", hour=9))
    calls = await harness.press(USER, calls[-1], expect("settings.back"))
    back = next(c for c in calls if c.method == "editMessageText").text
    assert expect("settings.digest_weekly", day="среда", hour=9) in back
    # A forged choice is refused.
    calls = await harness.click(USER, "set:set_hour:3")
    assert calls[0].params["text"] == plain("settings.bad_value")
    assert (await services.users.get(USER)).digest_hour == 9
    await harness.press(USER, edited, expect("settings.switch_notify_digest"))
    assert (await services.users.get(USER)).follow_notify == "digest"


async def test_digest_buttons_switch_off(harness, services):
    await harness.send(USER, "/start")
    calls = await harness.click(USER, "dg:off")
    assert (await services.users.get(USER)).digest_frequency == "off"
    assert (await services.users.get(USER)).next_digest_at is None
    assert any(
        matches("settings.card", digest=expect("settings.digest_off")).within(c.text) for c in calls
    )


async def test_a_digest_button_answers_below_the_digest_whatever_the_digest_says(harness):
    """Where a button was pressed decides by its callback data, not by the message's words: a
    digest that quotes a title with «Настройки» in it stays, the settings come below it."""
    await harness.send(USER, "/start")
    digest = harness.message_dict(USER, "Новое: «Настройки цифровых сервисов для НКО», п. 2")
    calls = await harness.click(USER, "dg:daily", digest)
    assert not [c for c in calls if c.method == "editMessageText"]
    sent = [c for c in calls if c.method == "sendMessage"]
    head = harness.texts("settings.card", digest="", notify="", regions="").split("\n")[0]
    assert len(sent) == 1 and sent[0].text.startswith(head)


async def test_with_digests_off_there_is_no_day_hour_or_changes_in_the_digest(harness, services):
    await harness.send(USER, "/start")
    await services.preferences.set_follow_notify(USER, "digest")
    card = (await harness.send(USER, "/settings"))[-1]
    calls = await harness.press(USER, card, expect("settings.freq_off"))
    edited = next(c for c in calls if c.method == "editMessageText")
    labels = [t for t, _ in edited.buttons()]
    off = ("settings.day_button", "settings.hour_button", "settings.switch_notify_immediate")
    assert not any(matches(key) == t for t in labels for key in off)
    assert expect("settings.switch_notify_digest") not in labels
    # Without digests a follower hears of changes at once, and the card says so.
    assert matches("settings.card", notify=expect("settings.notify_immediate")).within(edited.text)
    calls = await harness.press(USER, edited, expect("settings.freq_weekly"))
    edited = next(c for c in calls if c.method == "editMessageText")
    assert matches("settings.card", notify=expect("settings.notify_digest")).within(edited.text)
    assert expect("settings.switch_notify_immediate") in [t for t, _ in edited.buttons()]


async def test_add_and_remove_a_region(harness, services):
    await harness.send(USER, "/start")
    await services.profiles.set_region(USER, "Амурская область")
    card = (await harness.send(USER, "/settings"))[-1]
    calls = await harness.press(USER, card, expect("settings.add_region"))
    calls = await harness.send(USER, "камч")
    calls = await harness.press(USER, calls[-1], "Камчатский край")
    assert (await services.profiles.get(USER)).subscriptions == (
        "Амурская область",
        "Камчатский край",
    )
    card = next(c for c in calls if matches("settings.card").within(c.text))
    await harness.press(USER, card, expect("settings.drop_region", region="Камчатский край"))
    assert (await services.profiles.get(USER)).subscriptions == ("Амурская область",)


async def test_pause_and_resume_nudges(harness, services):
    await harness.send(USER, "/start")
    calls = await harness.send(USER, "/pause")
    calls = await harness.press(USER, calls[-1], expect("pause.option", n=14))
    assert any(c.text == matches("pause.paused") for c in calls)
    assert (await services.users.get(USER)).nudges_paused_until is not None
    calls = await harness.send(USER, "/pause")
    await harness.press(USER, calls[-1], expect("pause.resume"))
    assert (await services.users.get(USER)).nudges_paused_until is None


async def test_snooze_button_on_a_nudge(harness, services, seeded):
    rec = (await services.documents.recommendations(seeded["002"].document_id))[0]
    await harness.send(USER, "/start")
    calls = await harness.click(USER, f"snz:{rec.id}")  # a member has no reminders to snooze
    answer = next(c for c in calls if c.method == "answerCallbackQuery")
    assert answer.params["text"] == plain("access.not_responsible")
    assert await services.nudges.repo.snoozes(USER) == {}

    await harness.send(ADMIN_ID, "/start")
    calls = await harness.click(ADMIN_ID, f"snz:{rec.id}")
    answer = next(c for c in calls if c.method == "answerCallbackQuery")
    assert answer.params["text"] == matches_plain("nudge.snoozed_ok")
    assert rec.id in await services.nudges.repo.snoozes(ADMIN_ID)


async def test_the_end_of_a_pause_is_a_local_date(harness, services):
    import datetime as dt

    await harness.send(USER, "/start")
    await services.profiles.set_region(USER, "Камчатский край")  # UTC+12
    # 13:00 UTC on 2 March is already 01:00 on 3 March in Petropavlovsk-Kamchatsky.
    services.clock.at = dt.datetime(2026, 3, 2, 13, 0, tzinfo=dt.UTC)
    calls = await harness.send(USER, "/pause")
    calls = await harness.press(USER, calls[-1], expect("pause.option", n=7))
    assert expect("pause.paused", until="10 марта 2026 г.") in harness.sent_texts(calls)

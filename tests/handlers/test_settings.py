"""/settings, the digest's own buttons, /pause and snoozing a nudge."""

from tests.conftest import ADMIN_ID

USER = 71


async def test_settings_change_frequency_day_hour_and_notify(harness, services):
    await harness.send(USER, "/start")
    calls = await harness.send(USER, "/settings")
    card = calls[-1]
    assert "раз в неделю, понедельник, в 10:00" in card.text
    calls = await harness.press(USER, card, "Ежедневно")
    assert (await services.users.get(USER)).digest_frequency == "daily"
    edited = next(c for c in calls if c.method == "editMessageText")
    assert "каждый день в 10:00" in edited.text
    # A daily digest has no day to choose.
    assert not any(t.startswith("День:") for t, _ in edited.buttons())
    calls = await harness.press(USER, edited, "Еженедельно")
    edited = next(c for c in calls if c.method == "editMessageText")

    # Each picker shows every choice at once: 10:00 → 9:00 is one tap, not six.
    calls = await harness.press(USER, edited, "День:")
    picker = next(c for c in calls if c.method == "editMessageText")
    assert "день недели" in picker.text and len(picker.buttons()) == 8  # 7 days and «Назад»
    calls = await harness.press(USER, picker, "среда")
    edited = next(c for c in calls if c.method == "editMessageText")
    assert "День: среда" in [b[0] for b in edited.buttons()]
    calls = await harness.press(USER, edited, "Час:")
    picker = next(c for c in calls if c.method == "editMessageText")
    assert "• 10:00" in [b[0] for b in picker.buttons()]
    calls = await harness.press(USER, picker, "9:00")
    answer = next(c for c in calls if c.method == "answerCallbackQuery")
    assert answer.params["text"] == "Час сводки: 9:00"
    user = await services.users.get(USER)
    assert (user.digest_weekday, user.digest_hour) == (2, 9)
    edited = next(c for c in calls if c.method == "editMessageText")
    assert "раз в неделю, среда, в 9:00" in edited.text
    # «Назад» from a picker leaves everything as it was.
    calls = await harness.press(USER, edited, "Час:")
    calls = await harness.press(USER, calls[-1], "Назад")
    back = next(c for c in calls if c.method == "editMessageText").text
    assert "раз в неделю, среда, в 9:00" in back
    # A forged choice is refused.
    calls = await harness.click(USER, "set:set_hour:3")
    assert "Недопустимое" in calls[0].params["text"]
    assert (await services.users.get(USER)).digest_hour == 9
    await harness.press(USER, edited, "Изменения — в сводке")
    assert (await services.users.get(USER)).follow_notify == "digest"


async def test_digest_buttons_switch_off(harness, services):
    await harness.send(USER, "/start")
    calls = await harness.click(USER, "dg:off")
    assert (await services.users.get(USER)).digest_frequency == "off"
    assert (await services.users.get(USER)).next_digest_at is None
    assert any("Сводка: выключена" in (c.text or "") for c in calls)


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
    calls = await harness.press(USER, card, "Выключить")
    edited = next(c for c in calls if c.method == "editMessageText")
    labels = [t for t, _ in edited.buttons()]
    assert not any(t.startswith(("День:", "Час:", "Изменения")) for t in labels)
    # Without digests a follower hears of changes at once, and the card says so.
    assert "следите: сразу" in edited.text
    calls = await harness.press(USER, edited, "Еженедельно")
    edited = next(c for c in calls if c.method == "editMessageText")
    assert "следите: в сводке" in edited.text
    assert "Изменения — сразу" in [t for t, _ in edited.buttons()]


async def test_add_and_remove_a_region(harness, services):
    await harness.send(USER, "/start")
    await services.profiles.set_region(USER, "Амурская область")
    card = (await harness.send(USER, "/settings"))[-1]
    calls = await harness.press(USER, card, "Добавить регион")
    calls = await harness.send(USER, "камч")
    calls = await harness.press(USER, calls[-1], "Камчатский край")
    assert (await services.profiles.get(USER)).subscriptions == (
        "Амурская область",
        "Камчатский край",
    )
    card = next(c for c in calls if c.text and "Настройки" in c.text)
    await harness.press(USER, card, "✖ Камчатский край")
    assert (await services.profiles.get(USER)).subscriptions == ("Амурская область",)


async def test_pause_and_resume_nudges(harness, services):
    await harness.send(USER, "/start")
    calls = await harness.send(USER, "/pause")
    calls = await harness.press(USER, calls[-1], "14 дней")
    assert any("приостановлены до" in (c.text or "") for c in calls)
    assert (await services.users.get(USER)).nudges_paused_until is not None
    calls = await harness.send(USER, "/pause")
    await harness.press(USER, calls[-1], "Возобновить")
    assert (await services.users.get(USER)).nudges_paused_until is None


async def test_snooze_button_on_a_nudge(harness, services, seeded):
    rec = (await services.documents.recommendations(seeded["002"].document_id))[0]
    await harness.send(USER, "/start")
    calls = await harness.click(USER, f"snz:{rec.id}")  # a member has no reminders to snooze
    answer = next(c for c in calls if c.method == "answerCallbackQuery")
    assert "Отчитываться по этой рекомендации могут" in answer.params["text"]
    assert await services.nudges.repo.snoozes(USER) == {}

    await harness.send(ADMIN_ID, "/start")
    calls = await harness.click(ADMIN_ID, f"snz:{rec.id}")
    answer = next(c for c in calls if c.method == "answerCallbackQuery")
    assert "через неделю" in answer.params["text"]
    assert rec.id in await services.nudges.repo.snoozes(ADMIN_ID)


async def test_the_end_of_a_pause_is_a_local_date(harness, services):
    import datetime as dt

    await harness.send(USER, "/start")
    await services.profiles.set_region(USER, "Камчатский край")  # UTC+12
    # 13:00 UTC on 2 March is already 01:00 on 3 March in Petropavlovsk-Kamchatsky.
    services.clock.at = dt.datetime(2026, 3, 2, 13, 0, tzinfo=dt.UTC)
    calls = await harness.send(USER, "/pause")
    calls = await harness.press(USER, calls[-1], "7 дней")
    assert any("приостановлены до 10 марта 2026 г." in (c.text or "") for c in calls)

"""Officials join by invite, see /tasks and report from a card; members assess and follow."""

import re

import pytest

from tests.conftest import ADMIN_ID

COORD, OFFICIAL, MEMBER = 21, 22, 23


@pytest.fixture
async def amur(harness, services, seeded):
    for user_id in (COORD, OFFICIAL, MEMBER, ADMIN_ID):
        await harness.send(user_id, "/start")
    await harness.send(ADMIN_ID, f"/coordinator {COORD} Амурская область")
    return seeded["002"]


async def invite_official(harness, amur) -> str:
    calls = await harness.send(COORD, "/invite")
    docs = calls[-1]
    calls = await harness.press(COORD, docs, "СОНКО")  # the Amur forum's title
    calls = await harness.press(COORD, calls[-1], "Правительство области")
    assert "Сколько человек" in calls[-1].text
    calls = await harness.press(COORD, calls[-1], "1 человек")
    link = re.search(r"https://t\.me/\S+\?start=(inv_[\w-]+)", calls[-1].text)
    assert link, calls[-1].text
    return link.group(1)


async def join_and_open_first_task(harness, amur):
    """The official joins by invite and opens the first card of /tasks: (rec_id, card)."""
    payload = await invite_official(harness, amur)
    calls = await harness.send(OFFICIAL, f"/start {payload}")
    await harness.press(OFFICIAL, calls[-1], "Подтвердить")
    tasks = (await harness.send(OFFICIAL, "/tasks"))[-1]
    rec_id = int(tasks.buttons()[0][1].split(":")[1])
    card = next(c for c in await harness.press(OFFICIAL, tasks, "1") if c.method == "sendMessage")
    return rec_id, card


async def test_invite_join_tasks_report_with_evidence(harness, services, amur):
    payload = await invite_official(harness, amur)
    assert len(payload) <= 64

    calls = await harness.send(OFFICIAL, f"/start {payload}")
    assert "Правительство области" in calls[-1].text
    calls = await harness.press(OFFICIAL, calls[-1], "Подтвердить")
    assert any("Вы представляете" in (c.text or "") for c in calls)

    # The link was for one person: a second person is refused.
    calls = await harness.send(MEMBER, f"/start {payload}")
    assert "уже воспользовались" in calls[-1].text

    calls = await harness.send(OFFICIAL, "/tasks")
    tasks = calls[-1]
    assert "Задачи вашего органа: 16" in tasks.text  # 15 own + a joint one (6.6)
    # «в 2016 году» in item 11 is long past: that one is overdue and shown first.
    assert "просрочено — 1 " in tasks.text and "не начато — 15" in tasks.text
    assert "🔴 Просрочено" in tasks.text and "до конца 2016 г." in tasks.text

    # A member follows the first item before the report.
    rec_id = int(tasks.buttons()[0][1].split(":")[1])
    await harness.click(MEMBER, f"card:{rec_id}")
    await harness.click(MEMBER, f"fl:{rec_id}:1")

    calls = await harness.press(OFFICIAL, tasks, "1")
    card = next(c for c in calls if c.method == "sendMessage")
    assert "Рекомендация п. " in card.text and "2016" in card.text
    calls = await harness.press(OFFICIAL, card, "В работе")
    assert "Добавьте комментарий" in calls[-1].text
    calls = await harness.send_document(
        OFFICIAL, b"%PDF-1.4 report", "отчёт.pdf", caption="Создана рабочая группа"
    )
    assert "Проверьте отчёт" in calls[-1].text and "отчёт.pdf" in calls[-1].text
    calls = await harness.press(OFFICIAL, calls[-1], "Подтвердить")
    new_card = calls[-1]
    assert "Статус:</b> В работе" in new_card.text
    assert "представитель Правительства области: статус «В работе»" in new_card.text
    assert "Создана рабочая группа" in new_card.text and "отчёт.pdf" in new_card.text

    history = await services.reporting.history(rec_id)
    assert [(h.event, h.new_status, h.actor_role) for h in history] == [
        ("status", "in_progress", "official")
    ]
    assert history[0].evidence_kind == "document"

    # The inviter heard who joined; the follower is told of the change, exactly once.
    joined = await services.db.fetchall(
        "SELECT recipient_id, payload FROM outbox WHERE dedup_key LIKE 'joined:%'"
    )
    assert [j["recipient_id"] for j in joined] == [COORD]
    assert "Анна теперь представляет «Правительство области»" in joined[0]["payload"]
    notices = await services.db.fetchall(
        "SELECT recipient_id, payload FROM outbox WHERE dedup_key LIKE 'notice:%'"
    )
    assert [n["recipient_id"] for n in notices] == [MEMBER]
    assert "В работе" in notices[0]["payload"]


async def test_reply_to_a_card_records_a_comment(harness, services, amur):
    rec_id, card = await join_and_open_first_task(harness, amur)

    calls = await harness.reply(
        OFFICIAL, card, "Проект постановления на согласовании https://gov.example/doc"
    )
    assert "Добавлено в историю" in calls[-1].text
    assert "Проект постановления" in calls[-1].text
    assert [t for t, _ in calls[-1].buttons()][:2] == ["В работе", "Выполнено"]
    history = await services.reporting.history(rec_id)
    assert history[-1].event == "comment"
    assert history[-1].evidence == "https://gov.example/doc"

    # A member replying to the same kind of card cannot report; they are told why.
    member_card = next(
        c for c in await harness.click(MEMBER, f"card:{rec_id}") if c.method == "sendMessage"
    )
    calls = await harness.reply(MEMBER, member_card, "Ничего не сделано")
    assert "Отчитываться по этой рекомендации могут" in calls[-1].text
    assert len(await services.reporting.history(rec_id)) == 1


async def test_wont_do_needs_a_reason(harness, services, amur):
    _, card = await join_and_open_first_task(harness, amur)
    calls = await harness.press(OFFICIAL, card, "Не будет выполнено")
    assert "причину" in calls[-1].text
    assert not [t for t, _ in calls[-1].buttons() if "Без комментария" in t]
    calls = await harness.send_document(OFFICIAL, b"x", "file.pdf")  # a file but no words
    assert "нужна причина" in calls[-1].text
    assert "file.pdf" in calls[-1].text  # the file is kept, not lost
    calls = await harness.send(OFFICIAL, "Нет финансирования в бюджете")
    assert "file.pdf" in calls[-1].text and "Нет финансирования" in calls[-1].text
    calls = await harness.press(OFFICIAL, calls[-1], "Подтвердить")
    assert "Не будет выполнено" in calls[-1].text


async def test_member_assesses_and_coordinator_sets_deadline(harness, services, amur):
    tasks_doc = amur.document_id
    rec_id = (await services.documents.recommendations(tasks_doc))[0].id
    card = next(
        c for c in await harness.click(MEMBER, f"card:{rec_id}") if c.method == "sendMessage"
    )
    assert not [t for t, _ in card.buttons() if "согласен" in t.lower()]  # no report yet
    await services.reporting.report_status(COORD, rec_id, "done", "Совет создан")
    card = next(
        c for c in await harness.click(MEMBER, f"card:{rec_id}") if c.method == "sendMessage"
    )
    assert not [t for t, _ in card.buttons() if t == "В работе"]  # no reporting for members
    calls = await harness.press(MEMBER, card, "Не согласен")
    calls = await harness.send(MEMBER, "В области ничего не изменилось")
    assert any("оценка записана" in (c.text or "") for c in calls)
    assert "не согласны — 1" in calls[-1].text

    coord_card = next(
        c for c in await harness.click(COORD, f"card:{rec_id}") if c.method == "sendMessage"
    )
    calls = await harness.press(COORD, coord_card, "Изменить срок")
    calls = await harness.send(COORD, "31.02.2026")
    assert "Не понял дату" in calls[-1].text
    calls = await harness.send(COORD, "31.12.2026")
    assert "31 декабря 2026 г., четверг</b> — сохранить?" in calls[-1].text
    assert (await services.documents.get_recommendation(rec_id)).deadline is None  # not yet
    calls = await harness.press(COORD, calls[-1], "Сохранить")
    assert any("Срок изменён: 31 декабря 2026 г." in (c.text or "") for c in calls)
    rec = await services.documents.get_recommendation(rec_id)
    assert rec.deadline == "2026-12-31" and rec.deadline_source == "coordinator"
    events = [h.event for h in await services.reporting.history(rec_id)]
    assert events == ["status", "assessment", "deadline"]


async def test_history_is_append_only(services, seeded):
    import sqlite3

    rec = (await services.documents.recommendations(seeded["002"].document_id))[0]
    await services.reporting.set_deadline(ADMIN_ID, rec.id, None)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        await services.db.execute("UPDATE history SET comment = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        await services.db.execute("DELETE FROM history")


async def test_a_second_tap_on_confirm_records_nothing_more(harness, services, amur):
    rec_id, card = await join_and_open_first_task(harness, amur)
    await harness.press(OFFICIAL, card, "Выполнено")
    confirm = (await harness.send(OFFICIAL, "Сделано"))[-1]
    await harness.press(OFFICIAL, confirm, "Подтвердить")
    calls = await harness.press(OFFICIAL, confirm, "Подтвердить")
    answer = next(c for c in calls if c.method == "answerCallbackQuery")
    assert "уже записан" in answer.params["text"]
    assert len(await services.reporting.history(rec_id)) == 1


async def test_the_same_status_twice_is_refused(services, seeded):
    from bot.errors import InvalidInput

    rec = (await services.documents.recommendations(seeded["002"].document_id))[0]
    await services.reporting.report_status(ADMIN_ID, rec.id, "done")
    with pytest.raises(InvalidInput):
        await services.reporting.report_status(ADMIN_ID, rec.id, "done")
    assert len(await services.reporting.history(rec.id)) == 1


async def test_a_command_ends_the_report_dialog(harness, services, amur):
    rec_id, card = await join_and_open_first_task(harness, amur)
    await harness.press(OFFICIAL, card, "Не будет выполнено")
    await harness.send(OFFICIAL, "/tasks")
    calls = await harness.send(OFFICIAL, "поддержка молодёжи")
    assert "Проверьте отчёт" not in calls[-1].text  # taken as a question, not as the reason
    assert await services.reporting.history(rec_id) == []


async def test_coordinator_lists_and_unbinds_officials(harness, services, amur):
    payload = await invite_official(harness, amur)
    calls = await harness.send(OFFICIAL, f"/start {payload}")
    await harness.press(OFFICIAL, calls[-1], "Подтвердить")
    await invite_official(harness, amur)  # a second, still open invite
    listing = (await harness.send(COORD, "/officials"))[-1]
    assert "Анна — Правительство области" in listing.text
    assert "приглашение: Правительство области, осталось 1" in listing.text
    calls = await harness.press(COORD, listing, "Отключить")
    ask = next(c for c in calls if c.method == "editMessageText")
    # A first name is not declined: it is named as the official, not «Отключить Анна».
    assert "Отключить исполнителя «Анна» от органа «Правительство области»?" in ask.text
    calls = await harness.press(COORD, ask, "Да, отключить")
    redrawn = next(c for c in calls if c.method == "editMessageText")
    assert "Анна —" not in redrawn.text
    assert not (await services.access.roles(OFFICIAL)).official_addressees
    calls = await harness.send(MEMBER, "/officials")
    assert "только координаторы" in calls[-1].text


async def test_members_open_the_evidence_in_a_cards_history(harness, services, amur):
    rec_id, card = await join_and_open_first_task(harness, amur)
    calls = await harness.press(OFFICIAL, card, "В работе")
    calls = await harness.send_document(OFFICIAL, b"%PDF-1.4", "Приказ_45.pdf", caption="Приказ")
    await harness.press(OFFICIAL, calls[-1], "Подтвердить")

    calls = await harness.click(MEMBER, f"card:{rec_id}")
    member_card = next(c for c in calls if c.method == "sendMessage")
    assert "Файл: Приказ_45.pdf" in member_card.text
    calls = await harness.press(MEMBER, member_card, "Приказ_45.pdf")
    [sent] = [c for c in calls if c.method == "sendDocument"]
    assert sent.params["chat_id"] == MEMBER and sent.params["document"] == "file1"

    # A made-up entry id is refused with a clear alert, nothing is sent.
    calls = await harness.click(MEMBER, "ev:99999")
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert "нет в истории" in calls[0].params["text"]


@pytest.mark.parametrize("failure", ["message to edit not found", "message is not modified"])
async def test_a_failed_edit_after_a_report_still_shows_the_result(
    harness, services, amur, failure, caplog
):
    rec_id, card = await join_and_open_first_task(harness, amur)
    calls = await harness.press(OFFICIAL, card, "В работе")
    calls = await harness.press(OFFICIAL, calls[-1], "Без комментария")
    harness.session.fail_edits = failure  # e.g. the user deleted the confirmation message
    calls = await harness.press(OFFICIAL, calls[-1], "Подтвердить")
    texts = harness.sent_texts(calls)
    assert not any("Простите" in t for t in texts)
    if "not found" in failure:  # the confirmation is sent anew
        assert any("Отчёт записан" in t for t in texts)
    # The new card shows the saved status either way.
    assert any("Статус:</b> В работе" in t for t in texts)
    assert (await services.documents.get_recommendation(rec_id)).status == "in_progress"
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("до 31 марта 2027", "31 марта 2027 г., среда"),
        ("31.03", "31 марта 2026 г., вторник"),
        ("через две недели", "16 марта 2026 г., понедельник"),
        ("конец квартала", "31 марта 2026 г., вторник"),
        ("31.12.2026", "31 декабря 2026 г., четверг"),
    ],
)
async def test_a_coordinator_types_a_deadline_as_people_write_it(
    harness, services, amur, typed, read
):
    rec_id = (await services.documents.recommendations(amur.document_id))[0].id
    card = next(
        c for c in await harness.click(COORD, f"card:{rec_id}") if c.method == "sendMessage"
    )
    calls = await harness.press(COORD, card, "Изменить срок")
    assert "через две недели" in calls[-1].text  # the question shows what may be typed
    calls = await harness.send(COORD, typed)
    assert f"Новый срок: <b>{read}</b> — сохранить?" in calls[-1].text
    calls = await harness.press(COORD, calls[-1], "Сохранить")
    day = read.split(" г.")[0]
    assert any(f"Срок изменён: {day} г." in (c.text or "") for c in calls)


async def test_a_deadline_can_be_retyped_or_cancelled_before_saving(harness, services, amur):
    rec = (await services.documents.recommendations(amur.document_id))[0]
    card = next(
        c for c in await harness.click(COORD, f"card:{rec.id}") if c.method == "sendMessage"
    )
    await harness.press(COORD, card, "Изменить срок")
    await harness.send(COORD, "31.03")
    calls = await harness.send(COORD, "1 февраля 2026")  # a second try replaces the first
    assert "1 февраля 2026 г., воскресенье" in calls[-1].text and "уже прошла" in calls[-1].text
    calls = await harness.press(COORD, calls[-1], "Отмена")
    assert "ничего не записано" in calls[-1].text
    assert (await services.documents.get_recommendation(rec.id)).deadline == rec.deadline


async def test_an_old_dialog_button_does_nothing_in_a_newer_dialog(harness, services, amur):
    recs = await services.documents.recommendations(amur.document_id)
    first, second = recs[0].id, recs[1].id

    async def card_of(rec_id):
        calls = await harness.click(COORD, f"card:{rec_id}")
        return next(c for c in calls if c.method == "sendMessage")

    calls = await harness.press(COORD, await card_of(first), "В работе")
    old_confirm = (await harness.press(COORD, calls[-1], "Без комментария"))[-1]
    assert "Проверьте отчёт" in old_confirm.text
    # The coordinator leaves it and starts a report on another card.
    await harness.press(COORD, await card_of(second), "Выполнено")
    calls = await harness.press(COORD, old_confirm, "Подтвердить")
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert "не действует" in calls[0].params["text"]
    for rec_id in (first, second):
        assert (await services.documents.get_recommendation(rec_id)).status == "not_started"
    # The newer dialog goes on as if nothing happened.
    calls = await harness.send(COORD, "Совет создан")
    assert "Проверьте отчёт" in calls[-1].text and "Выполнено" in calls[-1].text

    # The same old button during a deadline dialog does not cancel it either.
    await harness.press(COORD, await card_of(first), "Изменить срок")
    calls = await harness.press(COORD, old_confirm, "Подтвердить")
    assert "не действует" in calls[0].params["text"]
    calls = await harness.send(COORD, "31.12.2026")
    assert "сохранить?" in calls[-1].text


async def test_a_file_sent_after_the_comment_joins_the_report(harness, services, amur):
    """«Добавьте комментарий и файл»: people send them one after the other; both are kept."""
    rec_id, card = await join_and_open_first_task(harness, amur)
    await harness.press(OFFICIAL, card, "В работе")
    calls = await harness.send(OFFICIAL, "Создана рабочая группа")
    assert "Проверьте отчёт" in calls[-1].text
    calls = await harness.send_document(OFFICIAL, b"%PDF-1.4 act", "акт.pdf")
    assert "только координаторы" not in calls[-1].text
    assert "Проверьте отчёт" in calls[-1].text
    assert "Создана рабочая группа" in calls[-1].text and "акт.pdf" in calls[-1].text
    # And the other way round: a word after the file is added to the comment, not lost.
    calls = await harness.send(OFFICIAL, "Приказ от 5 мая")
    assert "Проверьте отчёт" in calls[-1].text
    assert "Создана рабочая группа" in calls[-1].text and "Приказ от 5 мая" in calls[-1].text
    await harness.press(OFFICIAL, calls[-1], "Подтвердить")
    history = await services.reporting.history(rec_id)
    assert len(history) == 1
    assert history[0].evidence_kind == "document"
    assert "Создана рабочая группа" in history[0].comment
    assert "Приказ от 5 мая" in history[0].comment


async def test_a_file_replied_to_a_card_is_not_called_a_comment(harness, services, amur):
    _, card = await join_and_open_first_task(harness, amur)
    calls = await harness.reply(
        OFFICIAL, card, document={"file_id": "F1", "file_unique_id": "U1", "file_name": "акт.pdf"}
    )
    assert "Комментарий записан: нет" not in calls[-1].text
    assert "акт.pdf" in calls[-1].text


async def test_declining_an_invite_says_how_to_change_ones_mind(harness, services, amur):
    payload = await invite_official(harness, amur)
    calls = await harness.send(OFFICIAL, f"/start {payload}")
    calls = await harness.press(OFFICIAL, calls[-1], "Отказаться")
    answer = [c for c in calls if c.method in {"editMessageText", "sendMessage"}][-1]
    assert "не принято" in answer.text and "ещё раз" in answer.text  # not a dead end
    calls = await harness.send(OFFICIAL, f"/start {payload}")  # and the link still works
    calls = await harness.press(OFFICIAL, calls[-1], "Подтвердить")
    assert any("Вы представляете" in (c.text or "") for c in calls)


async def test_after_a_link_the_next_body_is_one_button_away(harness, services, amur):
    """A coordinator invites body after body: the link stays in the chat to be forwarded,
    and the list of bodies comes again as a new message."""
    await invite_official(harness, amur)
    link = [c for c in harness.calls if "start=inv_" in (c.text or "")][-1]
    calls = await harness.press(COORD, link, "Пригласить ещё")
    assert not [c for c in calls if c.method in {"editMessageText", "editMessageReplyMarkup"}]
    listing = [c for c in calls if c.method == "sendMessage"][-1]
    assert "Какой орган" in listing.text
    assert any("Законодательное Собрание" in t for t, _ in listing.buttons())


async def test_after_a_reply_the_current_status_is_not_offered_again(harness, services, amur):
    rec_id, card = await join_and_open_first_task(harness, amur)
    await services.reporting.report_status(OFFICIAL, rec_id, "in_progress", "Начали")
    calls = await harness.reply(OFFICIAL, card, "Провели первое заседание")
    offered = [t for t, _ in calls[-1].buttons()]
    assert "В работе" not in offered and "Выполнено" in offered


async def test_a_wrong_body_picked_for_an_invite_can_be_changed(harness, services, amur):
    calls = await harness.send(COORD, "/invite")
    calls = await harness.press(COORD, calls[-1], "СОНКО")
    calls = await harness.press(COORD, calls[-1], "Правительство области")
    assert "Сколько человек" in calls[-1].text
    calls = await harness.press(COORD, calls[-1], "Другой орган")
    assert "Какой орган" in calls[-1].text
    calls = await harness.press(COORD, calls[-1], "Законодательное Собрание")
    assert "Законодательное Собрание" in calls[-1].text and "Сколько человек" in calls[-1].text

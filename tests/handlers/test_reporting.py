"""Officials join by invite, see /tasks and report from a card; members assess and follow."""

import json
import re

import pytest

from tests.conftest import ADMIN_ID
from tests.texts import expect, matches, plain

COORD, OFFICIAL, MEMBER = 21, 22, 23
GOVERNMENT = "Правительство области"
# The buttons, by their texts.
CONFIRM = expect("report.confirm_button")
JOIN = expect("invite.join_button")
IN_PROGRESS = expect("status.in_progress")
DONE = expect("status.done")
WONT_DO = expect("status.wont_do")
SKIP = expect("report.skip_button")
CHANGE_DEADLINE = expect("card.deadline_button")
SAVE = expect("deadline.save_button")


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
    assert calls[-1].text == expect("invite.pick_uses", addressee=GOVERNMENT)
    calls = await harness.press(COORD, calls[-1], expect("invite.uses_button", n=1))
    link = re.search(r"https://t\.me/\S+\?start=(inv_[\w-]+)", calls[-1].text)
    assert link, calls[-1].text
    return link.group(1)


async def join_and_open_first_task(harness, amur):
    """The official joins by invite and opens the first card of /tasks: (rec_id, card)."""
    payload = await invite_official(harness, amur)
    calls = await harness.send(OFFICIAL, f"/start {payload}")
    await harness.press(OFFICIAL, calls[-1], JOIN)
    tasks = (await harness.send(OFFICIAL, "/tasks"))[-1]
    rec_id = int(tasks.buttons()[0][1].split(":")[1])
    card = next(c for c in await harness.press(OFFICIAL, tasks, "1") if c.method == "sendMessage")
    return rec_id, card


async def test_invite_join_tasks_report_with_evidence(harness, services, amur):
    payload = await invite_official(harness, amur)
    assert len(payload) <= 64

    calls = await harness.send(OFFICIAL, f"/start {payload}")
    assert calls[-1].text == matches("invite.offer", addressee=GOVERNMENT)
    calls = await harness.press(OFFICIAL, calls[-1], JOIN)
    assert expect("invite.joined", addressee=GOVERNMENT) in harness.sent_texts(calls)

    # The link was for one person: a second person is refused.
    calls = await harness.send(MEMBER, f"/start {payload}")
    assert calls[-1].text == expect("invite.used_up")

    calls = await harness.send(OFFICIAL, "/tasks")
    tasks = calls[-1]
    # 15 own + a joint one (6.6); «в 2016 году» in item 11 is long past: that one is overdue
    # and shown first.
    counts = {
        "overdue": 1,
        "due_soon": 0,
        "in_progress": 0,
        "not_started": 15,
        "done": 0,
        "wont_do": 0,
    }
    header = expect("tasks.header", total=16, group=expect("tasks.group_overdue"), **counts)
    assert tasks.text.startswith(header) and "до конца 2016 г." in tasks.text
    # The button names the group as the header counts it («⚪ Не начато (15)» against
    # «не начато или нет данных — 15» read as two different things).
    button = plain("tasks.button_not_started", n=15)
    assert button in [t for t, _ in tasks.buttons()] and button.endswith(" (15)")
    label = button.removesuffix(" (15)").split(" ", 1)[1].lower()  # after the sign
    assert f"{label} — 15" in tasks.text.lower()
    assert plain("tasks.group_not_started").lower().endswith(label)

    # A member follows the first item before the report.
    rec_id = int(tasks.buttons()[0][1].split(":")[1])
    await harness.click(MEMBER, f"card:{rec_id}")
    await harness.click(MEMBER, f"fl:{rec_id}:1")

    calls = await harness.press(OFFICIAL, tasks, "1")
    card = next(c for c in calls if c.method == "sendMessage")
    assert matches("card.head").within(card.text) and "2016" in card.text
    calls = await harness.press(OFFICIAL, card, IN_PROGRESS)
    assert calls[-1].text == expect("report.ask_details", status=IN_PROGRESS)
    calls = await harness.send_document(
        OFFICIAL, b"%PDF-1.4 report", "отчёт.pdf", caption="Создана рабочая группа"
    )
    evidence = expect("report.evidence_document", name="отчёт.pdf")
    comment = "Создана рабочая группа"
    confirm = expect("report.confirm", status=IN_PROGRESS, comment=comment, evidence=evidence)
    assert calls[-1].text == confirm
    calls = await harness.press(OFFICIAL, calls[-1], CONFIRM)
    new_card = calls[-1]
    assert matches("card.head", status=IN_PROGRESS).within(new_card.text)
    status = expect("history.status_first", new=IN_PROGRESS)  # the first report
    who = expect("history.official_of", org="Правительства области")
    assert matches("history.line", role=who, what=status).within(new_card.text)
    assert expect("history.comment_text", text=comment) in new_card.text
    assert expect("history.evidence_document", name="отчёт.pdf") in new_card.text

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
    text = expect("invite.someone_joined", name="Анна", addressee=GOVERNMENT)
    assert json.loads(joined[0]["payload"])["text"] == text
    notices = await services.db.fetchall(
        "SELECT recipient_id, payload FROM outbox WHERE dedup_key LIKE 'notice:%'"
    )
    assert [n["recipient_id"] for n in notices] == [MEMBER]
    assert IN_PROGRESS in json.loads(notices[0]["payload"])["text"]


async def test_reply_to_a_card_records_a_comment(harness, services, amur):
    rec_id, card = await join_and_open_first_task(harness, amur)

    calls = await harness.reply(
        OFFICIAL, card, "Проект постановления на согласовании https://gov.example/doc"
    )
    comment = "Проект постановления на согласовании https://gov.example/doc"
    assert calls[-1].text == matches("report.reply_saved", comment=comment)
    assert [t for t, _ in calls[-1].buttons()][:2] == [IN_PROGRESS, DONE]
    history = await services.reporting.history(rec_id)
    assert history[-1].event == "comment"
    assert history[-1].evidence == "https://gov.example/doc"

    # A member replying to the same kind of card cannot report; they are told why.
    member_card = next(
        c for c in await harness.click(MEMBER, f"card:{rec_id}") if c.method == "sendMessage"
    )
    calls = await harness.reply(MEMBER, member_card, "Ничего не сделано")
    assert calls[-1].text == expect("access.not_responsible")
    assert len(await services.reporting.history(rec_id)) == 1


async def test_wont_do_needs_a_reason(harness, services, amur):
    _, card = await join_and_open_first_task(harness, amur)
    calls = await harness.press(OFFICIAL, card, WONT_DO)
    assert calls[-1].text == expect("report.ask_reason", status=WONT_DO)
    assert SKIP not in [t for t, _ in calls[-1].buttons()]
    calls = await harness.send_document(OFFICIAL, b"x", "file.pdf")  # a file but no words
    evidence = expect("report.evidence_document", name="file.pdf")
    # the file is kept, not lost
    assert calls[-1].text == expect("report.reason_required_kept", evidence=evidence)
    calls = await harness.send(OFFICIAL, ".")  # not a reason
    assert calls[-1].text == expect("report.reason_required_kept", evidence=evidence)
    calls = await harness.send(OFFICIAL, "Нет финансирования в бюджете")
    comment = "Нет финансирования в бюджете"
    confirm = expect("report.confirm", status=WONT_DO, comment=comment, evidence=evidence)
    assert calls[-1].text == confirm
    calls = await harness.press(OFFICIAL, calls[-1], CONFIRM)
    assert matches("card.head", status=WONT_DO).within(calls[-1].text)


async def test_cancel_on_an_older_prompt_leaves_the_open_report_alone(harness, services, amur):
    _, card = await join_and_open_first_task(harness, amur)
    first = (await harness.press(OFFICIAL, card, WONT_DO))[-1]
    await harness.press(OFFICIAL, card, WONT_DO)  # pressed again: a newer prompt
    calls = await harness.press(OFFICIAL, first, expect("report.cancel_button"))
    assert calls[-1].params["text"] == expect("report.stale_step")
    calls = await harness.send(OFFICIAL, "Нет финансирования в бюджете")
    evidence = expect("report.none")
    assert calls[-1].text == expect(
        "report.confirm", status=WONT_DO, comment="Нет финансирования в бюджете", evidence=evidence
    )


async def test_member_assesses_and_coordinator_sets_deadline(harness, services, amur):
    tasks_doc = amur.document_id
    rec_id = (await services.documents.recommendations(tasks_doc))[0].id
    card = next(
        c for c in await harness.click(MEMBER, f"card:{rec_id}") if c.method == "sendMessage"
    )
    verdicts = {expect("card.agree_button"), expect("card.disagree_button")}
    assert not [t for t, _ in card.buttons() if t in verdicts]  # no report yet
    await services.reporting.report_status(COORD, rec_id, "done", "Совет создан")
    card = next(
        c for c in await harness.click(MEMBER, f"card:{rec_id}") if c.method == "sendMessage"
    )
    assert not [t for t, _ in card.buttons() if t == IN_PROGRESS]  # no reporting for members
    calls = await harness.press(MEMBER, card, expect("card.disagree_button"))
    calls = await harness.send(MEMBER, "В области ничего не изменилось")
    assert expect("assess.saved") in harness.sent_texts(calls)
    assert expect("card.assessments", agree=0, disagree=1) in calls[-1].text

    coord_card = next(
        c for c in await harness.click(COORD, f"card:{rec_id}") if c.method == "sendMessage"
    )
    calls = await harness.press(COORD, coord_card, CHANGE_DEADLINE)
    calls = await harness.send(COORD, "31.02.2026")
    assert calls[-1].text == expect("deadline.bad_date")
    calls = await harness.send(COORD, "31.12.2026")
    assert calls[-1].text == expect("deadline.confirm", day="31 декабря 2026 г., четверг")
    assert (await services.documents.get_recommendation(rec_id)).deadline is None  # not yet
    calls = await harness.press(COORD, calls[-1], SAVE)
    saved = expect("deadline.saved", deadline="31 декабря 2026 г.")
    assert saved in harness.sent_texts(calls)
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
    await harness.press(OFFICIAL, card, DONE)
    confirm = (await harness.send(OFFICIAL, "Сделано"))[-1]
    await harness.press(OFFICIAL, confirm, CONFIRM)
    calls = await harness.press(OFFICIAL, confirm, CONFIRM)
    answer = next(c for c in calls if c.method == "answerCallbackQuery")
    assert answer.params["text"] == plain("report.dialog_over")
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
    await harness.press(OFFICIAL, card, WONT_DO)
    await harness.send(OFFICIAL, "/tasks")
    calls = await harness.send(OFFICIAL, "поддержка молодёжи")
    # taken as a question, not as the reason
    assert not matches("report.confirm").within(calls[-1].text)
    assert await services.reporting.history(rec_id) == []


async def test_coordinator_lists_and_unbinds_officials(harness, services, amur):
    payload = await invite_official(harness, amur)
    calls = await harness.send(OFFICIAL, f"/start {payload}")
    await harness.press(OFFICIAL, calls[-1], JOIN)
    await invite_official(harness, amur)  # a second, still open invite
    listing = (await harness.send(COORD, "/officials"))[-1]
    official = expect("officials.line", name="Анна", addressee=GOVERNMENT)
    assert official in listing.text
    assert matches("officials.invite_line", addressee=GOVERNMENT, left=1).within(listing.text)
    calls = await harness.press(COORD, listing, expect("officials.unbind_button", name="Анна"))
    ask = next(c for c in calls if c.method == "editMessageText")
    # A first name is not declined: it is named as the official, not «Отключить Анна».
    assert ask.text == expect("officials.unbind_confirm", name="Анна", addressee=GOVERNMENT)
    calls = await harness.press(COORD, ask, expect("officials.unbind_yes_button"))
    redrawn = next(c for c in calls if c.method == "editMessageText")
    assert official not in redrawn.text
    assert not (await services.access.roles(OFFICIAL)).official_addressees
    calls = await harness.send(MEMBER, "/officials")
    assert calls[-1].text == expect("access.coordinators_only")


async def test_members_open_the_evidence_in_a_cards_history(harness, services, amur):
    rec_id, card = await join_and_open_first_task(harness, amur)
    calls = await harness.press(OFFICIAL, card, IN_PROGRESS)
    calls = await harness.send_document(OFFICIAL, b"%PDF-1.4", "Приказ_45.pdf", caption="Приказ")
    await harness.press(OFFICIAL, calls[-1], CONFIRM)

    calls = await harness.click(MEMBER, f"card:{rec_id}")
    member_card = next(c for c in calls if c.method == "sendMessage")
    assert expect("history.evidence_document", name="Приказ_45.pdf") in member_card.text
    button = expect("card.evidence_document_button", name="Приказ_45.pdf")
    calls = await harness.press(MEMBER, member_card, button)
    [sent] = [c for c in calls if c.method == "sendDocument"]
    assert sent.params["chat_id"] == MEMBER and sent.params["document"] == "file1"

    # A made-up entry id is refused with a clear alert, nothing is sent.
    calls = await harness.click(MEMBER, "ev:99999")
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert calls[0].params["text"] == plain("report.evidence_not_found")


@pytest.mark.parametrize("failure", ["message to edit not found", "message is not modified"])
async def test_a_failed_edit_after_a_report_still_shows_the_result(
    harness, services, amur, failure, caplog
):
    rec_id, card = await join_and_open_first_task(harness, amur)
    calls = await harness.press(OFFICIAL, card, IN_PROGRESS)
    calls = await harness.press(OFFICIAL, calls[-1], SKIP)
    harness.session.fail_edits = failure  # e.g. the user deleted the confirmation message
    calls = await harness.press(OFFICIAL, calls[-1], CONFIRM)
    texts = harness.sent_texts(calls)
    assert expect("errors.apology") not in texts
    if "not found" in failure:  # the confirmation is sent anew
        assert expect("report.saved") in texts
    # The new card shows the saved status either way.
    assert any(matches("card.head", status=IN_PROGRESS).within(t) for t in texts)
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
    calls = await harness.press(COORD, card, CHANGE_DEADLINE)
    assert calls[-1].text == expect("deadline.ask")  # the question shows what may be typed
    calls = await harness.send(COORD, typed)
    assert calls[-1].text == expect("deadline.confirm", day=read)
    calls = await harness.press(COORD, calls[-1], SAVE)
    day = read.split(", ")[0]
    assert expect("deadline.saved", deadline=day) in harness.sent_texts(calls)


async def test_a_deadline_can_be_retyped_or_cancelled_before_saving(harness, services, amur):
    rec = (await services.documents.recommendations(amur.document_id))[0]
    card = next(
        c for c in await harness.click(COORD, f"card:{rec.id}") if c.method == "sendMessage"
    )
    await harness.press(COORD, card, CHANGE_DEADLINE)
    await harness.send(COORD, "31.03")
    calls = await harness.send(COORD, "1 февраля 2026")  # a second try replaces the first
    assert expect("deadline.confirm", day="1 февраля 2026 г., воскресенье") in calls[-1].text
    assert expect("deadline.past") in calls[-1].text
    calls = await harness.press(COORD, calls[-1], expect("report.cancel_button"))
    assert calls[-1].text == expect("report.cancelled")
    assert (await services.documents.get_recommendation(rec.id)).deadline == rec.deadline


async def test_an_old_dialog_button_does_nothing_in_a_newer_dialog(harness, services, amur):
    recs = await services.documents.recommendations(amur.document_id)
    first, second = recs[0].id, recs[1].id

    async def card_of(rec_id):
        calls = await harness.click(COORD, f"card:{rec_id}")
        return next(c for c in calls if c.method == "sendMessage")

    calls = await harness.press(COORD, await card_of(first), IN_PROGRESS)
    old_confirm = (await harness.press(COORD, calls[-1], SKIP))[-1]
    assert old_confirm.text == matches("report.confirm", status=IN_PROGRESS)
    # The coordinator leaves it and starts a report on another card.
    await harness.press(COORD, await card_of(second), DONE)
    calls = await harness.press(COORD, old_confirm, CONFIRM)
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert calls[0].params["text"] == plain("report.stale_step")
    for rec_id in (first, second):
        assert (await services.documents.get_recommendation(rec_id)).status == "not_started"
    # The newer dialog goes on as if nothing happened.
    calls = await harness.send(COORD, "Совет создан")
    assert calls[-1].text == matches("report.confirm", status=DONE, comment="Совет создан")

    # The same old button during a deadline dialog does not cancel it either.
    await harness.press(COORD, await card_of(first), CHANGE_DEADLINE)
    calls = await harness.press(COORD, old_confirm, CONFIRM)
    assert calls[0].params["text"] == plain("report.stale_step")
    calls = await harness.send(COORD, "31.12.2026")
    assert calls[-1].text == matches("deadline.confirm")


async def test_a_file_sent_after_the_comment_joins_the_report(harness, services, amur):
    """«Добавьте комментарий и файл»: people send them one after the other; both are kept."""
    rec_id, card = await join_and_open_first_task(harness, amur)
    await harness.press(OFFICIAL, card, IN_PROGRESS)
    calls = await harness.send(OFFICIAL, "Создана рабочая группа")
    assert calls[-1].text == matches("report.confirm", comment="Создана рабочая группа")
    calls = await harness.send_document(OFFICIAL, b"%PDF-1.4 act", "акт.pdf")
    evidence = expect("report.evidence_document", name="акт.pdf")
    confirm = matches("report.confirm", comment="Создана рабочая группа", evidence=evidence)
    assert calls[-1].text == confirm
    # And the other way round: a word after the file is added to the comment, not lost.
    calls = await harness.send(OFFICIAL, "Приказ от 5 мая")
    assert calls[-1].text == matches("report.confirm", evidence=evidence)
    assert "Создана рабочая группа" in calls[-1].text and "Приказ от 5 мая" in calls[-1].text
    await harness.press(OFFICIAL, calls[-1], CONFIRM)
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
    evidence = expect("report.evidence_document", name="акт.pdf")
    assert calls[-1].text == matches("report.reply_saved", evidence=evidence)


async def test_declining_an_invite_says_how_to_change_ones_mind(harness, services, amur):
    payload = await invite_official(harness, amur)
    calls = await harness.send(OFFICIAL, f"/start {payload}")
    calls = await harness.press(OFFICIAL, calls[-1], expect("invite.decline_button"))
    answer = [c for c in calls if c.method in {"editMessageText", "sendMessage"}][-1]
    assert answer.text == matches("invite.declined")  # not a dead end: how to come back
    calls = await harness.send(OFFICIAL, f"/start {payload}")  # and the link still works
    calls = await harness.press(OFFICIAL, calls[-1], JOIN)
    assert expect("invite.joined", addressee=GOVERNMENT) in harness.sent_texts(calls)


async def test_after_a_link_the_next_body_is_one_button_away(harness, services, amur):
    """A coordinator invites body after body: the link stays in the chat to be forwarded,
    and the list of bodies comes again as a new message."""
    await invite_official(harness, amur)
    link = [c for c in harness.calls if "start=inv_" in (c.text or "")][-1]
    calls = await harness.press(COORD, link, expect("invite.more_button"))
    assert not [c for c in calls if c.method in {"editMessageText", "editMessageReplyMarkup"}]
    listing = [c for c in calls if c.method == "sendMessage"][-1]
    assert listing.text == expect("invite.pick_addressee")
    assert any("Законодательное Собрание" in t for t, _ in listing.buttons())


async def test_after_a_reply_the_current_status_is_not_offered_again(harness, services, amur):
    rec_id, card = await join_and_open_first_task(harness, amur)
    await services.reporting.report_status(OFFICIAL, rec_id, "in_progress", "Начали")
    calls = await harness.reply(OFFICIAL, card, "Провели первое заседание")
    offered = [t for t, _ in calls[-1].buttons()]
    assert IN_PROGRESS not in offered and DONE in offered


async def test_a_wrong_body_picked_for_an_invite_can_be_changed(harness, services, amur):
    calls = await harness.send(COORD, "/invite")
    calls = await harness.press(COORD, calls[-1], "СОНКО")
    calls = await harness.press(COORD, calls[-1], "Правительство области")
    assert calls[-1].text == expect("invite.pick_uses", addressee=GOVERNMENT)
    calls = await harness.press(COORD, calls[-1], expect("invite.back_button"))
    assert calls[-1].text == expect("invite.pick_addressee")
    calls = await harness.press(COORD, calls[-1], "Законодательное Собрание")
    legislature = "Законодательное Собрание Амурской области"
    assert calls[-1].text == expect("invite.pick_uses", addressee=legislature)


async def test_the_same_assessment_twice_changes_nothing_and_a_new_verdict_replaces_it(
    harness, services, amur
):
    rec_id = (await services.documents.recommendations(amur.document_id))[0].id
    await services.reporting.report_status(COORD, rec_id, "done", "Совет создан")

    async def card():
        calls = await harness.click(MEMBER, f"card:{rec_id}")
        return next(c for c in calls if c.method == "sendMessage")

    calls = await harness.press(MEMBER, await card(), expect("card.agree_button"))
    calls = await harness.press(MEMBER, calls[-1], SKIP)
    assert expect("assess.saved") in harness.sent_texts(calls)
    # 👍 again: said so at the press, nothing asked, nothing recorded.
    calls = await harness.press(MEMBER, await card(), expect("card.agree_button"))
    alert = next(c for c in calls if c.method == "answerCallbackQuery")
    assert alert.params.get("text") == plain("assess.already_agree")
    assert not [c for c in calls if c.method == "sendMessage"]
    history = await services.reporting.history(rec_id)
    assert [h.verdict for h in history if h.event == "assessment"] == ["agree"]
    # 👎 replaces the member's 👍: one assessment each.
    calls = await harness.press(MEMBER, await card(), expect("card.disagree_button"))
    calls = await harness.send(MEMBER, "Совет не собирался")
    assert expect("card.assessments", agree=0, disagree=1) in calls[-1].text
    # The service refuses a repeat too (a form left open in another chat).
    from bot.errors import Stale

    with pytest.raises(Stale):
        await services.reporting.assess(MEMBER, rec_id, "disagree")
    # A new report is assessed afresh.
    await services.reporting.report_status(COORD, rec_id, "in_progress", "Совет собирается")
    await services.reporting.assess(MEMBER, rec_id, "disagree")


async def test_invite_names_the_resolution_in_normal_case_and_the_body_in_its_quotes(
    harness, services, amur
):
    """A title typed in capitals reads as on the cards (``readable_title``); the body's name
    (nominative, in quotes) follows a word that leaves its case alone."""
    from bot.titles import readable_title

    title = (await services.documents.get(amur.document_id)).title
    assert readable_title(title) != title  # the seed's title is in capitals
    docs = (await harness.send(COORD, "/invite"))[-1]
    labels = [t for t, _ in docs.buttons()]
    assert any(readable_title(title)[:30] in t for t in labels), labels
    assert not any(title[:30] in t for t in labels), labels
    calls = await harness.press(COORD, docs, "СОНКО")
    calls = await harness.press(COORD, calls[-1], GOVERNMENT)
    assert "для «" not in calls[-1].text  # not «Приглашение для «Правительство области»»
    calls = await harness.press(COORD, calls[-1], expect("invite.uses_button", n=1))
    assert "для «" not in calls[-1].text
    payload = re.search(r"\?start=(inv_[\w-]+)", calls[-1].text).group(1)
    offer = (await harness.send(OFFICIAL, f"/start {payload}"))[-1]
    assert readable_title(title)[:30] in offer.text and title[:30] not in offer.text

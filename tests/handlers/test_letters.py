"""A reply by letter through the real Dispatcher: card button → status → «№ … от …» → scan."""

from __future__ import annotations

from bot.reporting import Letter
from bot.texts import Texts
from handlers.callbacks import AssessCallback, CardCallback, LetterCallback
from tests.handlers.test_reporting import COORD, MEMBER, amur

__all__ = ["amur"]

TEXTS = Texts.load()


def t(key: str, **params) -> str:
    return TEXTS.plain(key, **params)


async def open_card(harness, user_id: int, rec_id: int):
    calls = await harness.click(user_id, CardCallback(rec_id=rec_id).pack())
    return next(c for c in calls if c.method == "sendMessage")


async def test_a_coordinator_records_a_letter_with_its_scan(harness, services, amur):
    rec_id = amur.recommendation_ids[0]
    await services.reporting.follow(MEMBER, rec_id, True)
    card = await open_card(harness, COORD, rec_id)
    calls = await harness.press(COORD, card, t("reports.letter.button"))
    number = (await services.documents.get_recommendation(rec_id)).number
    assert calls[-1].text == TEXTS("reports.letter.pick_status", number=number)
    # The status it already has is not offered.
    assert t("status.not_started") not in [b for b, _ in calls[-1].buttons()]
    calls = await harness.press(COORD, calls[-1], t("status.done"))
    assert calls[-1].text == TEXTS("reports.letter.ask_letter", status=t("status.done"))

    calls = await harness.send(COORD, "письмо от завтра")
    assert calls[-1].text == TEXTS("reports.letter.bad_letter")
    calls = await harness.send(COORD, "№ 01-12/345 от 27.02.2026")
    assert calls[-1].text == TEXTS("reports.letter.ask_scan", number="01-12/345", date="27.02.2026")
    calls = await harness.send_document(
        COORD, b"%PDF-1.4 scan", "letter.pdf", caption="Программа утверждена"
    )
    confirm = calls[-1]
    assert "01-12/345" in confirm.text and "Программа утверждена" in confirm.text
    calls = await harness.press(COORD, confirm, t("report.confirm_button"))
    assert any(
        c.text == TEXTS("reports.letter.saved", number="01-12/345", date="27.02.2026")
        for c in calls
    )

    [entry] = [e for e in await services.reporting.history(rec_id) if e.event == "status"]
    assert (entry.basis, entry.letter_number, entry.letter_date) == (
        "letter",
        "01-12/345",
        "2026-02-27",
    )
    assert (entry.actor_role, entry.new_status, entry.evidence_kind) == (
        "coordinator",
        "done",
        "document",
    )
    assert entry.comment == "Программа утверждена"
    # The card's history says who entered it and on what basis.
    card = next(c for c in calls if c.method == "sendMessage" and "Рекомендация" in (c.text or ""))
    assert t("history.basis_letter", number="01-12/345", date="27.02.2026") in card.text
    assert t("role.coordinator") in card.text
    # Followers hear of it as of any report.
    notices = await services.db.fetchval(
        "SELECT count(*) FROM outbox WHERE recipient_id = ? AND kind = 'notice'", (MEMBER,)
    )
    assert notices == 1


async def test_without_a_scan_and_a_reason_for_wont_do(harness, services, amur):
    rec_id = amur.recommendation_ids[1]
    card = await open_card(harness, COORD, rec_id)
    calls = await harness.press(COORD, card, t("reports.letter.button"))
    calls = await harness.press(COORD, calls[-1], t("status.wont_do"))
    calls = await harness.send(COORD, "№ 7 от 01.03.2026")
    calls = await harness.press(COORD, calls[-1], t("reports.letter.no_scan_button"))
    assert calls[-1].text == TEXTS("reports.letter.ask_reason")
    calls = await harness.send(COORD, "Нет финансирования в 2026 году")
    calls = await harness.press(COORD, calls[-1], t("report.confirm_button"))
    entry = (await services.reporting.history(rec_id))[-1]
    assert (entry.new_status, entry.comment, entry.evidence) == (
        "wont_do",
        "Нет финансирования в 2026 году",
        None,
    )


async def test_only_coordinators_see_and_use_the_letter_button(harness, services, amur):
    rec_id = amur.recommendation_ids[0]
    card = await open_card(harness, MEMBER, rec_id)
    assert t("reports.letter.button") not in [b for b, _ in card.buttons()]
    calls = await harness.click(
        MEMBER, LetterCallback(rec_id=rec_id, action="status", status="done").pack()
    )
    answer = next(c for c in calls if c.method == "answerCallbackQuery")
    assert answer.params["text"] == t("access.coordinators_only")  # the role refusal
    assert await services.db.fetchval("SELECT count(*) FROM history") == 0


async def test_a_comment_before_the_scan_is_kept(harness, services, amur):
    rec_id = amur.recommendation_ids[2]
    card = await open_card(harness, COORD, rec_id)
    calls = await harness.press(COORD, card, t("reports.letter.button"))
    calls = await harness.press(COORD, calls[-1], t("status.in_progress"))
    await harness.send(COORD, "№ 9 от 01.03.2026")
    calls = await harness.send(COORD, "Создана рабочая группа")
    assert calls[-1].text == TEXTS("reports.letter.comment_kept")
    calls = await harness.send_document(COORD, b"scan", "scan.pdf")
    calls = await harness.press(COORD, calls[-1], t("report.confirm_button"))
    entry = (await services.reporting.history(rec_id))[-1]
    assert (entry.comment, entry.evidence_name) == ("Создана рабочая группа", "scan.pdf")


async def test_the_coordinator_is_not_offered_to_assess_his_own_letter_entry(
    harness, services, amur
):
    rec_id = amur.recommendation_ids[0]
    letter = Letter("01-12/345", services.clock.now().date())
    await services.reporting.report_status(COORD, rec_id, "done", "Выполнено", letter=letter)
    verdicts = {t("card.agree_button"), t("card.disagree_button")}
    card = await open_card(harness, COORD, rec_id)
    assert not verdicts & {text for text, _ in card.buttons()}
    # A button from an older card, pressed anyway: refused, no dialog starts.
    calls = await harness.click(COORD, AssessCallback(rec_id=rec_id, verdict="agree").pack())
    alert = next(c for c in calls if c.method == "answerCallbackQuery")
    assert alert.params.get("text") == t("assess.own_entry")
    assert not [c for c in calls if c.method == "sendMessage"]
    # Others assess the body's answer.
    card = await open_card(harness, MEMBER, rec_id)
    assert verdicts <= {text for text, _ in card.buttons()}

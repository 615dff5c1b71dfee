"""Invite → join → /tasks → report with evidence → a follower is told; all over HTTP."""

import pytest

from tests.e2e.process import BotProcess
from tests.e2e.steps import expect, invite_payload, press
from tests.patience import patience

# Starts `python -m bot` as a separate process.
pytestmark = pytest.mark.slow

ADMIN, COORD, OFFICIAL, MEMBER = 7001, 7002, 7003, 7004


async def test_invite_join_report_and_follower_is_told(api, tmp_path):
    bot = BotProcess(api, tmp_path, ADMIN_IDS=str(ADMIN), IMPORT_SEEDS_ON_EMPTY="true")
    await bot.start()
    try:
        admin, coord = api.user(ADMIN, "Админ"), api.user(COORD, "Ольга")
        official, member = api.user(OFFICIAL, "Пётр"), api.user(MEMBER, "Анна")
        for person in (admin, coord, official, member):
            await person.send("/start")
            await press(person, await expect(person, "Согласие на обработку"), "Даю согласие")
            # An admin is greeted with what they can do, not the organization sign-up.
            await expect(person, "Вы администратор" if person is admin else "Шаг 1 из 3")

        await admin.send(f"/coordinator {COORD} Амурская область")
        await expect(admin, "координатор региона")
        await expect(coord, "Вас назначили координатором")

        # The shipped resolutions were imported at start: the coordinator invites an official.
        await coord.send("/invite")
        await press(coord, await expect(coord, "Для какой резолюции"), "СОНКО")
        await press(coord, await expect(coord, "Какой орган"), "Правительство области")
        await press(coord, await expect(coord, "Сколько человек"), "1 человек")
        payload = invite_payload((await expect(coord, "Ссылка-приглашение"))["text"])

        await official.send(f"/start {payload}")
        await press(official, await expect(official, "Вас приглашают"), "Подтвердить")
        await expect(official, "Вы представляете")
        await official.send("/tasks")
        tasks = await expect(official, "Задачи вашего органа: 16")  # 15 own + joint 6.6

        # The member finds that recommendation by asking in plain words and follows it.
        rec_button = next(
            b for row in tasks["reply_markup"]["inline_keyboard"] for b in row if b["text"] == "1"
        )
        await member.send("/profile")  # leaves the onboarding question that is still open
        await expect(member, "Профиль")
        await member.send("план мероприятий обучение социально ориентированных организаций 2016")
        answer = await expect(member, "по запросу «")
        await member.click(answer, rec_button["callback_data"])
        member_card = await expect(member, "Рекомендация п.")
        await press(member, member_card, "Следить")

        await press(official, tasks, "1")
        card = await expect(official, "Рекомендация п.")
        await press(official, card, "В работе")
        await expect(official, "Добавьте комментарий")
        await official.send_document(
            b"%PDF-1.4 minimal", "протокол.pdf", "application/pdf", caption="Создана рабочая группа"
        )
        await press(official, await expect(official, "Проверьте отчёт"), "Подтвердить")
        updated = await expect(official, "Статус: В работе")
        assert "протокол.pdf" in updated["text"]

        notice = await expect(member, "Обновление", timeout=patience(30))
        assert "В работе" in notice["text"]
        assert any(
            b["text"] == "Открыть карточку"
            for row in notice["reply_markup"]["inline_keyboard"]
            for b in row
        )
    finally:
        assert await bot.stop() == 0
    log = bot.log()
    assert "Traceback" not in log, log[log.find("Traceback") :][-1500:]

"""``python -m bot try`` used as a person uses it: through a pipe and in a real terminal."""

from __future__ import annotations

import re
import shutil
import time

import pytest

from bot.importer import parse_path
from bot.paths import CONTENT_DIR
from tests.tryout.chat import PipeChat, TmuxChat

pytestmark = pytest.mark.slow

REGION = "Амурская область"


def new_version_of_a_seed(tmp_path, region: str):
    """A shipped resolution of the region with one sentence reworded: a new version to upload."""
    for path in sorted((CONTENT_DIR / "resolutions").iterdir()):
        text = path.read_text(encoding="utf-8")
        if parse_path(path).region == region:
            changed = text.replace("Продолжить", "Продолжать", 1)
            assert changed != text
            target = tmp_path / f"new-{path.name}"
            target.write_text(changed, encoding="utf-8")
            return target
    raise AssertionError(f"no shipped resolution for {region}")


def sign_up_and_follow(chat) -> str:
    """The member signs up, asks a question, opens a card and follows it; returns its title."""
    chat.expect("Здравствуйте, Анна")
    chat.press("Даю согласие")
    chat.expect("Шаг 1 из 3")
    chat.send("амур")
    chat.press(REGION)
    chat.expect("Шаг 2 из 3")
    chat.press("НКО")
    chat.expect("Шаг 3 из 3")
    chat.send("Ресурсный центр «Содействие»")
    chat.expect("Готово")
    chat.send("план мероприятий обучение социально ориентированных организаций 2016")
    chat.expect("по запросу «")
    chat.press("1")
    title = re.search(r"Рекомендация п\. [\d.]+", chat.expect("Рекомендация п.")).group(0)
    chat.press("Следить")
    chat.expect("Вы следите")
    chat.expect("✎ сообщение")
    chat.button("Не следить")
    return title


def test_a_scripted_session_through_a_pipe_walks_every_role(tmp_path):
    upload = new_version_of_a_seed(tmp_path, REGION)
    chat = PipeChat(tmp_path)
    try:
        title = sign_up_and_follow(chat)
        greeting_seconds = chat.greeting_seconds
        print(f"\ntime to greeting: {greeting_seconds:.2f} s")

        # An hour later (the digest counts what happened after one signed up, to the second)
        # the coordinator, appointed by the administrator, uploads and publishes a resolution.
        chat.send("/time +1h")
        chat.expect("Часы переведены вперёд на 1 час")
        chat.send(f"/as coordinator {REGION}")
        chat.expect(f"назначил координатора: Ольга, {REGION}")
        chat.expect("Теперь вы Ольга")
        chat.send(f"/send {upload}")
        chat.expect("Предпросмотр резолюции")
        chat.press("Опубликовать")
        chat.expect("у сообщения")  # the buttons go away once pressed
        chat.expect("Резолюция обновлена")

        # … and invites an official.
        chat.send("/invite")
        chat.press("СОНКО")
        chat.press("Правительство области")
        chat.press("1 человек")
        link = re.search(r"https://t\.me/\S+", chat.expect("https://t.me/")).group(0)

        # The official opens the invite and reports on the recommendation the member follows.
        chat.send("/as official")
        chat.expect("Пётр пока не исполнитель")
        chat.send("/open")
        chat.expect(f"Открываю ссылку {link}")
        chat.press("Даю согласие")
        chat.press("Подтвердить")
        chat.expect("Вы представляете «Правительство области»")
        chat.send("/tasks")
        chat.expect("Задачи вашего органа")
        chat.press("1")
        card = chat.expect(title)
        card_id = re.search(r"\[(\d+)\] Бот", card).group(1)
        chat.press("В работе")
        chat.expect("Добавьте комментарий")
        chat.send("Создана рабочая группа")
        chat.expect("Проверьте отчёт")
        reported = chat.mark
        chat.press("Подтвердить")
        chat.expect("Отчёт записан")
        # The follower's notice goes through the outbox: it may overtake the reply.
        chat.expect("Анна (участник): 1 новое сообщение", since=reported)
        # Reply-to reporting: a comment as a reply to the card.
        chat.send(f"/reply {card_id} Первое заседание назначено")
        chat.expect("Добавлено в историю")

        # The member comes back and finds the notices.
        chat.send("/as member")
        chat.expect("Пока вас не было")
        notice = chat.expect("Создана рабочая группа")
        assert "Обновление" in notice and "В работе" in notice
        chat.button("Открыть карточку")
        chat.expect("Первое заседание назначено")

        # A week later the weekly digest arrives with the change.
        chat.send("/time +7d")
        chat.expect("Часы переведены вперёд на 7 дней")
        chat.expect("Сводка за неделю")
        digest = chat.expect("Номер — открыть карточку")
        assert title.removeprefix("Рекомендация ") in digest  # the followed one
        chat.send("/quit")
        assert chat.close() == 0
    finally:
        chat.close()
    assert b"\x1b" not in chat.raw(), "ANSI codes in piped output"
    assert "Traceback" not in chat.errors(), chat.errors()


def test_as_official_starts_invited_by_a_coordinator_and_eof_ends_the_session(tmp_path):
    chat = PipeChat(tmp_path, "--as", "official", "--region", "амур")
    try:
        chat.expect(f"назначил координатора: Ольга, {REGION}")
        chat.expect("Приглашение координатора (Ольга) принято: Пётр — исполнитель")
        chat.expect("Вы — Пётр (исполнитель,")
        chat.send("/tasks")
        chat.expect("Задачи вашего органа")
        assert chat.close() == 0  # end of input: a scripted demo just ends
    finally:
        chat.close()
    assert "Traceback" not in chat.errors(), chat.errors()


@pytest.mark.skipif(
    shutil.which("tmux") is None,
    reason="tmux is not installed (apt-get install -y tmux); the CI image should have it",
)
def test_a_session_in_a_real_terminal(tmp_path):
    chat = TmuxChat(tmp_path)
    try:
        chat.press("Даю согласие")
        chat.expect("Шаг 1 из 3")
        chat.send("/profile")  # leave the onboarding for later, as a hurried person does
        chat.expect("Профиль")
        chat.send("план мероприятий обучение социально ориентированных организаций 2016")
        chat.expect("по запросу «")
        _, number = chat.button("1")
        chat.send(str(number))  # a bare number: the last message's buttons
        title = re.search(r"Рекомендация п\. [\d.]+", chat.expect("Рекомендация п.")).group(0)
        _, follow = chat.button("Следить")
        chat.send(str(follow))
        chat.expect("Вы следите")

        chat.send(f"/as coordinator {REGION}")
        chat.expect("Теперь вы Ольга")
        chat.send("/invite")
        chat.press("СОНКО")
        chat.press("Правительство области")
        chat.press("1 человек")
        chat.expect("https://t.me/")

        chat.send("/as official")
        chat.send("/open")
        chat.press("Даю согласие")
        chat.press("Подтвердить")
        chat.expect("Вы представляете")
        chat.send("/tasks")
        chat.press("1")
        chat.expect(title)
        chat.press("Выполнено частично")
        chat.expect("Добавьте комментарий")
        chat.send("Обучено 40 человек")
        chat.press("Подтвердить")
        chat.expect("Отчёт записан")

        chat.send("/as member")
        chat.expect("Пока вас не было")
        notice = chat.expect("Обучено 40 человек")
        assert "Обновление" in notice
        chat.send("/quit")
        deadline = time.monotonic() + 60
        while chat.alive() and time.monotonic() < deadline:
            chat.pause()
        assert not chat.alive(), "the program did not end on /quit"
    finally:
        chat.close()
    log = (tmp_path / "stderr.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log, log

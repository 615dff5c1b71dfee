"""The terminal chat in-process: what it prints for each kind of Bot API call, and its commands."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.clock import ShiftedClock
from bot.container import build_services
from bot.settings import Settings
from bot.tryout import try_settings
from bot.tryout.screen import Keyboard, Screen
from bot.tryout.terminal import Terminal
from storage import Database, apply_migrations
from tests.texts import matches_plain, plain

REGION = "Амурская область"


def t(key: str, **params) -> str:
    """A text of the terminal tryout (plain text, as the terminal prints it)."""
    return plain(f"try.{key}", **params)


@pytest.fixture
async def terminal(tmp_path, parsed_seeds) -> AsyncIterator[Terminal]:
    import copy

    settings = try_settings(Settings(_env_file=None), tmp_path / "bot.sqlite3")
    db = await Database.connect(settings.database_path)
    await apply_migrations(db)
    services = build_services(settings, db, ShiftedClock())
    for parsed in parsed_seeds:
        await services.importer.import_document(copy.deepcopy(parsed))
    out = io.StringIO()
    screen = Screen(out, styled=False)
    term = Terminal(services, screen, Keyboard(screen, io.StringIO()), tmp_path / "files", REGION)
    await term.start()
    yield term
    await term.stop()
    await db.close()


def screen_text(terminal: Terminal) -> str:
    return terminal.screen.out.getvalue()


def since(terminal: Terminal, mark: int) -> str:
    return screen_text(terminal)[mark:]


async def test_html_is_read_as_a_person_reads_it(terminal):
    await terminal.bot.send_message(
        terminal.current.user_id,
        '<b>Жирный</b> и <i>курсив</i>, &lt;не тег&gt;, <a href="https://example.org/a">сайт</a>',
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[
                [InlineKeyboardButton(text="Да", callback_data="x:1")],
                [InlineKeyboardButton(text="Сайт", url="https://example.org")],
            ]
        ),
    )
    text = screen_text(terminal)
    assert "Жирный и курсив, <не тег>, сайт (https://example.org/a)" in text
    assert "<b>" not in text and "&lt;" not in text
    assert "[1] Да" in text and "[2] Сайт → https://example.org" in text


async def test_a_document_the_bot_sends_is_saved_and_its_path_shown(terminal, tmp_path):
    await terminal.bot.send_document(
        terminal.current.user_id,
        BufferedInputFile(b"%PDF-1.4 report", filename="отчёт.pdf"),
        caption="Итоги",
    )
    saved = list((tmp_path / "files").iterdir())
    assert len(saved) == 1 and saved[0].read_bytes() == b"%PDF-1.4 report"
    assert t("file_saved", name="отчёт.pdf", path=saved[0]) in screen_text(terminal)
    assert "Итоги" in screen_text(terminal)


async def test_edits_alerts_and_deletions_are_shown_as_such(terminal):
    user = terminal.current.user_id
    sent = await terminal.bot.send_message(user, "Было")
    await terminal.bot.edit_message_text("Стало", chat_id=user, message_id=sent.message_id)
    await terminal.bot.answer_callback_query("q1", "Нельзя", show_alert=True)
    await terminal.bot.answer_callback_query("q2", "Сохранено")
    await terminal.bot.delete_message(user, sent.message_id)
    text = screen_text(terminal)
    assert f"{t('edited', id=sent.message_id)}\n  Стало" in text
    assert t("alert", text="Нельзя") in text
    assert t("toast", text="Сохранено") in text
    assert t("deleted", id=sent.message_id) in text


async def test_a_message_to_someone_else_waits_until_one_switches_to_them(terminal):
    official = terminal.people["official"]
    await terminal.bot.send_message(official.user_id, "Напоминание для Петра")
    text = screen_text(terminal)
    assert "Напоминание для Петра" not in text
    role = t("role_official")
    assert t("waiting", name="Пётр", role=role, n=1, who="official") in text
    mark = len(text)
    await terminal.handle("/as official")
    after = since(terminal, mark)
    assert t("you_are", name="Пётр", role=role) in after and t("while_away") in after
    assert "Напоминание для Петра" in after


async def test_as_coordinator_is_appointed_by_the_admin_through_the_service(terminal):
    coordinator = terminal.people["coordinator"]
    assert not (await terminal.services.access.roles(coordinator.user_id)).coordinator_regions
    await terminal.handle("/as coordinator камчат")
    roles = await terminal.services.access.roles(coordinator.user_id)
    assert roles.coordinator_regions == {"Камчатский край"}
    appointed = matches_plain("try.appointed", name="Ольга", region="Камчатский край")
    assert appointed.within(screen_text(terminal))
    assert terminal.current is coordinator


async def test_as_official_accepts_a_coordinators_invite(terminal):
    official = terminal.people["official"]
    await terminal.ensure_official()
    roles = await terminal.services.access.roles(official.user_id)
    assert len(roles.official_addressees) == 1
    invited = matches_plain("try.invited", coordinator="Ольга", name="Пётр")
    assert invited.within(screen_text(terminal))


async def test_buttons_are_pressed_by_number_and_by_message(terminal):
    await terminal.handle("/start")
    await terminal.handle("1")  # consent to the processing of personal data
    await terminal.handle("амур")
    mark = len(screen_text(terminal))
    await terminal.handle("1")  # the last message with buttons: the region choice
    assert plain("profile.region_saved", region=REGION) in since(terminal, mark)
    mark = len(screen_text(terminal))
    await terminal.handle("99")
    assert t("no_buttons") in since(terminal, mark)


async def test_time_moves_the_clock_forward(terminal):
    before = terminal.services.clock.now()
    await terminal.handle("/time +3d")
    moved = terminal.services.clock.now() - before
    assert 3 * 86400 <= moved.total_seconds() < 3 * 86400 + 60
    assert matches_plain("try.time_moved", delta=t("delta_d", n=3)).within(screen_text(terminal))
    offset = terminal.services.clock.offset
    mark = len(screen_text(terminal))
    await terminal.handle("/time скоро")
    assert t("bad_time") in since(terminal, mark)
    assert terminal.services.clock.offset == offset


async def test_bad_terminal_input_gets_a_clear_answer(terminal, tmp_path):
    mark = len(screen_text(terminal))
    await terminal.handle(f"/send {tmp_path / 'нет-такого.docx'}")
    await terminal.handle("/reply 5")
    await terminal.handle("/as директор")
    await terminal.handle("/open")
    after = since(terminal, mark)
    assert matches_plain("try.no_file").within(after)
    assert t("usage_reply") in after
    assert t("unknown_role", role="директор") in after
    assert t("no_link") in after

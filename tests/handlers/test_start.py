from tests.texts import expect, matches, plain


async def test_start_registers_greets_and_starts_onboarding(harness, services):
    calls = await harness.send(101, "/start")
    assert [c.method for c in calls] == ["sendMessage", "sendMessage"]
    assert calls[0].text == expect("start.greeting_new", name="Анна")
    assert calls[1].text == expect("profile.ask_region")
    user = await services.users.get(101)
    assert user is not None and user.first_name == "Анна" and user.is_active

    # Sign-up not finished: no "welcome back", the sign-up picks up again.
    calls = await harness.send(101, "/start")
    assert calls[0].text == expect("start.greeting_resume", name="Анна")
    assert calls[1].text == expect("profile.ask_region")


async def test_help_lists_commands(harness):
    calls = await harness.send(101, "/help")
    text = calls[0].text
    assert "/start — " in text and "/help — " in text


async def test_unknown_command_and_text_get_helpful_answers(harness):
    calls = await harness.send(101, "/nonsense<b>")
    assert calls[0].text == expect("fallback.unknown_command", command="/nonsense<b>")
    # Free text is a question; when nothing matches, the answer says what to try.
    calls = await harness.send(101, "абракадабра")
    assert calls[0].text == matches("ask.nothing", question="абракадабра")
    calls = await harness.feed(
        {
            "message": harness.message_dict(
                101,
                None,
                sticker={
                    "file_id": "x",
                    "file_unique_id": "y",
                    "type": "regular",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                },
            )
        }
    )
    assert calls[0].text == expect("fallback.other")


async def test_handler_crash_is_logged_with_update_id_and_user_gets_apology(
    harness, caplog, monkeypatch
):
    async def boom(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(harness.services.users, "touch", boom)
    calls = await harness.feed({"update_id": 555, "message": harness.message_dict(101, "/help")})
    assert any(c.text == expect("errors.apology") for c in calls)
    assert any("update 555 failed" in r.getMessage() for r in caplog.records)


async def test_an_old_sign_up_button_is_stale_and_harmless(harness, services):
    await harness.send(101, "/start")
    regions = (await harness.send(101, "Амур"))[-1]
    calls = await harness.press(101, regions, "Амурская область")
    kinds = calls[-1]
    calls = await harness.press(101, kinds, kind_button(kinds))
    calls = await harness.press(101, calls[-1], expect("profile.skip_button"))
    profile = await services.profiles.get(101)
    assert profile.region == "Амурская область"

    # Days later the old buttons are pressed again: nothing restarts, nothing changes.
    for old in (regions, kinds):
        calls = await harness.press(101, old, kind_button(old) if old is kinds else "Амурская")
        alert = next(c for c in calls if c.method == "answerCallbackQuery")
        assert alert.params["text"] in (plain("fallback.stale_button"), plain("profile.stale_step"))
        assert not [c for c in calls if c.method == "sendMessage"]
    assert await services.profiles.get(101) == profile
    # A question is answered as a question, not blocked by the sign-up.
    calls = await harness.send(101, "что рекомендовано ресурсным центрам?")
    assert not any(c.text == expect("profile.use_buttons") for c in calls)


async def test_a_sign_up_region_button_pressed_during_a_profile_edit_does_not_restart_sign_up(
    harness, services
):
    await harness.send(101, "/start")
    regions = (await harness.send(101, "Амур"))[-1]
    await harness.press(101, regions, "Амурская область")
    card = (await harness.send(101, "/profile"))[-1]  # /profile ends the sign-up dialog
    calls = await harness.press(101, card, expect("profile.edit_region"))
    calls = await harness.send(101, "Камчат")
    # The old sign-up button, pressed while the profile asks for a region, only sets it.
    calls = await harness.press(101, regions, "Амурская область")
    assert not any(c.text == expect("profile.ask_kind") for c in calls)
    assert await harness.services.profiles.get(101) is not None
    calls = await harness.send(101, "что рекомендовано ресурсным центрам?")
    assert not any(c.text == expect("profile.use_buttons") for c in calls)


def kind_button(call) -> str:
    return call.buttons()[0][0]


async def test_a_failed_edit_reaching_the_error_handler_gets_no_apology(harness, caplog):
    from aiogram.exceptions import TelegramBadRequest
    from aiogram.methods import EditMessageText
    from aiogram.types import ErrorEvent, Update

    from handlers.errors import on_error

    update = Update.model_validate(
        {"update_id": 7, "message": harness.message_dict(101, "/settings")},
        context={"bot": harness.bot},
    )
    for failure in ("message to edit not found", "message is not modified"):
        error = TelegramBadRequest(
            EditMessageText(text="x", chat_id=101, message_id=1), f"Bad Request: {failure}"
        )
        assert await on_error(
            ErrorEvent(update=update, exception=error), harness.bot, harness.texts
        )
    assert harness.calls == []  # no «Простите, что-то пошло не так»
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_help_tells_a_coordinator_how_to_upload_a_resolution(harness, services):
    from tests.handlers.test_documents import appoint

    await appoint(harness, 102, "Амурская область")
    text = (await harness.send(102, "/help"))[-1].text
    assert expect("help.hint_coordinator") in text
    member = (await harness.send(101, "/help"))[-1].text
    assert expect("help.hint_coordinator") not in member  # a member cannot upload: not told to

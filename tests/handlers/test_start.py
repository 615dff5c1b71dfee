async def test_start_registers_greets_and_starts_onboarding(harness, services):
    calls = await harness.send(101, "/start")
    assert [c.method for c in calls] == ["sendMessage", "sendMessage"]
    assert "Здравствуйте, Анна!" in calls[0].text
    assert "Из какого вы региона?" in calls[1].text
    user = await services.users.get(101)
    assert user is not None and user.first_name == "Анна" and user.is_active

    # Sign-up not finished: no "welcome back", the sign-up picks up again.
    calls = await harness.send(101, "/start")
    assert "С возвращением" not in calls[0].text
    assert "Из какого вы региона?" in calls[1].text


async def test_help_lists_commands(harness):
    calls = await harness.send(101, "/help")
    text = calls[0].text
    assert "/start — " in text and "/help — " in text


async def test_unknown_command_and_text_get_helpful_answers(harness):
    calls = await harness.send(101, "/nonsense<b>")
    assert "Не знаю команды /nonsense&lt;b&gt;" in calls[0].text
    # Free text is a question; when nothing matches, the answer says what to try.
    calls = await harness.send(101, "абракадабра")
    assert "ничего не нашлось" in calls[0].text and "Попробуйте" in calls[0].text
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
    assert "/help" in calls[0].text


async def test_handler_crash_is_logged_with_update_id_and_user_gets_apology(
    harness, caplog, monkeypatch
):
    async def boom(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(harness.services.users, "touch", boom)
    calls = await harness.feed({"update_id": 555, "message": harness.message_dict(101, "/help")})
    assert any("Простите" in (c.text or "") for c in calls)
    assert any("update 555 failed" in r.getMessage() for r in caplog.records)

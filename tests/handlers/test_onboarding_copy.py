"""Issue 11, point 13: onboarding reads as Russian and greets each person for who they are."""

from tests.conftest import ADMIN_ID


async def test_the_kind_is_asked_and_shown_in_the_singular(harness, services):
    await harness.send(81, "/start")
    calls = await harness.send(81, "амур")
    calls = await harness.press(81, calls[-1], "Амурская область")
    ask = calls[-1]
    labels = [t for t, _ in ask.buttons()]
    assert "Общественная палата" in labels and "Общественные палаты" not in labels
    assert "Ресурсный центр" in labels
    calls = await harness.press(81, ask, "Общественная палата")
    assert any(
        "Вид организации: <b>общественная палата</b>" in t for t in harness.sent_texts(calls)
    )
    calls = await harness.press(81, calls[-1], "Пропустить")
    card = calls[-1].text
    assert "Вид: общественная палата" in card
    assert "Организация:" not in card
    profile = await services.profiles.get(81)
    assert profile.kind == "public_chamber"


async def test_welcome_back_only_after_sign_up_is_finished(harness):
    await harness.send(82, "/start")
    calls = await harness.send(82, "/start")  # never finished sign-up
    assert "С возвращением" not in calls[0].text
    assert any("Из какого вы региона?" in (c.text or "") for c in calls)
    calls = await harness.send(82, "амур")
    calls = await harness.press(82, calls[-1], "Амурская область")
    calls = await harness.press(82, calls[-1], "НКО")
    await harness.press(82, calls[-1], "Пропустить")
    calls = await harness.send(82, "/start")
    assert "С возвращением" in calls[0].text
    assert len(calls) == 1  # no second sign-up


async def test_an_admin_is_greeted_with_what_they_can_do(harness):
    calls = await harness.send(ADMIN_ID, "/start")
    texts = harness.sent_texts(calls)
    assert not any("Из какого вы региона?" in t for t in texts)
    assert any("/coordinator" in t and "администратор" in t for t in texts)
    # Free text after /start is a question, not a sign-up step.
    calls = await harness.send(ADMIN_ID, "амур")
    assert "Выберите регион" not in calls[-1].text


async def test_a_coordinator_is_greeted_with_their_region(harness, services):
    await harness.send(83, "/start")
    await services.access.appoint_coordinator(ADMIN_ID, 83, "Амурская область")
    calls = await harness.send(83, "/start")
    text = calls[0].text
    assert "координатор" in text and "Амурская область" in text and "/progress" in text
    assert not any("Из какого вы региона?" in (c.text or "") for c in calls)

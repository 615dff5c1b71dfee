"""Issue 11, point 13: onboarding reads as Russian and greets each person for who they are."""

from handlers.profile import kind_button
from tests.conftest import ADMIN_ID
from tests.texts import TEXTS, expect, matches, plain


async def test_the_kind_is_asked_and_shown_in_the_singular(harness, services):
    await harness.send(81, "/start")
    calls = await harness.send(81, "амур")
    calls = await harness.press(81, calls[-1], "Амурская область")
    ask = calls[-1]
    labels = [t for t, _ in ask.buttons()]
    chamber = kind_button(TEXTS, "public_chamber")  # one chamber: «kind_one», not «kind»
    assert chamber in labels and kind_button(TEXTS, "resource_center") in labels
    calls = await harness.press(81, ask, chamber)
    assert expect("profile.kind_saved", kind=plain("kind_one.public_chamber")) in (
        harness.sent_texts(calls)
    )
    calls = await harness.press(81, calls[-1], expect("profile.skip_button"))
    card = calls[-1].text
    assert card == matches("profile.done")
    missing = expect("profile.not_set")
    shown = matches("profile.card", kind=plain("kind_one.public_chamber"), name=missing)
    assert shown.within(card)
    profile = await services.profiles.get(81)
    assert profile.kind == "public_chamber"


async def test_welcome_back_only_after_sign_up_is_finished(harness):
    await harness.send(82, "/start")
    calls = await harness.send(82, "/start")  # never finished sign-up
    assert calls[0].text == expect("start.greeting_resume", name="Анна")
    assert expect("profile.ask_region") in harness.sent_texts(calls)
    calls = await harness.send(82, "амур")
    calls = await harness.press(82, calls[-1], "Амурская область")
    calls = await harness.press(82, calls[-1], kind_button(TEXTS, "ngo"))
    await harness.press(82, calls[-1], expect("profile.skip_button"))
    calls = await harness.send(82, "/start")
    assert calls[0].text == expect("start.greeting_back", name="Анна")
    assert len(calls) == 1  # no second sign-up


async def test_an_admin_is_greeted_with_what_they_can_do(harness):
    calls = await harness.send(ADMIN_ID, "/start")
    texts = harness.sent_texts(calls)
    assert expect("profile.ask_region") not in texts
    assert any(expect("start.role_admin") in t for t in texts)
    # Free text after /start is a question, not a sign-up step.
    calls = await harness.send(ADMIN_ID, "амур")
    assert calls[-1].text != expect("profile.pick_region")


async def test_a_coordinator_is_greeted_with_their_region(harness, services):
    await harness.send(83, "/start")
    await services.access.appoint_coordinator(ADMIN_ID, 83, "Амурская область")
    calls = await harness.send(83, "/start")
    text = calls[0].text
    assert expect("start.role_coordinator", regions="Амурская область") in text
    assert expect("profile.ask_region") not in harness.sent_texts(calls)


async def test_the_organisation_name_example_fits_the_chosen_kind(harness):
    """An НКО was offered «Общественная палата Амурской области» as its example."""
    shown = {}
    for user_id, kind in ((84, "ngo"), (85, "public_chamber")):
        await harness.send(user_id, "/start")
        calls = await harness.send(user_id, "амур")
        calls = await harness.press(user_id, calls[-1], "Амурская область")
        calls = await harness.press(user_id, calls[-1], kind_button(TEXTS, kind))
        example = expect(f"profile.name_example.{kind}")
        assert calls[-1].text == expect("profile.ask_name", example=example)
        shown[kind] = calls[-1].text
    assert shown["ngo"] != shown["public_chamber"]

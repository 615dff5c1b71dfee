"""/my, questions in free text, paging and inline mode through the real Dispatcher."""

import datetime as dt

import pytest

from handlers.profile import kind_button
from tests.texts import TEXTS, expect, matches

NGO_BUTTON = kind_button(TEXTS, "ngo")
CHAMBER_BUTTON = kind_button(TEXTS, "public_chamber")

NGO = 61


async def onboard(harness, user_id, letters, region, kind_label, name=None):
    await harness.send(user_id, "/start")
    calls = await harness.send(user_id, letters)
    calls = await harness.press(user_id, calls[-1], region)
    calls = await harness.press(user_id, calls[-1], kind_label)
    if name:
        return await harness.send(user_id, name)
    return await harness.press(user_id, calls[-1], expect("profile.skip_button"))


async def test_my_lists_what_concerns_an_amur_ngo_page_by_page(harness, seeded):
    calls = await onboard(harness, NGO, "амур", "Амурская область", NGO_BUTTON)
    assert calls[-1].text == matches("profile.done")
    assert matches("profile.card", region="Амурская область").within(calls[-1].text)
    calls = await harness.send(NGO, "/my")
    page = calls[-1]
    assert matches("my.header", region="Амурская область", org="").within(page.text)
    numbers = [t for t, _ in page.buttons() if t.isdigit()]
    assert numbers == ["1", "2", "3", "4", "5"]
    assert any(t == "▶️" for t, _ in page.buttons())
    assert "адресовано" in page.text  # every line says why

    calls = await harness.press(NGO, page, "▶️")
    edited = next(c for c in calls if c.method == "editMessageText")
    assert next(t for t, _ in edited.buttons() if t.isdigit()) == "6"


async def test_my_without_profile_asks_for_it(harness):
    await harness.send(62, "/profile")
    calls = await harness.send(62, "/my")
    assert calls[-2].text == expect("my.no_profile")
    assert calls[-1].text == expect("profile.ask_region")


async def test_questions_in_free_text(harness, seeded):
    await harness.send(63, "/profile")  # registered, no dialog waiting
    calls = await harness.send(63, "что рекомендовано ресурсным центрам?")
    answer = calls[-1]
    asked = "что рекомендовано ресурсным центрам?"
    assert matches("ask.header", question=asked).within(answer.text)
    assert answer.buttons()

    calls = await harness.send(63, "квантовая хромодинамика глюонов")
    assert calls[-1].text == matches("ask.nothing", question="квантовая хромодинамика глюонов")

    calls = await harness.send(63, "поддержка " * 100)
    assert calls[-1].text == matches("ask.too_long")


async def test_inline_mode_offers_cards(harness, seeded):
    calls = await harness.feed(
        {
            "inline_query": {
                "id": "q1",
                "from": harness.user_dict(64),
                "query": "поддержка СО НКО в Севастополе",
                "offset": "",
            }
        }
    )
    answer = next(c for c in calls if c.method == "answerInlineQuery")
    results = answer.params["results"]
    assert 0 < len(results) <= 10
    first = results[0]["input_message_content"]["message_text"]
    assert first == matches("inline.card")
    assert "Севастопол" in first


async def test_page_buttons_turn_the_pages_of_their_own_question(harness, seeded):
    await harness.send(65, "/profile")
    first = (await harness.send(65, "поддержка некоммерческих организаций"))[-1]
    await harness.send(65, "молодёжная политика")
    assert any(t == "▶️" for t, _ in first.buttons())
    calls = await harness.press(65, first, "▶️")
    edited = next(c for c in calls if c.method == "editMessageText")
    asked = "поддержка некоммерческих организаций"
    assert matches("ask.header", question=asked).within(edited.text)


async def test_my_in_a_region_without_documents_reads_naturally_and_points_onwards(harness, seeded):
    tver = 8801
    await onboard(harness, tver, "тверс", "Тверская область", CHAMBER_BUTTON)
    calls = await harness.send(tver, "/my")
    text = calls[-1].text
    # Russian, not a form: the region in the locative, the kind in the dative; and a next
    # step: ask about other regions or add one to the subscription.
    assert text == expect("my.empty", region="Тверской области", kind="общественным палатам")


@pytest.mark.parametrize("typed", ["-", " — ", "...", "нет", "Пропустить"])
async def test_a_dash_or_no_for_the_name_skips_it(harness, seeded, typed):
    user = 8802
    calls = await onboard(harness, user, "амур", "Амурская область", NGO_BUTTON, name=typed)
    text = calls[-1].text
    assert text == matches("profile.done")
    assert matches("profile.card", name=expect("profile.not_set")).within(text)


async def test_inline_overdue_goes_by_the_bots_clock(harness, seeded, clock):
    # On 1 March 2016 only the deadline of 18 February 2016 has passed, not «конец 2016».
    clock.at = dt.datetime(2016, 3, 1, 3, 0, tzinfo=dt.UTC)
    calls = await harness.feed(
        {
            "inline_query": {
                "id": "q2",
                "from": harness.user_dict(66),
                "query": "что просрочено?",
                "offset": "",
            }
        }
    )
    answer = next(c for c in calls if c.method == "answerInlineQuery")
    cards = [r["input_message_content"]["message_text"] for r in answer.params["results"]]
    assert cards and all("2016 г." in c for c in cards)
    assert not any("до конца 2016" in c for c in cards)


async def test_the_example_after_sign_up_asks_about_the_members_own_kind(harness, seeded):
    user = 8803
    calls = await onboard(harness, user, "амур", "Амурская область", CHAMBER_BUTTON)
    text = calls[-1].text
    assert text == matches("profile.done", kind="общественным палатам")
    # and the example answers with the member's own region first
    calls = await harness.send(user, "что рекомендовано общественным палатам?")
    assert calls[-1].text != matches("ask.nothing")


async def test_my_in_the_middle_of_sign_up_carries_on_with_it(harness, seeded):
    user = 8804
    await harness.send(user, "/start")
    calls = await harness.send(user, "амур")  # the region picker is on the screen
    calls = await harness.send(user, "/my")
    texts = [c.text for c in calls if c.text]
    assert expect("profile.ask_region") in texts  # asked again, not sent to /profile
    calls = await harness.send(user, "Амурской обл")
    calls = await harness.press(user, calls[-1], "Амурская область")
    assert calls[-1].text == expect("profile.ask_kind")


async def test_a_named_organisation_is_not_also_explained_by_its_kind(harness, seeded):
    user = 8805
    await onboard(
        harness,
        user,
        "амур",
        "Амурская область",
        CHAMBER_BUTTON,
        name="Общественная палата Амурской области",
    )
    calls = await harness.send(user, "/my")
    text = calls[-1].text
    assert "адресовано вашей организации: Общественная палата Амурской области" in text
    assert "адресовано общественным палатам Амурской области" not in text


async def test_my_asks_only_for_the_missing_kind(harness, services, seeded):
    """Sign-up left after the region: /my asks for the kind alone, not from step 1."""
    user = 8803
    await harness.send(user, "/start")
    calls = await harness.send(user, "амур")
    await harness.press(user, calls[-1], "Амурская область")
    await harness.send(user, "/profile")  # the sign-up dialog is left
    calls = await harness.send(user, "/my")
    texts = harness.sent_texts(calls)
    assert expect("profile.ask_region") not in texts
    assert calls[-1].text == expect("my.ask_kind")
    calls = await harness.press(user, calls[-1], NGO_BUTTON)
    assert matches("profile.done").within(calls[-1].text)
    profile = await services.profiles.get(user)
    assert profile.region == "Амурская область" and profile.kind == "ngo"
    page = (await harness.send(user, "/my"))[-1]
    assert matches("my.header", region="Амурская область").within(page.text)

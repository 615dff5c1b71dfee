"""The consent step, /privacy, /policy, /mydata and /forget as a person meets them in the chat."""

import json

import pytest

from bot.users import TelegramIdentity
from tests.dbscan import mentions
from tests.handlers.test_reporting import COORD, OFFICIAL, invite_official
from tests.texts import expect, matches

NEWCOMER = 7300001
NOW_DAY = "02.03.2026"  # the FrozenClock's day in Moscow


@pytest.fixture
def asking(harness):
    """The harness without its automatic consent: people answer the question themselves."""
    harness.auto_consent = False
    return harness


async def test_consent_given_then_onboarding(asking, services):
    calls = await asking.send(NEWCOMER, "/start")
    assert calls[0].text == expect("start.greeting_new", name="Анна")
    request = calls[-1]
    assert request.text == expect("privacy.consent_request")
    # Nothing is stored before the answer: not the name, not a dialog state.
    assert await mentions(services.db, NEWCOMER, "Анна") == []

    calls = await asking.press(NEWCOMER, request, expect("privacy.agree_button"))
    assert calls[1].text == expect("privacy.consent_given", version="1")
    assert calls[-1].text == expect("profile.ask_region")
    consent = await services.privacy.consent(NEWCOMER)
    assert consent.given and consent.record.version == services.privacy.policy.version
    assert consent.record.decided_at == services.clock.iso()
    assert (await services.users.get(NEWCOMER)).first_name == "Анна"


async def test_consent_refused_stores_only_the_refusal(asking, services):
    calls = await asking.send(NEWCOMER, "/start")
    calls = await asking.press(NEWCOMER, calls[-1], expect("privacy.refuse_button"))
    refusal = calls[-1].text
    assert refusal == expect("privacy.refused")
    left = await mentions(services.db, NEWCOMER, "Анна")
    assert {(table, column) for table, column, _ in left} == {("consents", "user_id")}

    # Anything else explains why not; buttons say so in an alert; /help still answers.
    calls = await asking.send(NEWCOMER, "/my")
    assert calls[0].text == expect("privacy.without_consent")
    calls = await asking.send(NEWCOMER, "что рекомендовано НКО?")
    assert calls[0].text == expect("privacy.without_consent")
    calls = await asking.click(NEWCOMER, "fl:1:1")
    assert calls[0].params["show_alert"] and "/start" in calls[0].params["text"]
    assert "/privacy" in (await asking.send(NEWCOMER, "/help"))[0].text
    left = await mentions(services.db, NEWCOMER, "Анна")
    assert {(table, column) for table, column, _ in left} == {("consents", "user_id")}

    # /start can be repeated: the question comes again and the answer can change.
    calls = await asking.send(NEWCOMER, "/start")
    calls = await asking.press(NEWCOMER, calls[-1], expect("privacy.agree_button"))
    assert calls[-1].text == expect("profile.ask_region")


async def test_policy_in_full(asking, services):
    calls = await asking.send(NEWCOMER, "/start")
    calls = await asking.press(NEWCOMER, calls[-1], expect("privacy.policy_button"))
    text = "\n".join(asking.sent_texts(calls))
    assert "<b>Политика обработки персональных данных</b>" in text and "152-ФЗ" in text
    assert "30 дней" in text
    assert text == "\n".join(asking.sent_texts(await asking.send(NEWCOMER, "/policy")))


async def test_policy_url_setting_gives_a_link_button(asking, services):
    services.settings.privacy_policy_url = "https://example.org/privacy"
    calls = await asking.send(NEWCOMER, "/start")
    button = (expect("privacy.policy_button"), "https://example.org/privacy")
    assert button in calls[-1].buttons()


async def test_a_user_from_before_consent_is_asked_when_a_profile_is_needed(asking, services):
    await services.users.repo.upsert(
        NEWCOMER, first_name="Анна", last_name=None, username=None, language_code="ru", now="x"
    )
    assert (await asking.send(NEWCOMER, "/help"))[0].text == matches("help.body")
    calls = await asking.send(NEWCOMER, "/my")
    assert len(calls) == 1 and calls[0].text == expect("privacy.consent_request")
    calls = await asking.press(NEWCOMER, calls[0], expect("privacy.agree_button"))
    assert (await services.privacy.consent(NEWCOMER)).given
    assert calls[-1].text == expect("profile.ask_region")  # never finished the profile
    # Asked once: from now on /my works.
    assert (await asking.send(NEWCOMER, "/my"))[-1].text != expect("privacy.consent_request")


async def test_an_official_following_an_invite_consents_first(harness, services, seeded):
    for user_id in (COORD, 900):
        await harness.send(user_id, "/start")
    await harness.send(900, f"/coordinator {COORD} Амурская область")
    payload = await invite_official(harness, seeded["002"])
    harness.auto_consent = False
    calls = await harness.send(OFFICIAL, f"/start {payload}")
    assert calls[-1].text == expect("privacy.consent_request")
    assert not (await services.access.roles(OFFICIAL)).is_official
    calls = await harness.press(OFFICIAL, calls[-1], expect("privacy.agree_button"))
    assert calls[-1].text == matches("invite.offer", addressee="Правительство области")
    calls = await harness.press(OFFICIAL, calls[-1], expect("invite.join_button"))
    joined = matches("invite.joined", addressee="Правительство области")
    assert any(c.text == joined for c in calls)
    assert (await services.privacy.consent(OFFICIAL)).given


async def test_an_invite_survives_a_command_typed_before_consent(harness, services, seeded):
    """The consent asked again (another command came first) still carries the invite."""
    for user_id in (COORD, 900):
        await harness.send(user_id, "/start")
    await harness.send(900, f"/coordinator {COORD} Амурская область")
    payload = await invite_official(harness, seeded["002"])
    harness.auto_consent = False
    await harness.send(OFFICIAL, f"/start {payload}")
    calls = await harness.send(OFFICIAL, "/tasks")
    assert calls[-1].text == expect("privacy.consent_request")
    calls = await harness.press(OFFICIAL, calls[-1], expect("privacy.agree_button"))
    assert calls[-1].text == matches("invite.offer", addressee="Правительство области")


async def test_privacy_says_what_why_and_how_long(harness, services):
    await harness.send(NEWCOMER, "/start")
    text = (await harness.send(NEWCOMER, "/privacy"))[0].text
    consent = expect("privacy.consent_status_given", day=NOW_DAY, version="1")
    assert text == expect("privacy.about", outbox_days=30, draft_days=7, consent=consent)
    services.settings.outbox_retention_days = 21
    services.settings.draft_retention_days = 3
    text = (await harness.send(NEWCOMER, "/privacy"))[0].text
    assert text == expect("privacy.about", outbox_days=21, draft_days=3, consent=consent)


async def test_mydata_sends_a_json_document(harness, services):
    await harness.send(NEWCOMER, "/start")
    await harness.send(NEWCOMER, "амур")
    calls = await harness.send(NEWCOMER, "/mydata")
    document = calls[-1]
    assert document.method == "sendDocument" and document.text == expect("privacy.mydata_caption")
    (name, body), *_ = document.files.items()
    assert name.endswith(".json")
    data = json.loads(body)
    assert data["user"]["id"] == NEWCOMER and data["user"]["first_name"] == "Анна"
    assert data["consent"]["decision"] == "given"
    assert data["dialogs"]  # the onboarding question is still open


async def test_mydata_of_someone_unknown(asking):
    calls = await asking.send(NEWCOMER, "/mydata")
    assert calls[0].text == expect("privacy.nothing_stored")


async def test_forget_cancel_then_confirm(harness, services):
    await harness.send(NEWCOMER, "/start")
    calls = await harness.send(NEWCOMER, "/forget")
    assert calls[0].text == expect("privacy.forget_confirm")
    calls = await harness.press(NEWCOMER, calls[0], expect("privacy.keep_button"))
    assert calls[-1].text == expect("privacy.kept")
    assert (await services.users.get(NEWCOMER)) is not None

    harness.auto_consent = False  # so the next message does not consent again
    calls = await harness.send(NEWCOMER, "/forget")
    calls = await harness.press(NEWCOMER, calls[0], expect("privacy.forget_button"))
    assert calls[-1].text == expect("privacy.forgotten")
    assert await mentions(services.db, NEWCOMER, "Анна") == []
    # Starting again asks for consent afresh.
    calls = await harness.send(NEWCOMER, "/start")
    assert calls[-1].text == expect("privacy.consent_request")


async def test_an_official_forgets_and_the_card_keeps_the_report(harness, services, seeded):
    from tests.handlers.test_reporting import MEMBER, join_and_open_first_task

    for user_id in (COORD, MEMBER, 900):
        await harness.send(user_id, "/start")
    await harness.send(900, f"/coordinator {COORD} Амурская область")
    rec_id, card = await join_and_open_first_task(harness, seeded["002"])
    await services.reporting.report_status(OFFICIAL, rec_id, "in_progress", "Создана группа")

    calls = await harness.send(OFFICIAL, "/forget")
    representative = expect("history.official_of", org="Правительства области")
    assert calls[0].text == expect("privacy.forget_confirm_official", signature=representative)
    harness.auto_consent = False
    calls = await harness.press(OFFICIAL, calls[0], expect("privacy.forget_button"))
    assert calls[-1].text == expect("privacy.forgotten")
    # (The whole-database search is in tests/services/test_privacy.py, with a distinct id.)
    assert (await harness.send(OFFICIAL, "/mydata"))[0].text == expect("privacy.nothing_stored")

    calls = await harness.click(MEMBER, f"card:{rec_id}")
    card = next(c for c in calls if c.method == "sendMessage")
    status = expect("history.status_first", new=expect("status.in_progress"))  # the first report
    line = matches("history.line", role=representative, what=status)
    assert line.within(card.text)
    assert expect("history.comment_text", text="Создана группа") in card.text


async def test_a_new_edition_of_the_policy_is_asked_for_again(asking, services):
    await services.privacy.give_consent(TelegramIdentity(NEWCOMER, "Анна"))
    await services.privacy.repo.record_consent(NEWCOMER, "given", "0", "2025-01-01T00:00:00+00:00")
    calls = await asking.send(NEWCOMER, "/my")
    assert calls[0].text == expect("privacy.consent_request")
    await asking.press(NEWCOMER, calls[0], expect("privacy.agree_button"))
    assert (await services.privacy.consent(NEWCOMER)).record.version == "1"

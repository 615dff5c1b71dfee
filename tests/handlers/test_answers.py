"""Issue 11, points 1 and 13: answers say which region they cover and read as Russian."""

from tests.handlers.test_my import CHAMBER_BUTTON, NGO_BUTTON, onboard
from tests.texts import expect, matches, plain

AMUR_NGO = 71
LENINGRAD_MEMBER = 72


async def test_an_amur_ngo_hears_that_amur_has_nothing_before_other_regions(harness, seeded):
    await onboard(harness, AMUR_NGO, "амур", "Амурская область", NGO_BUTTON)
    calls = await harness.send(AMUR_NGO, "что рекомендовано ресурсным центрам?")
    text = calls[-1].text
    assert expect("ask.scope_elsewhere", region="Амурской области") in text
    # Items from elsewhere say where they are from.
    assert "Севастополь" in text


async def test_a_members_own_region_comes_first_and_is_named(harness, seeded):
    await onboard(harness, LENINGRAD_MEMBER, "ленингр", "Ленинградская область", NGO_BUTTON)
    calls = await harness.send(LENINGRAD_MEMBER, "комитет по социальной защите")
    text = calls[-1].text
    # «комитет» is a kind: what concerns it comes first, the home region first within it.
    assert matches("ask.scope_kind_first", region="Ленинградская область").within(text)
    first_item = text.split("<b>1.</b>", 1)[1].split("<b>2.</b>", 1)[0]
    assert "Амурская область" not in first_item


async def test_the_kind_asked_about_first_is_said_so(harness, seeded):
    # Amur has items of «поддержка», none about resource centres: those of other regions
    # come first, so «Сначала — Амурская область» would not be true.
    await onboard(harness, AMUR_NGO, "амур", "Амурская область", NGO_BUTTON)
    calls = await harness.send(AMUR_NGO, "поддержка ресурсных центров")
    text = calls[-1].text
    assert matches(
        "ask.scope_kind_first", kind="ресурсным центрам", region="Амурская область"
    ).within(text)
    assert "затем другие регионы" not in text


async def test_a_region_without_documents_says_so(harness, seeded):
    await onboard(harness, AMUR_NGO, "амур", "Амурская область", NGO_BUTTON)
    calls = await harness.send(AMUR_NGO, "что рекомендовано органам власти Тверской области?")
    text = calls[-1].text
    assert text == matches("ask.region_empty", region="Тверской области")
    assert "Амурская" not in text and "п. " not in text
    assert "без названия региона" in text


async def test_overdue_question_counts_and_agrees(harness, seeded):
    await onboard(harness, AMUR_NGO, "амур", "Амурская область", NGO_BUTTON)
    calls = await harness.send(AMUR_NGO, "что просрочено?")
    text = calls[-1].text
    understood = expect("ask.understood", what=plain("ask.status.overdue"))
    scope = expect("ask.scope_home_first", region="Амурская область", n=3)
    assert matches("ask.header", n=10, understood=understood, scope=scope).within(text)


async def test_one_done_item_is_nashlas_odna(harness, services, seeded):
    await onboard(harness, AMUR_NGO, "амур", "Амурская область", NGO_BUTTON)
    calls = await harness.send(AMUR_NGO, "что выполнено?")
    assert calls[-1].text == matches("ask.status_none.done")
    await services.db.execute(
        "UPDATE recommendations SET status = 'done' WHERE id = (SELECT min(id) FROM"
        " recommendations)"
    )
    calls = await harness.send(AMUR_NGO, "что выполнено?")
    assert matches("ask.header", n=1).within(calls[-1].text)


async def test_deadlines_of_the_government_when_there_are_none(harness, services, seeded):
    await onboard(harness, AMUR_NGO, "амур", "Амурская область", NGO_BUTTON)
    await services.db.execute("UPDATE recommendations SET deadline = NULL")
    calls = await harness.send(AMUR_NGO, "какие сроки у правительства области?")
    text = calls[-1].text
    assert text == matches("ask.status_none.with_deadline")


async def test_whitespace_and_greetings_get_a_hint(harness, seeded):
    await onboard(harness, AMUR_NGO, "амур", "Амурская область", NGO_BUTTON)
    calls = await harness.send(AMUR_NGO, "   ")
    assert calls[-1].text == expect("ask.empty")
    for hello in ("привет", "Здравствуйте!", "добрый день"):
        calls = await harness.send(AMUR_NGO, hello)
        assert calls[-1].text == expect("ask.greeting", name="Анна")


async def test_matched_words_are_named_as_typed(harness, seeded):
    await onboard(harness, AMUR_NGO, "амур", "Амурская область", NGO_BUTTON)
    calls = await harness.send(AMUR_NGO, "что рекомендовано министерству культуры амурской области")
    text = calls[-1].text
    assert "совпали слова:" in text
    # As the person typed them («министерство культура» read like a dictionary, not Russian).
    assert text.split("совпали слова:", 1)[1].startswith(" министерству культуры")


async def test_a_passed_deadline_of_an_open_item_is_marked_in_lists_and_cards(harness, seeded):
    await onboard(harness, AMUR_NGO, "амур", "Амурская область", NGO_BUTTON)
    calls = await harness.send(AMUR_NGO, "какие сроки у правительства области?")
    answer = calls[-1]
    assert f"до конца 2016 г. · {expect('list.overdue')}" in answer.text
    calls = await harness.press(AMUR_NGO, answer, "1")
    card = next(c.text for c in calls if matches("card.head").within(c.text))
    overdue = expect("card.deadline_overdue", deadline="до конца 2016 г.")
    assert matches("card.head", deadline=overdue).within(card)
    # an item without a deadline is never overdue
    calls = await harness.send(AMUR_NGO, "/my")
    assert not matches("card.deadline_overdue").within(calls[-1].text)
    assert expect("list.overdue") not in calls[-1].text  # nor the list's mark


async def test_a_bare_status_question_is_not_quoted_back_as_a_query(harness, seeded):
    await onboard(harness, AMUR_NGO, "амур", "Амурская область", NGO_BUTTON)
    calls = await harness.send(AMUR_NGO, "что выполнено?")
    text = calls[-1].text
    assert text == matches("ask.status_none.done", scope="")
    # a question with a topic still says which question it answers
    asked = "что выполнено по молодёжной политике?"
    calls = await harness.send(AMUR_NGO, asked)
    assert matches("ask.header", question=asked).within(calls[-1].text)


async def test_asking_how_to_upload_a_resolution_is_answered_not_searched(harness, seeded):
    from tests.conftest import ADMIN_ID

    await onboard(harness, 777, "амур", "Амурская область", CHAMBER_BUTTON)
    await harness.send(ADMIN_ID, "/start")
    await harness.send(ADMIN_ID, "/coordinator 777 Амурская область")
    for question in (
        "как загрузить резолюцию?",
        "Как добавить документ",
        "как опубликовать решение",
    ):
        text = (await harness.send(777, question))[-1].text
        assert text == expect("ask.how_to_upload_coordinator"), question
    await onboard(harness, AMUR_NGO, "амур", "Амурская область", NGO_BUTTON)
    text = (await harness.send(AMUR_NGO, "как загрузить резолюцию?"))[-1].text
    assert text == expect("ask.how_to_upload_member")
    # A question about recommendations is still a search.
    text = (await harness.send(777, "что рекомендовано ресурсным центрам?"))[-1].text
    assert text != expect("ask.how_to_upload_coordinator")


async def test_every_page_an_answer_offers_has_items(harness, seeded, monkeypatch):
    """The answer re-ranks a bounded pool of the matches: the pages count what the pool
    can show, and the header says how many were found and how many are shown."""
    import bot.search

    monkeypatch.setattr(bot.search, "POOL", 7)  # the seeds have far fewer than the real pool
    await onboard(harness, AMUR_NGO, "амур", "Амурская область", NGO_BUTTON)
    calls = await harness.send(AMUR_NGO, "поддержка некоммерческих организаций")
    first = calls[-1]
    assert matches("ask.shown_of", shown=7).within(first.text)
    assert expect("list.page", page=1, pages=2) in [text for text, _ in first.buttons()]
    calls = await harness.press(AMUR_NGO, first, "▶️")
    last = calls[-1]
    assert "<b>6.</b>" in last.text and "<b>7.</b>" in last.text and "<b>8.</b>" not in last.text
    assert "▶️" not in [text for text, _ in last.buttons()]


async def test_a_broad_question_counts_up_to_a_bound_and_says_more_than(
    harness, seeded, monkeypatch
):
    """Counting every match of a word found in most of a million items costs tens of
    milliseconds; past ``COUNTED`` the answer says «больше …» instead."""
    import bot.search

    monkeypatch.setattr(bot.search, "BROAD", 3)  # the seeds are small: make it broad
    monkeypatch.setattr(bot.search, "COUNTED", 6)
    monkeypatch.setattr(bot.search, "POOL", 2)  # home and elsewhere: 4 listed at most
    await onboard(harness, AMUR_NGO, "амур", "Амурская область", NGO_BUTTON)
    calls = await harness.send(AMUR_NGO, "поддержка некоммерческих организаций")
    text = calls[-1].text
    assert matches("ask.header_over", n=6, count="6").within(text)
    assert matches("ask.shown_of", shown=4).within(text)

"""Issue 11, points 1 and 13: answers say which region they cover and read as Russian."""

from tests.handlers.test_my import onboard

AMUR_NGO = 71
LENINGRAD_MEMBER = 72


async def test_an_amur_ngo_hears_that_amur_has_nothing_before_other_regions(harness, seeded):
    await onboard(harness, AMUR_NGO, "амур", "Амурская область", "НКО")
    calls = await harness.send(AMUR_NGO, "что рекомендовано ресурсным центрам?")
    text = calls[-1].text
    assert "В Амурской области ничего не нашлось" in text
    # Items from elsewhere say where they are from.
    assert "Севастополь" in text


async def test_a_members_own_region_comes_first_and_is_named(harness, seeded):
    await onboard(harness, LENINGRAD_MEMBER, "ленингр", "Ленинградская область", "НКО")
    calls = await harness.send(LENINGRAD_MEMBER, "комитет по социальной защите")
    text = calls[-1].text
    assert "Сначала — Ленинградская область" in text
    first_item = text.split("<b>1.</b>", 1)[1].split("<b>2.</b>", 1)[0]
    assert "Амурская область" not in first_item


async def test_a_region_without_documents_says_so(harness, seeded):
    await onboard(harness, AMUR_NGO, "амур", "Амурская область", "НКО")
    calls = await harness.send(AMUR_NGO, "что рекомендовано органам власти Тверской области?")
    text = calls[-1].text
    assert text.startswith("По Тверской области документов пока нет.")
    assert "Амурская" not in text and "п. " not in text
    assert "без названия региона" in text


async def test_overdue_question_counts_and_agrees(harness, seeded):
    await onboard(harness, AMUR_NGO, "амур", "Амурская область", "НКО")
    calls = await harness.send(AMUR_NGO, "что просрочено?")
    text = calls[-1].text
    assert "Нашлось 10 рекомендаций" in text and "Понял: просрочено" in text
    assert "Сначала — Амурская область (3)" in text


async def test_one_done_item_is_nashlas_odna(harness, services, seeded):
    await onboard(harness, AMUR_NGO, "амур", "Амурская область", "НКО")
    calls = await harness.send(AMUR_NGO, "что выполнено?")
    assert "Выполненных пока нет" in calls[-1].text
    await services.db.execute(
        "UPDATE recommendations SET status = 'done' WHERE id = (SELECT min(id) FROM"
        " recommendations)"
    )
    calls = await harness.send(AMUR_NGO, "что выполнено?")
    assert "Нашлась 1 рекомендация" in calls[-1].text


async def test_deadlines_of_the_government_when_there_are_none(harness, services, seeded):
    await onboard(harness, AMUR_NGO, "амур", "Амурская область", "НКО")
    await services.db.execute("UPDATE recommendations SET deadline = NULL")
    calls = await harness.send(AMUR_NGO, "какие сроки у правительства области?")
    text = calls[-1].text
    assert text.startswith("Сроков нет: ни у одной из")
    assert "срок не указан" in text


async def test_whitespace_and_greetings_get_a_hint(harness, seeded):
    await onboard(harness, AMUR_NGO, "амур", "Амурская область", "НКО")
    calls = await harness.send(AMUR_NGO, "   ")
    assert "ничего не нашлось" not in calls[-1].text
    assert "Напишите вопрос словами" in calls[-1].text
    for hello in ("привет", "Здравствуйте!", "добрый день"):
        calls = await harness.send(AMUR_NGO, hello)
        assert "ничего не нашлось" not in calls[-1].text
        assert calls[-1].text.startswith("Здравствуйте, Анна!") and "/my" in calls[-1].text


async def test_matched_words_are_named_in_their_dictionary_form(harness, seeded):
    await onboard(harness, AMUR_NGO, "амур", "Амурская область", "НКО")
    calls = await harness.send(AMUR_NGO, "что рекомендовано министерству культуры амурской области")
    text = calls[-1].text
    assert "совпали слова:" in text
    assert "министерству" not in text.split("совпали слова:", 1)[1]
    assert "министерство" in text


async def test_a_passed_deadline_of_an_open_item_is_marked_in_lists_and_cards(harness, seeded):
    await onboard(harness, AMUR_NGO, "амур", "Амурская область", "НКО")
    calls = await harness.send(AMUR_NGO, "какие сроки у правительства области?")
    answer = calls[-1]
    assert "до конца 2016 г. · просрочено" in answer.text
    calls = await harness.press(AMUR_NGO, answer, "1")
    card = next(c.text for c in calls if c.text and "Рекомендация п." in c.text)
    assert "<b>Срок:</b> до конца 2016 г. — просрочено" in card
    # an item without a deadline is never overdue
    calls = await harness.send(AMUR_NGO, "/my")
    assert "просрочено" not in calls[-1].text


async def test_a_bare_status_question_is_not_quoted_back_as_a_query(harness, seeded):
    await onboard(harness, AMUR_NGO, "амур", "Амурская область", "НКО")
    calls = await harness.send(AMUR_NGO, "что выполнено?")
    text = calls[-1].text
    assert text.startswith("Выполненных пока нет: ни одна из ")
    assert "по запросу" not in text and text.endswith("не отмечена выполненной.")
    # a question with a topic still says which question it answers
    calls = await harness.send(AMUR_NGO, "что выполнено по молодёжной политике?")
    assert "по запросу «что выполнено по молодёжной политике?»" in calls[-1].text


async def test_asking_how_to_upload_a_resolution_is_answered_not_searched(harness, seeded):
    from tests.conftest import ADMIN_ID

    await onboard(harness, 777, "амур", "Амурская область", "Общественная палата")
    await harness.send(ADMIN_ID, "/start")
    await harness.send(ADMIN_ID, "/coordinator 777 Амурская область")
    for question in (
        "как загрузить резолюцию?",
        "Как добавить документ",
        "как опубликовать решение",
    ):
        text = (await harness.send(777, question))[-1].text
        assert "ничего не нашлось" not in text, question
        assert "пришлите файл" in text.lower() and ".docx" in text
    await onboard(harness, AMUR_NGO, "амур", "Амурская область", "НКО")
    text = (await harness.send(AMUR_NGO, "как загрузить резолюцию?"))[-1].text
    assert "координатор" in text and "ничего не нашлось" not in text
    # A question about recommendations is still a search.
    text = (await harness.send(777, "что рекомендовано ресурсным центрам?"))[-1].text
    assert "пришлите файл" not in text.lower()

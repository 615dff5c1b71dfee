"""The lines of /my, /tasks and answers to questions read a recommendation's state by the
rule of the card and /progress: «нет данных» while nobody reported on it, «не начато» once
someone did and it is still not started."""

from __future__ import annotations

import re

from tests.conftest import ADMIN_ID
from tests.handlers.test_my import NGO_BUTTON, onboard
from tests.handlers.test_reporting import COORD, OFFICIAL, amur, join_and_open_first_task
from tests.texts import expect, matches

__all__ = ["amur"]

NGO = 71
NO_DATA = expect("reports.file.sum_no_data")
NOT_STARTED = expect("status.not_started")


def line(position: int, status: str):
    return matches("list.item", position=position, status=status)


def first_card_id(call) -> int:
    data = next(d for t, d in call.buttons() if t == "1")
    return int(re.search(r":(\d+)", data).group(1))


async def test_my_lines_say_no_data_until_someone_reports(harness, services, amur):
    await onboard(harness, NGO, "амур", "Амурская область", NGO_BUTTON)
    page = (await harness.send(NGO, "/my"))[-1]
    assert line(1, NO_DATA).within(page.text)
    assert not line(1, NOT_STARTED).within(page.text)

    # A comment is a report: the item is still not started, and now it reads so.
    await services.reporting.comment(COORD, first_card_id(page), "Проект готовится")
    page = (await harness.send(NGO, "/my"))[-1]
    assert line(1, NOT_STARTED).within(page.text)


async def test_answers_to_questions_say_no_data_until_someone_reports(harness, services, amur):
    await harness.send(NGO, "/profile")
    asked = "поддержка некоммерческих организаций"
    answer = (await harness.send(NGO, asked))[-1]
    assert line(1, NO_DATA).within(answer.text)

    # An answer may list other regions' items first: the admin may comment on any.
    await services.reporting.comment(ADMIN_ID, first_card_id(answer), "Проект готовится")
    answer = (await harness.send(NGO, asked))[-1]
    assert line(1, NOT_STARTED).within(answer.text)


async def test_tasks_lines_say_no_data_until_someone_reports(harness, services, amur):
    rec_id, _card = await join_and_open_first_task(harness, amur)
    page = (await harness.send(OFFICIAL, "/tasks"))[-1]
    assert first_card_id(page) == rec_id
    assert line(1, NO_DATA).within(page.text)

    await services.reporting.comment(OFFICIAL, rec_id, "Проект готовится")
    page = (await harness.send(OFFICIAL, "/tasks"))[-1]
    assert line(1, NOT_STARTED).within(page.text)


async def test_inline_cards_say_no_data_until_someone_reports(harness, services, amur):
    query = {"id": "q1", "from": harness.user_dict(NGO), "query": "поддержка СО НКО", "offset": ""}
    calls = await harness.feed({"inline_query": query})
    answer = next(c for c in calls if c.method == "answerInlineQuery")
    first = answer.params["results"][0]["input_message_content"]["message_text"]
    assert first == matches("inline.card", status=NO_DATA)
    rec_id = int(answer.params["results"][0]["id"])
    await services.reporting.comment(ADMIN_ID, rec_id, "Проект готовится")
    calls = await harness.feed({"inline_query": {**query, "id": "q2"}})
    answer = next(c for c in calls if c.method == "answerInlineQuery")
    first = answer.params["results"][0]["input_message_content"]["message_text"]
    assert first == matches("inline.card", status=NOT_STARTED)

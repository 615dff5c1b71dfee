"""Golden screens: a few whole messages compared word for word with their Russian wording.

GOLDEN ON PURPOSE.  Every other test asserts texts by their keys (``tests/texts.py``), so a
wording change in ``content/texts/ru.toml`` breaks nothing else; these few screens are the
ones a person reads most, kept verbatim so that a change to what they see is noticed and
looked at.  When a wording change is intended, update the screen here in the same commit.
"""

from __future__ import annotations

import copy
import json

from tests.handlers.test_announce import compose, region
from tests.handlers.test_my import NGO_BUTTON, onboard
from tests.handlers.test_reporting import MEMBER, amur

__all__ = ["amur", "region"]

GREETING = """Здравствуйте, Анна!

Я помогаю общественным организациям и органам власти следить за выполнением рекомендаций форумов, конференций и общественных палат.

Я покажу, какие рекомендации касаются вашей организации, соберу отчёты о ходе выполнения и буду присылать сводки и напоминания.

Подробнее — /help"""  # noqa: E501

MY_PAGE = """<b>Касается вашей организации: 15 рекомендаций</b>
<i>НКО · Амурская область</i>

<b>1.</b> п. 7.1: Активизировать деятельность НКО, используя для этого все возможности, предоставленные законодательством, увеличивая численность организаций, привлекая их к реализации уставных целей;
    <i>Нет данных · без срока</i>
    ↳ адресовано некоммерческим организациям Амурской области

<b>2.</b> п. 7.2: Использовать все ресурсы для активизации деятельности в решении социально-экономических проблем области;
    <i>Нет данных · без срока</i>
    ↳ адресовано некоммерческим организациям Амурской области

<b>3.</b> п. 7.3: Принимать непосредственное участие в разработке нормативно-правовой базы, обеспечивающей совершенствование взаимоотношений между органами власти, бизнесом и некоммерческими организациями;
    <i>Нет данных · без срока</i>
    ↳ адресовано некоммерческим организациям Амурской области

<b>4.</b> п. 7.4: Содействовать развитию правовой и политической культуры населения.
    <i>Нет данных · без срока</i>
    ↳ адресовано некоммерческим организациям Амурской области

<b>5.</b> п. 7.5: Принимать участие в развитии и совершенствовании добровольческого движения на территории области;
    <i>Нет данных · без срока</i>
    ↳ адресовано некоммерческим организациям Амурской области"""  # noqa: E501

CARD = """<b>Рекомендация п. 1.1</b>
Создать конструктивную систему взаимодействия представителей общественности, государственных и муниципальных органов власти в вопросах формирования политики, решения социально значимых задач, доступа к необходимой информации;

<b>Документ:</b> Итоговая резолюция регионального форума «СОНКО: взаимодействие → развитие → успех» (23 декабря 2015 г.)
<b>Адресат:</b> Правительство области
<b>Срок:</b> не указан
<b>Статус:</b> Нет данных

Отчётов пока не было."""  # noqa: E501

DIGEST = """📬 <b>Сводка за неделю</b>

📄 <b>Новое для вас</b>
<i>Новая резолюция «Резолюция Межсекторной конференции актуальные вопросы организации общественно полезной…»: вас касается 3 рекомендации</i>
<b>1.</b> п. 2.1 — проработать вопрос участия в региональном проекте и возможности планирования и проведения соответствующих…
<b>2.</b> п. 4 — Рекомендовать Агентству по внутренней политике Камчатского края совместно с органами местного самоуправления…
<b>3.</b> п. 10 — В целях информирования широкой общественности и продвижения решений и рекомендаций, выработанных на…

Номер — открыть карточку. Частота сводки — кнопками ниже или в /settings."""  # noqa: E501

ANNOUNCEMENT_PREVIEW = """Получателей: 5 — все подписчики региона «Амурская область».

Отправить сейчас или запланировать?"""


async def test_the_start_greeting(harness):
    calls = await harness.send(101, "/start")
    assert calls[0].text == GREETING


async def test_the_first_page_of_my(harness, seeded):
    await onboard(harness, 61, "амур", "Амурская область", NGO_BUTTON)
    page = (await harness.send(61, "/my"))[-1]
    assert page.text == MY_PAGE


async def test_a_card(harness, services, amur):
    rec_id = (await services.documents.recommendations(amur.document_id))[0].id
    calls = await harness.click(MEMBER, f"card:{rec_id}")
    card = next(c for c in calls if c.method == "sendMessage")
    assert card.text == CARD


async def test_a_weekly_digest(services, clock, parsed_seeds):
    from tests.services.test_digests import KAMCHATKA, at, member

    clock.at = at(2026, 3, 1, 0, 0)
    await member(services, KAMCHATKA, "Камчатский край", "local_government")
    await services.digests.run(clock.now())
    clock.at = at(2026, 3, 1, 1, 0)
    for parsed in parsed_seeds:
        await services.importer.import_document(copy.deepcopy(parsed))
    await services.digests.run(at(2026, 3, 1, 22, 0))
    payload = await services.db.fetchval(
        "SELECT payload FROM outbox WHERE recipient_id = ?", (KAMCHATKA,)
    )
    assert json.loads(payload)["text"] == DIGEST


async def test_the_announcement_preview(harness, region):
    menu = await compose(harness)
    calls = await harness.press(501, menu, "Всем подписчикам")
    control = calls[-1]
    assert control.text == ANNOUNCEMENT_PREVIEW

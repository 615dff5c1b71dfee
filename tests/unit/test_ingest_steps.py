"""The parser's small steps, each on its own: kinds of lines, recipients, inline lead-ins,
tables, metadata, reading the bytes."""

import datetime as dt

import pytest

from bot.ingest.addressees import canonical_name, parse_lead_in
from bot.ingest.extract import extract_text_report, looks_like_mojibake
from bot.ingest.lines import classify_text, find_inline_lead, parse_recipients
from bot.ingest.parser import parse_file, parse_resolution
from bot.ingest.tables import flatten_tables


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("РЕШИЛИ:", "decision"),
        ("Общественная палата Пермского края ПОСТАНОВЛЯЕТ:", "decision"),
        ("Обсудив проект закона, Общественный совет решил:", "decision"),
        ("Участники круглого стола ПРЕДЛАГАЮТ:", "opener"),
        ("Рекомендовать:", "opener"),
        ("… участники круглого стола считают необходимым:", "opener"),
        ("СЛУШАЛИ:", "stop"),
        ("Председатель Общественного совета Л.М. Орлова", "stop"),
        ("Исп. Смирнова А.А.", "stop"),
        ("Направить настоящее решение в Правительство Пермского края.", "recipients"),
        ("Информацию принять к сведению.", "procedural"),
        ("Контроль за исполнением настоящего решения возложить на комиссию.", "procedural"),
        ("Заслушав информацию председателя комиссии Т.А. Мельниковой, отмечает", "preamble"),
        ("Рекомендовать министерству образования области разработать план.", "text"),
    ],
)
def test_kind_of_line(text, kind):
    assert classify_text(text) == kind


def test_recipients_in_the_nominative():
    line = (
        "Направить настоящие рекомендации в Правительство Омской области, Законодательное "
        "Собрание Омской области, Уполномоченному по правам человека в Омской области."
    )
    assert parse_recipients(line) == [
        "Правительство Омской области",
        "Законодательное Собрание Омской области",
        "Уполномоченный по правам человека в Омской области",
    ]


def test_inline_lead_in_starts_its_sentence():
    text = (
        "Члены комиссии посетили больницу. По итогам заседания комиссия рекомендует "
        "Исполнительному комитету Зеленодольского муниципального района рассмотреть вопрос."
    )
    lead, at = find_inline_lead(text)
    assert text[at:].startswith("По итогам заседания")
    assert [canonical_name(g) for g in lead.groups] == [
        "Исполнительный комитет Зеленодольского муниципального района"
    ]


def test_request_words_are_not_the_action():
    lead = parse_lead_in(
        "Обратиться к Ярославской областной Думе с просьбой предусмотреть средства"
    )
    assert [canonical_name(g) for g in lead.groups] == ["Ярославская областная Дума"]
    assert lead.rest == "предусмотреть средства"


def test_passive_and_joint_first_lead_ins():
    lead = parse_lead_in("Органам местного самоуправления области рекомендуется:")
    assert lead.terminator == "colon" and not lead.rest
    lead = parse_lead_in(
        "Совместно с Общественной палатой Алтайского края управлению Алтайского края по "
        "развитию гражданского общества провести мониторинг."
    )
    assert [canonical_name(g) for g in lead.groups] == [
        "Управление Алтайского края по развитию гражданского общества",
        "Общественная палата Алтайского края",
    ]


def test_table_rows_and_continuations():
    text = "\n".join(
        [
            "| № | Рекомендация | Срок |",
            "| 1 | Рекомендовать министерству обеспечить размещение данных | до 1 апреля 2025 г. |",
            "| | мониторинга в открытом доступе | |",
            "| 2 | Рекомендовать палате провести контроль | |",
        ]
    )
    assert flatten_tables(text).split("\n") == [
        "1. Рекомендовать министерству обеспечить размещение данных мониторинга в открытом "
        "доступе Срок: до 1 апреля 2025 г.",
        "2. Рекомендовать палате провести контроль",
    ]


def test_region_from_a_place_line_and_a_title_in_the_genitive():
    doc = parse_resolution(
        "Решение Общественного совета\n\nТульская область, Щёкинский район\nот 27.02.2025 № 3\n\n"
        "1. Рекомендовать администрации района провести осмотр дворов.",
        "x.txt",
    )
    assert (doc.region, doc.date) == ("Тульская область", dt.date(2025, 2, 27))
    doc = parse_resolution(
        "Заключение по проекту программы Тверской области\n\nДата: 20.06.2024\n\n"
        "Рекомендовать министерству сельского хозяйства Тверской области включить меры.",
        "x.txt",
    )
    assert doc.region == "Тверская область"


def test_federal_document_has_federal_scope():
    doc = parse_resolution(
        "Рекомендации общественных слушаний Общественной палаты Российской Федерации\n\n"
        "Москва, 9 апреля 2025 года\n\n1. Минюсту России рассмотреть вопрос о регистрации.",
        "x.txt",
    )
    assert (doc.scope, doc.region) == ("Российская Федерация", None)
    assert not any("регион" in w for w in doc.warnings)


def test_one_broken_byte_keeps_utf8_and_warns():
    data = bytearray("Рекомендации форума\n\n1. Министерству провести консультации.\n".encode())
    data[data.index("консультации".encode()) + 1] = 0xFF
    text, warnings = extract_text_report(bytes(data), "r.txt")
    assert text.startswith("Рекомендации форума") and "Министерству" in text
    assert len(warnings) == 1 and "UTF-8" in warnings[0]
    assert warnings[0] in parse_file(bytes(data), "r.txt").warnings


def test_mojibake_is_refused_with_a_warning():
    original = "Рекомендации семинара\n\n1. Министерству провести совместную сессию.\n" * 3
    garbled = original.encode("utf-8").decode("cp1251", errors="replace")
    assert looks_like_mojibake(garbled) and not looks_like_mojibake(original)
    doc = parse_resolution(garbled, "r.txt")
    assert doc.mojibake and not doc.recommendations
    assert any("кодировк" in w for w in doc.warnings)


def test_protocol_with_two_decisions_keeps_both_and_skips_the_hearing_parts():
    doc = parse_resolution(
        "\n".join(
            [
                "ПРОТОКОЛ заседания Общественного совета",
                "18 декабря 2024 г. г. Белгород",
                "ПОВЕСТКА ДНЯ:",
                "1. Об организации летнего отдыха детей.",
                "1. СЛУШАЛИ: Белых О.И. – об отдыхе детей.",
                "ПОСТАНОВИЛИ:",
                "1.1. Информацию принять к сведению.",
                "1.2. Рекомендовать департаменту образования области до 1 апреля 2025 года "
                "сформировать реестр.",
                "2. СЛУШАЛИ: Кривошеева А.Н. – о плане работы.",
                "ПОСТАНОВИЛИ:",
                "2.1. Рекомендовать органам местного самоуправления обеспечить приёмку лагерей.",
            ]
        ),
        "p.txt",
    )
    assert [(r.number, r.text[:29]) for r in doc.recommendations] == [
        ("1.2", "Рекомендовать департаменту об"),
        ("2.1", "Рекомендовать органам местног"),
    ]
    assert [a.canonical for a in doc.addressees] == [
        "Департамент образования области",
        "Органы местного самоуправления",
    ]


def test_two_recommending_verbs_in_one_sentence_name_both():
    lead, _ = find_inline_lead(
        "Общественная палата просит Министерство транспорта области в месячный срок провести "
        "проверку и рекомендует ГОКУ «Мурманскавтодор» усилить контроль."
    )
    assert [canonical_name(g) for g in lead.groups] == [
        "Министерство транспорта области",
        "ГОКУ «Мурманскавтодор»",
    ]


def test_a_quoted_day_is_a_date():
    doc = parse_resolution(
        "Заключение о результатах обсуждений\n\nг. Курск «5» августа 2024 г.\n\n"
        "1. Рекомендовать Администрации города Курска утвердить схему.",
        "x.txt",
    )
    assert doc.date == dt.date(2024, 8, 5)


def test_a_doubtful_addressee_is_flagged_in_the_warnings():
    doc = parse_resolution(
        "Резолюция круглого стола\n\n10 октября 2024 г. г. Казань\n\n"
        "1. Рекомендовать Иванову И.И. подготовить доклад.\n"
        "2. Рекомендовать министерству образования Республики Татарстан провести семинар.",
        "x.txt",
    )
    flagged = [w for w in doc.warnings if "проверьте адресата" in w]
    assert len(flagged) == 1 and "Иванов" in flagged[0]


# -- held-out round 2 (documents 34–44): one test per step that failed on them -------------


def test_wrapped_lines_are_joined_lowercase_and_mid_phrase():
    from bot.ingest.lines import join_wrapped

    lines = [
        "III. Департаменту недропользования и природных ресурсов Ханты-Мансийского",
        "автономного округа – Югры до 1 июня 2026 года обновить реестр.",
        "- предусмотреть софинансирование проектов общин коренных малочисленных народов",
        "Севера, реализуемых на территориях традиционного природопользования;",
        "Правительству области:",
        "а) провести семинар;",
        "- первый пункт без точки",
        "- второй пункт",
    ]
    assert join_wrapped(lines) == [
        "III. Департаменту недропользования и природных ресурсов Ханты-Мансийского "
        "автономного округа – Югры до 1 июня 2026 года обновить реестр.",
        "- предусмотреть софинансирование проектов общин коренных малочисленных народов "
        "Севера, реализуемых на территориях традиционного природопользования;",
        "Правительству области:",
        "а) провести семинар;",
        "- первый пункт без точки",
        "- второй пункт",
    ]


def test_a_capitalised_heading_after_an_unfinished_item_is_not_joined():
    from bot.ingest.lines import join_wrapped

    lines = ["- провести семинар для специалистов", "Правительству Курганской области"]
    assert join_wrapped(lines) == lines


@pytest.mark.parametrize(
    ("text", "section"),
    [
        ("Добровольчество", True),
        ("Молодёжное предпринимательство", True),
        ("Участие молодёжи в управлении", True),
        ("Правительству Удмуртской Республики", False),
        ("Провести форум в 2026 году", False),
        ("Информацию принять к сведению.", False),
    ],
)
def test_section_titles(text, section):
    from bot.ingest.lines import is_section_title

    assert is_section_title(text) is section


ROMAN_SECTIONS = """РЕЗОЛЮЦИЯ
молодёжного форума «Старт»

г. Курган, 3 октября 2025 г.

I. Образование
• Министерству образования Курганской области до 1 марта 2026 года открыть центры.
• Провести в каждом районе день открытых дверей.

II. Спорт
• Рекомендовать Правительству Курганской области построить площадки.
"""


def test_bullets_under_roman_section_titles_are_items_with_their_own_addressees():
    doc = parse_resolution(ROMAN_SECTIONS, "r.txt")
    names = [doc.addressees[r.addressee_indices[0]].canonical for r in doc.recommendations]
    assert names == [
        "Министерство образования Курганской области",
        "Участники форума",
        "Правительство Курганской области",
    ]
    assert doc.recommendations[0].deadline.date == dt.date(2026, 3, 1)


def test_roman_numbered_headings_own_their_dashes():
    text = (
        "РЕКОМЕНДАЦИИ конференции\n\nг. Курган, 3 октября 2025 г.\n\n"
        "Участники конференции рекомендуют:\n\n"
        "I. Думе Курганской области:\n- провести слушания;\n- рассмотреть закон.\n"
        "II. Правительству Курганской области:\n- утвердить план.\n"
    )
    doc = parse_resolution(text, "r.txt")
    assert [r.number for r in doc.recommendations] == ["I.1", "I.2", "II.1"]
    assert [a.canonical for a in doc.addressees] == [
        "Дума Курганской области",
        "Правительство Курганской области",
    ]


def test_dashes_after_an_opener_are_the_participants_items():
    text = (
        "РЕЗОЛЮЦИЯ конференции некоммерческих организаций\n\nг. Курган, 3 октября 2025 г.\n\n"
        "Участники конференции считают необходимым:\n"
        "- расширить практику субсидий;\n- обеспечить открытость конкурсов.\n\n"
        "Предложить Правительству Курганской области создать фонд.\n"
    )
    doc = parse_resolution(text, "r.txt")
    assert len(doc.recommendations) == 3
    owners = [doc.addressees[r.addressee_indices[0]].canonical for r in doc.recommendations]
    assert owners == ["Участники конференции"] * 2 + ["Правительство Курганской области"]


def test_named_participants_and_unaddressed_items_share_one_addressee():
    text = (
        "РЕЗОЛЮЦИЯ форума\n\nг. Курган, 3 октября 2025 г.\n\nI. Итоги\n"
        "• Участникам форума представить отчёты.\n• Создать штаб добровольцев.\n"
    )
    doc = parse_resolution(text, "r.txt")
    assert [a.canonical for a in doc.addressees] == ["Участники форума"]


def test_recipients_listed_with_and_without_a_preposition():
    line = (
        "Направить настоящую резолюцию Губернатору Томской области, "
        "в Законодательную Думу Томской области."
    )
    assert parse_recipients(line) == [
        "Губернатор Томской области",
        "Законодательная Дума Томской области",
    ]


PLAN_OF_MEASURES = (
    "ПЛАН МЕРОПРИЯТИЙ\nпо итогам совещания\n\nг. Курган, 25.08.2025\n\n"
    "№\tМероприятие\tОтветственный\tСрок\n"
    "1\tПровести мониторинг кадров\tМинистерство образования Курганской области"
    "\tдо 1 октября 2025 г.\n"
    "2\tОбеспечить подвоз обучающихся\tАдминистрации муниципальных округов Курганской области"
    "\tпостоянно\n"
    "3\tПодготовить предложения\tКурганский государственный университет, Министерство "
    "образования Курганской области\tIV квартал 2025 г.\n"
)


def test_a_plans_responsible_column_in_the_nominative_names_the_addressees():
    flat = flatten_tables(PLAN_OF_MEASURES)
    assert (
        "1. Провести мониторинг кадров Исполнитель: Министерство образования Курганской "
        "области. Срок: до 1 октября 2025 г." in flat
    )
    doc = parse_resolution(PLAN_OF_MEASURES, "plan.txt")
    owners = [
        [doc.addressees[i].canonical for i in r.addressee_indices] for r in doc.recommendations
    ]
    assert owners == [
        ["Министерство образования Курганской области"],
        ["Администрации муниципальных округов Курганской области"],
        ["Курганский государственный университет", "Министерство образования Курганской области"],
    ]
    assert doc.recommendations[0].deadline.date == dt.date(2025, 10, 1)
    assert doc.recommendations[1].deadline is None


def test_an_addressee_column_in_the_dative_stays_a_lead_in():
    text = (
        "№ | Рекомендация | Адресат | Срок\n"
        "| 1 | провести мониторинг | министерству экологии | до 1 апреля 2025 г. |\n"
    )
    assert "Исполнитель" not in flatten_tables(text)


def test_a_sub_item_that_starts_with_its_own_dative_addressee():
    text = (
        "ПРОТОКОЛ заседания комиссии\n\nг. Калуга, 3 марта 2026 г.\n\nРЕШИЛИ:\n"
        "1.1. Рекомендовать министерству культуры Калужской области провести конкурс.\n"
        "1.2. Членам комиссии принять участие в экспертизе заявок.\n"
    )
    doc = parse_resolution(text, "p.txt")
    names = [doc.addressees[r.addressee_indices[0]].canonical for r in doc.recommendations]
    assert names == ["Министерство культуры Калужской области", "Члены комиссии"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "Просить Уполномоченного по правам ребёнка в Воронежской области включить раздел",
            "Уполномоченный по правам ребёнка в Воронежской области",
        ),
        (
            "Рекомендовать Уполномоченному по правам человека в Курской области провести приём",
            "Уполномоченный по правам человека в Курской области",
        ),
    ],
)
def test_an_ombudsman_named_by_an_adjective_is_an_addressee(text, name):
    lead = parse_lead_in(text)
    assert [canonical_name(g) for g in lead.groups] == [name]


def test_a_named_partner_after_a_passive_lead_in_is_a_joint_addressee():
    text = (
        "ЗАКЛЮЧЕНИЕ Общественной палаты\n\nг. Воронеж, 2 февраля 2026 г.\n\n"
        "Министерству социальной защиты Воронежской области рекомендуется совместно с "
        "министерством образования Воронежской области до 1 июня 2026 года разработать порядок.\n"
        "Администрациям районов рекомендуется совместно со специализированными учреждениями "
        "провести проверку.\n"
    )
    doc = parse_resolution(text, "z.txt")
    first, second = doc.recommendations
    assert [doc.addressees[i].canonical for i in first.addressee_indices] == [
        "Министерство социальной защиты Воронежской области",
        "Министерство образования Воронежской области",
    ]
    assert len(second.addressee_indices) == 1  # generic partners are part of the task


APPEAL = (
    "ОБРАЩЕНИЕ\nучастников общественных слушаний\nк Губернатору Курганской области\n\n"
    "г. Курган, 16 апреля 2026 года\n\nУважаемый Вадим Михайлович!\n\n{ask}\n"
    "1. Поручить министерству транспорта Курганской области восстановить маршрут.\n"
    "2. Рассмотреть возможность включения в Стратегию раздела о НКО.\n"
)


def test_an_appeals_unnamed_requests_go_to_the_appeals_addressee():
    doc = parse_resolution(APPEAL.format(ask="Просим Вас:"), "a.txt")
    owners = [doc.addressees[r.addressee_indices[0]].canonical for r in doc.recommendations]
    assert owners == ["Министерство транспорта Курганской области", "Губернатор Курганской области"]
    assert doc.addressees[1].kind == "regional_government"


def test_an_appeal_that_asks_nobody_in_particular_keeps_items_without_addressee():
    doc = parse_resolution(APPEAL.format(ask="Считаем необходимым:"), "a.txt")
    assert doc.recommendations[1].without_addressee


@pytest.mark.parametrize("city", ["г. Псков", "г. Томск", "г. Курск", "г. Ханты-Мансийск"])
def test_a_city_ending_like_a_preposition_keeps_its_last_letter(city):
    doc = parse_resolution(f"РЕЗОЛЮЦИЯ форума\n\n{city}    22 октября 2025 г.\n\n", "r.txt")
    assert doc.place == city
    assert doc.date == dt.date(2025, 10, 22)

"""The five seed resolutions, with expectations counted by hand from the documents."""

import datetime as dt
from functools import cache

import pytest

from bot.ingest.model import ParsedDocument
from bot.ingest.parser import parse_resolution
from bot.paths import CONTENT_DIR

SEEDS = CONTENT_DIR / "resolutions"


@cache
def seed(prefix: str) -> ParsedDocument:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return parse_resolution(path.read_text(encoding="utf-8"), path.name)


def table(doc: ParsedDocument) -> list[tuple[str, str, int]]:
    return [
        (a.canonical, a.kind, sum(1 for r in doc.recommendations if i in r.addressee_indices))
        for i, a in enumerate(doc.addressees)
    ]


def rec(doc: ParsedDocument, number: str):
    matches = [r for r in doc.recommendations if r.number == number]
    assert len(matches) == 1, number
    return matches[0]


def names(doc: ParsedDocument, number: str) -> list[str]:
    return [doc.addressees[i].canonical for i in rec(doc, number).addressee_indices]


def deadline(doc: ParsedDocument, number: str):
    d = rec(doc, number).deadline
    return (d.date, d.precision) if d else None


@pytest.mark.parametrize(
    ("prefix", "date", "place", "region"),
    [
        ("000", dt.date(2017, 9, 29), "Делойт СНГ, г. Москва", "Москва"),
        (
            "001",
            dt.date(2024, 4, 9),
            "Санкт-Петербург, Кирпичный пер., д. 4, лит. «А»",
            "Ленинградская область",
        ),
        ("002", dt.date(2015, 12, 23), "г. Благовещенск", "Амурская область"),
        ("003", dt.date(2017, 2, 17), "Петропавловск-Камчатский", "Камчатский край"),
        ("004", dt.date(2022, 3, 25), "город Севастополь", "Севастополь"),
    ],
)
def test_metadata(prefix, date, place, region):
    doc = seed(prefix)
    assert (doc.date, doc.place, doc.region) == (date, place, region)
    assert all(a.region == region for a in doc.addressees)


def test_titles_are_the_heading_lines():
    assert seed("000").title == (
        "Заключительные рекомендации Международной конференции Russian Pro Bono Summit 2017 "
        "«Pro Bono: российские практики и вектор развития»"
    )
    assert seed("002").title == (
        "ИТОГОВАЯ РЕЗОЛЮЦИЯ РЕГИОНАЛЬНОГО ФОРУМА «СОНКО: ВЗАИМОДЕЙСТВИЕ → РАЗВИТИЕ → УСПЕХ»"
    )
    assert seed("004").title == "Резолюция Форума «Социальный Севастополь»"
    assert seed("003").title.startswith("Резолюция Межсекторной конференции АКТУАЛЬНЫЕ ВОПРОСЫ")
    assert seed("003").title.endswith("КАМЧАТСКОГО КРАЯ: ИТОГИ ПЕРВОГО ЭТАПА")
    assert seed("001").title.startswith("РЕКОМЕНДАЦИИ по итогам заседания комиссии")


def test_000_participants_and_the_period():
    doc = seed("000")
    assert table(doc) == [("Участники конференции", "other", 5)]
    assert [r.number for r in doc.recommendations] == ["1", "2", "3", "4", "5"]
    # "на 2018 г." in the sentence that opens the list is the period of every item.
    assert {deadline(doc, n) for n in "12345"} == {(dt.date(2018, 12, 31), "year")}
    assert rec(doc, "1").deadline.phrase == "на 2018 г."
    assert rec(doc, "5").text.startswith("Рассмотреть вопрос о создании механизма")


def test_001_addressee_headings_with_own_numbering():
    doc = seed("001")
    assert table(doc) == [
        (
            "Комиссия по развитию институтов гражданского общества и некоммерческого сектора, "
            "взаимодействию с органами местного самоуправления, общественными палатами "
            "муниципальных образований Общественной палаты Ленинградской области",
            "public_chamber",
            4,
        ),
        ("Союз «Ленинградская областная торгово-промышленная палата»", "business", 2),
        (
            "Комиссия по информационной политике и взаимодействию со средствами массовой "
            "информации Общественной палаты Ленинградской области",
            "public_chamber",
            2,
        ),
        ("Комитет общественных коммуникаций Ленинградской области", "ministry_or_agency", 1),
    ]
    assert [r.number for r in doc.recommendations] == [
        "1.1",
        "1.2",
        "1.3",
        "1.4",
        "2.1",
        "2.2",
        "3.1",
        "3.2",
        "4.1",
    ]
    assert doc.addressees[1].name == "Союзу «Ленинградская областная торгово-промышленная палата»"
    # "состоявшегося 07.07.2022 г." is a past event, "Гражданского форума – 2024" is no term.
    assert all(r.deadline is None for r in doc.recommendations)
    assert "ПАО Сбербанк" in rec(doc, "1.3").mentions
    assert "Госкорпорация «Росатом»" in rec(doc, "4.1").mentions


def test_002_groups_joint_bodies_unnumbered_and_closing_items():
    doc = seed("002")
    assert table(doc) == [
        # 15 of its own and 6.6 «Совместно с Правительством области …» (a joint addressee).
        ("Правительство области", "regional_government", 16),
        ("Законодательное Собрание Амурской области", "legislature", 3),
        (
            "Министерство внутренней и информационной политики Амурской области",
            "ministry_or_agency",
            7,
        ),
        ("Органы местного самоуправления области", "local_government", 12),
        ("Министерство культуры и архивного дела Амурской области", "ministry_or_agency", 12),
        ("Администрация г. Благовещенска", "local_government", 1),
        ("Общественная палата Амурской области", "public_chamber", 7),
        ("Социально ориентированные некоммерческие организации", "ngo", 15),
        ("Бизнес-сообщество", "business", 15),
        ("Коммерческие организации", "business", 1),
    ]
    assert len(doc.recommendations) == 61
    # The group heading "Органам государственной власти:" is not an addressee.
    assert not any("государственной власти" in a.canonical for a in doc.addressees)
    # One heading, two bodies: every item is joint.
    assert names(doc, "4.1") == [
        "Органы местного самоуправления области",
        "Министерство культуры и архивного дела Амурской области",
    ]
    # The unnumbered item under "Администрации г. Благовещенска:".
    assert names(doc, "5") == ["Администрация г. Благовещенска"]
    assert rec(doc, "5").text.startswith("Рассмотреть возможность увеличения финансирования")
    # The closing unnumbered proposal goes to the chamber already known.
    assert names(doc, "8") == ["Общественная палата Амурской области"]
    assert rec(doc, "8").text.startswith("Предложить Общественной палате Амурской области")
    # An item naming its own addressee inside a heading's list.
    assert names(doc, "7.9") == ["Коммерческие организации"]
    # Bullets inside an item stay in its text.
    text = rec(doc, "2.2").text
    assert text.count("\n— ") == 6 and "Декларируется, но не предусматривается:" in text
    assert rec(doc, "4.6").text.count("\n— ") == 3
    assert rec(doc, "1.4").text.endswith("сектора НКО в Амурской области;")
    numbers = [r.number for r in doc.recommendations]
    assert numbers[:3] == ["1.1", "1.2", "1.3"] and numbers[-1] == "8"
    assert "7.16" in numbers and "3.7" in numbers and "2.4" not in numbers


def test_002_deadlines():
    doc = seed("002")
    assert deadline(doc, "1.11") == (dt.date(2016, 12, 31), "year")
    assert deadline(doc, "3.3") == (dt.date(2016, 12, 31), "year")
    assert deadline(doc, "4.5") == (dt.date(2016, 2, 18), "day")
    assert rec(doc, "4.5").deadline.phrase == "17-18 февраля 2016 года"
    # Programme periods in titles, "до уровня 2012 года", a law's date: not deadlines.
    assert deadline(doc, "1.12") is None
    assert deadline(doc, "3.7") is None
    assert deadline(doc, "1.13") is None
    found = [r.number for r in doc.recommendations if r.deadline]
    assert sorted(found) == ["1.11", "3.3", "4.5"]


def test_003_lead_ins_dashes_letters_and_joint_addressees():
    doc = seed("003")
    assert table(doc) == [
        (
            "Соисполнители регионального проекта «Создание модели организационно-методического "
            "сопровождения общественно полезной деятельности объединений граждан в малых "
            "городах и сельских поселениях»",
            "other",
            1,
        ),
        (
            "Органы местного самоуправления других муниципальных образований в Камчатском крае",
            "local_government",
            1,
        ),
        (
            "АНО «Камчатский краевой центр поддержки социально ориентированных некоммерческих "
            "организаций»",
            "resource_center",
            2,
        ),
        ("Агентство по внутренней политике Камчатского края", "ministry_or_agency", 1),
        (
            "Органы местного самоуправления муниципальных образований в Камчатском крае",
            "local_government",
            1,
        ),
        (
            "Отраслевые министерства, осуществляющие взаимодействие с НКО в социальной сфере",
            "ministry_or_agency",
            4,
        ),
        ("Министерство спорта и молодежной политики Камчатского края", "ministry_or_agency", 1),
        ("Молодежные общественные организации", "ngo", 1),
        (
            "Общественные советы при органах местного самоуправления муниципальных образований "
            "в Камчатском крае",
            "public_council",
            4,
        ),
        (
            "Региональные и межрегиональные некоммерческие организации, осуществляющие "
            "деятельность в краевом центре",
            "ngo",
            2,
        ),
        ("Социально ориентированные НКО", "ngo", 5),
        (
            "Инициативные группы, осуществляющие деятельность в малых городах и сельских "
            "поселениях",
            "ngo",
            5,
        ),
        # The closing paragraph «…, ее участникам рекомендуется использовать …» (issue 10).
        ("Участники Конференции", "other", 1),
    ]
    assert [r.number for r in doc.recommendations] == [
        "1",
        "2.1",
        "3.1",
        "3.2",
        "4",
        "5.а",
        "5.б",
        "5.в",
        "5.г",
        "6",
        "7.1",
        "7.2",
        "7.3",
        "7.4",
        "8.1",
        "8.2",
        "9.1",
        "9.2",
        "9.3",
        "9.4",
        "9.5",
        "10",
    ]
    assert names(doc, "4") == [
        "Агентство по внутренней политике Камчатского края",
        "Органы местного самоуправления муниципальных образований в Камчатском крае",
    ]
    assert names(doc, "6")[1] == "Молодежные общественные организации"
    # A letter's own dashes are a list inside that one recommendation.
    text = rec(doc, "5.а").text
    assert text.startswith("проработать совместно с НКО вопросы создания")
    assert text.count("\n— в сфере") == 5
    assert rec(doc, "7.2").text.startswith("в режиме межсекторного взаимодействия")
    assert deadline(doc, "1") == (dt.date(2017, 12, 31), "year")
    assert sum(1 for r in doc.recommendations if r.deadline) == 1
    assert any("Камчатский краевой центр" in m for m in rec(doc, "5.г").mentions)


def test_004_sub_items_and_items_without_addressee():
    doc = seed("004")
    assert table(doc) == [
        (
            "АНО «Ресурсный центр поддержки социально ориентированных некоммерческих организаций»",
            "resource_center",
            2,
        ),
        (
            "Руководители социально ориентированных некоммерческих организаций, ресурсных центров, "
            "проектных команд",
            "ngo",
            2,
        ),
        ("Департамент внутренней политики города Севастополя", "ministry_or_agency", 6),
        ("Участники Форума", "other", 2),
    ]
    assert [r.number for r in doc.recommendations] == [
        "1.1",
        "1.2",
        "2.1",
        "2.2",
        "3.1",
        "3.2",
        "3.3",
        "3.4",
        "3.5",
        "3.6",
        "4",
        "5",
    ]
    assert rec(doc, "4").text.startswith("Поддержать инициативы")
    assert rec(doc, "5").text.count("\n— ") == 4
    assert deadline(doc, "3.3") == (dt.date(2023, 12, 31), "year")
    assert rec(doc, "3.3").deadline.phrase == "в 2022-2023 г.г."
    # «… на 2017-2024 г.г.» is the title of a programme.
    assert deadline(doc, "1.1") is None and deadline(doc, "3.5") is None
    assert sum(1 for r in doc.recommendations if r.deadline) == 1
    assert "Фонд президентских грантов" in rec(doc, "3.6").mentions
    assert "Правительство города Севастополя" in rec(doc, "1.1").mentions
    assert "АНО «Мой бизнес»" in rec(doc, "3.4").mentions


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_invariants(prefix):
    doc = seed(prefix)
    numbers = [r.number for r in doc.recommendations]
    assert len(numbers) == len(set(numbers))
    for r in doc.recommendations:
        assert r.addressee_indices
        assert all(0 <= i < len(doc.addressees) for i in r.addressee_indices)
        assert "[bookmark" not in r.text and "**" not in r.text
    assert "[bookmark" not in doc.title


def test_wild_formats_request_and_several_addressees_in_one_lead_in():
    text = "\n".join(
        [
            "Резолюция круглого стола",
            "",
            "10 октября 2024 г. г. Казань",
            "",
            "Участники круглого стола решили:",
            "1. Рекомендовать органам исполнительной власти и органам местного самоуправления:",
            "- до 1 марта 2025 г. утвердить планы поддержки НКО;",
            "- ежегодно проводить форум.",
            "2. Просить Правительство Республики Татарстан рассмотреть вопрос о гранте "
            "в I квартале 2025 г.",
            "3. Предложить средствам массовой информации освещать работу ТОС.",
        ]
    )
    doc = parse_resolution(text, "wild.txt")
    assert doc.region == "Республика Татарстан" and doc.date == dt.date(2024, 10, 10)
    assert table(doc) == [
        ("Органы исполнительной власти", "regional_government", 2),
        ("Органы местного самоуправления", "local_government", 2),
        ("Правительство Республики Татарстан", "regional_government", 1),
        ("Средства массовой информации", "media", 1),
    ]
    assert [r.number for r in doc.recommendations] == ["1.1", "1.2", "2", "3"]
    assert deadline(doc, "1.1") == (dt.date(2025, 3, 1), "day")
    # «ежегодно» is not «без срока» (issue 11, point 12): a recurring term, next at year end.
    yearly = rec(doc, "1.2").deadline
    assert (yearly.kind, yearly.period, yearly.date) == ("recurring", "year", dt.date(2024, 12, 31))
    assert deadline(doc, "2") == (dt.date(2025, 3, 31), "month")
    assert doc.addressees[2].region == "Республика Татарстан"


def test_003_closing_paragraph_is_an_item_for_the_participants():
    doc = seed("003")
    last = doc.recommendations[-1]
    assert last.text.startswith("В целях информирования широкой общественности")
    assert "участникам рекомендуется использовать" in last.text
    assert [doc.addressees[i].canonical for i in last.addressee_indices] == [
        "Участники Конференции"
    ]


def test_002_every_ngo_item_lands_with_its_addressee():
    doc = seed("002")
    ngo = [i for i, a in enumerate(doc.addressees) if a.kind == "ngo"]
    under_heading = [r for r in doc.recommendations if r.number.startswith("7.")]
    assert len(under_heading) == 16
    for r in under_heading:
        assert r.addressee_indices, r.number
        own = r.text.startswith("Коммерческим организациям")  # 7.9 names its own addressee
        assert own or set(r.addressee_indices) & set(ngo), r.number
    # 6.6 «Совместно с Правительством области …» under the Public Chamber: both.
    joint = next(r for r in doc.recommendations if r.number == "6.6")
    assert [doc.addressees[i].canonical for i in joint.addressee_indices] == [
        "Общественная палата Амурской области",
        "Правительство области",
    ]

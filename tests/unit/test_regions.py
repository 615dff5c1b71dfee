import json
import zoneinfo

import pytest

from bot.paths import CONTENT_DIR
from bot.regions import all_regions, find_region_in_text, search_regions


def test_all_89_subjects_with_valid_time_zones():
    regions = all_regions()
    assert len(regions) == 89
    assert len({r.name for r in regions}) == 89
    for region in regions:
        zoneinfo.ZoneInfo(region.tz)
        assert region.cities, region.name
    names = {r.name for r in regions}
    for name in (
        "Республика Крым",
        "Севастополь",
        "Донецкая Народная Республика",
        "Луганская Народная Республика",
        "Запорожская область",
        "Херсонская область",
    ):
        assert name in names
    data = json.loads((CONTENT_DIR / "regions.json").read_text(encoding="utf-8"))
    assert len(data["regions"]) == 89


@pytest.mark.parametrize(
    ("name", "tz"),
    [
        ("Калининградская область", "Europe/Kaliningrad"),
        ("Москва", "Europe/Moscow"),
        ("Самарская область", "Europe/Samara"),
        ("Свердловская область", "Asia/Yekaterinburg"),
        ("Омская область", "Asia/Omsk"),
        ("Красноярский край", "Asia/Krasnoyarsk"),
        ("Иркутская область", "Asia/Irkutsk"),
        ("Амурская область", "Asia/Yakutsk"),
        ("Приморский край", "Asia/Vladivostok"),
        ("Магаданская область", "Asia/Magadan"),
        ("Камчатский край", "Asia/Kamchatka"),
        ("Чукотский автономный округ", "Asia/Anadyr"),
        ("Республика Крым", "Europe/Simferopol"),
        ("Удмуртская Республика", "Europe/Samara"),
        ("Кемеровская область", "Asia/Novokuznetsk"),
    ],
)
def test_time_zones(name, tz):
    assert next(r for r in all_regions() if r.name == name).tz == tz


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Законодательному Собранию Амурской области", "Амурская область"),
        ("программу поддержки НКО вАмурской области", "Амурская область"),
        ("23 декабря 2015 г. г. Благовещенск", "Амурская область"),
        ("прошел в г. Благовещенске", "Амурская область"),
        ("состоялась в Петропавловске-Камчатском", "Камчатский край"),
        ("граждан города Севастополя", "Севастополь"),
        ("Общественной палаты Ленинградской области", "Ленинградская область"),
        ("КАМЧАТСКОГО КРАЯ: ИТОГИ", "Камчатский край"),
        ("Делойт СНГ, г. Москва", "Москва"),
        ("жителей ДНР и ЛНР", "Донецкая Народная Республика"),
        ("в Московской области", "Московская область"),
    ],
)
def test_find_region_in_text(text, expected):
    region = find_region_in_text(text)
    assert region is not None and region.name == expected


@pytest.mark.parametrize(
    "text", ["Правительству области", "свободный доступ к информации", "Владимир Путин", ""]
)
def test_no_region_in_text(text):
    assert find_region_in_text(text) is None


def test_search_regions_for_the_picker():
    assert search_regions("амур")[0].name == "Амурская область"
    assert [r.name for r in search_regions("камч")] == ["Камчатский край"]
    assert search_regions("Петропавловск")[0].name == "Камчатский край"
    assert search_regions("спб")[0].name == "Санкт-Петербург"
    assert search_regions("респ тат")[0].name == "Республика Татарстан"
    assert search_regions("мос")[0].name == "Москва"
    assert search_regions("") == []
    assert search_regions("абракадабра") == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Амурской обл", "Амурская область"),
        ("амурской области", "Амурская область"),
        ("в Амурской области", "Амурская область"),
        ("Тверской", "Тверская область"),
        ("тверскую обл.", "Тверская область"),
        ("Камчатском крае", "Камчатский край"),
        ("из Благовещенска", "Амурская область"),
        # typed with a slip
        ("Амурская облать", "Амурская область"),
        ("Тверьская область", "Тверская область"),
        ("амурскя", "Амурская область"),
    ],
)
def test_search_regions_finds_case_forms_and_slips(query, expected):
    found = search_regions(query)
    assert found, query
    assert found[0].name == expected


def test_search_regions_slip_does_not_invent_a_region():
    assert search_regions("абракадабра") == []
    assert search_regions("область") != []  # a bare word still lists regions, no crash

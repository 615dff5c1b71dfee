"""A seeded synthetic corpus of resolutions, for benchmarks (ingest, query, digest …).

Each document is 10–40 KB of Russian text in one of the layouts met in real resolutions:
addressee headings with their own numbering (with a group heading and joint bodies),
"N) Рекомендовать X:" with dashes or а) б) в), "N. Поручить X:" with N.1, N.2, and items
for the participants; with Word-export artefacts ([bookmark: …], **bold**, glued words).
"""

from __future__ import annotations

import random

MONTHS = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]
MONTHS_LOC = [
    "январе",
    "феврале",
    "марте",
    "апреле",
    "мае",
    "июне",
    "июле",
    "августе",
    "сентябре",
    "октябре",
    "ноябре",
    "декабре",
]
REGIONS = [
    ("Амурской области", "г. Благовещенск", "Амурская"),
    ("Камчатского края", "г. Петропавловск-Камчатский", "Камчатский"),
    ("Ленинградской области", "Санкт-Петербург", "Ленинградская"),
    ("Новосибирской области", "г. Новосибирск", "Новосибирская"),
    ("Республики Татарстан", "г. Казань", "Татарстан"),
    ("Калининградской области", "г. Калининград", "Калининградская"),
    ("Свердловской области", "г. Екатеринбург", "Свердловская"),
    ("Приморского края", "г. Владивосток", "Приморский"),
    ("города Севастополя", "город Севастополь", "Севастополь"),
    ("Пермского края", "г. Пермь", "Пермский"),
]
EVENTS = [
    ("Итоговая резолюция регионального форума", "форума", "Форума"),
    ("Резолюция межсекторной конференции", "конференции", "Конференции"),
    ("Рекомендации круглого стола", "круглого стола", "круглого стола"),
    ("Итоговый документ гражданского форума", "форума", "Форума"),
    ("Резолюция съезда некоммерческих организаций", "съезда", "Съезда"),
]
THEMES = [
    "«Некоммерческий сектор: взаимодействие и развитие»",
    "«Гражданские инициативы в муниципальных образованиях»",
    "«Добровольчество и благотворительность: новые практики»",
    "«Социальное предпринимательство и НКО»",
    "«Ресурсные центры поддержки СО НКО: итоги и перспективы»",
]
# (dative as written, instrumental for "совместно с")
BODIES = [
    ("Правительству {r}", "Правительством {r}"),
    ("Законодательному Собранию {r}", "Законодательным Собранием {r}"),
    ("Министерству социальной защиты населения {r}", "Министерством социальной защиты {r}"),
    ("Министерству образования и науки {r}", "Министерством образования и науки {r}"),
    ("Агентству по внутренней политике {r}", "Агентством по внутренней политике {r}"),
    ("Департаменту внутренней политики {r}", "Департаментом внутренней политики {r}"),
    ("Комитету общественных коммуникаций {r}", "Комитетом общественных коммуникаций {r}"),
    ("Общественной палате {r}", "Общественной палатой {r}"),
    (
        "органам местного самоуправления муниципальных образований",
        "органами местного самоуправления",
    ),
    ("Администрации г. {c}", "Администрацией г. {c}"),
    ("общественным советам при органах исполнительной власти", "общественными советами"),
    ("социально ориентированным некоммерческим организациям", "некоммерческими организациями"),
    ("ресурсным центрам поддержки СО НКО", "ресурсными центрами"),
    ("АНО «Ресурсный центр поддержки некоммерческих организаций»", "АНО «Ресурсный центр»"),
    ("средствам массовой информации", "средствами массовой информации"),
    ("представителям бизнес-сообщества", "бизнес-сообществом"),
    ("образовательным организациям высшего образования", "вузами"),
]
ACTIONS = [
    "разработать и принять программу поддержки социально ориентированных некоммерческих "
    "организаций",
    "организовать обучение руководителей НКО основам проектной деятельности и финансовой "
    "грамотности",
    "рассмотреть возможность увеличения финансирования конкурса социальных проектов",
    "создать единую информационную площадку для некоммерческих организаций региона",
    "обеспечить участие представителей общественности в работе конкурсных комиссий",
    "провести серию семинаров по вопросам общественного контроля в муниципальных районах",
    "содействовать развитию территориального общественного самоуправления (ТОС)",
    "активизировать работу по привлечению волонтеров к реализации социальных проектов",
    "продолжить практику проведения публичных обсуждений нормативных правовых актов",
    "оказывать информационную поддержку проектам, поддержанным Фондом президентских грантов",
    "проработать вопрос о создании консультационных пунктов для НКО на базе учреждений культуры",
    "внести изменения в государственную программу «Развитие гражданского общества на "
    "2021-2025 годы» в части поддержки ресурсных центров",
    "привести порядок предоставления субсидий в соответствие с требованиями Федерального "
    "закона от 12.01.1996 № 7-ФЗ «О некоммерческих организациях»",
    "совместно с Общественной палатой подготовить доклад о состоянии гражданского общества",
    "обобщить и распространить лучшие практики межсекторного взаимодействия",
]
TERMS = [
    "",
    "",
    "",
    " в {y} году",
    " до 1 {m} {y} г.",
    " до конца {m} {y} года",
    " в {y}-{y2} гг.",
    " в {ml} {y} г.",
    " ежегодно",
    " до {d:02d}.{mn:02d}.{y}",
]
PREAMBLE = [
    "В работе {ev} приняли участие {n} человек, представляющие органы власти, некоммерческие "
    "организации, бизнес и средства массовой информации из {k} муниципальных образований {r}.",
    "Участники обсудили вопросы развития некоммерческого сектора, поддержки гражданских "
    "инициатив, развития добровольчества и благотворительности, взаимодействия органов "
    "власти и общества, а также участия СО НКО в оказании социальных услуг населению.",
    "Отмечен рост числа социально ориентированных некоммерческих организаций, увеличение "
    "объёма государственной поддержки, развитие инфраструктуры поддержки СО НКО, в том числе "
    "ресурсных центров, и расширение практики общественного контроля.",
    "Вместе с тем сохраняются проблемы: недостаточная информированность населения о "
    "деятельности НКО, слабая кадровая и материальная база организаций, формализм обратной "
    "связи власти в отношении общественных инициатив.",
    "В рамках {ev} работали дискуссионные площадки «Правовое поле деятельности НКО», "
    "«Социальное партнёрство» и «Институты гражданского общества в противодействии "
    "коррупции», прошли мастер-классы и презентация лучших практик.",
]
ARTEFACTS = ["[bookmark: _GoBack]", "**", "", "", ""]


def _term(rng: random.Random, year: int) -> str:
    template = rng.choice(TERMS)
    y = year + rng.randint(0, 2)
    mn = rng.randint(1, 12)
    return template.format(
        y=y, y2=y + 1, m=MONTHS[mn - 1], ml=MONTHS_LOC[mn - 1], d=rng.randint(1, 28), mn=mn
    )


def _item(rng: random.Random, year: int) -> str:
    text = rng.choice(ACTIONS) + _term(rng, year)
    if rng.random() < 0.1:
        # a glued word, as in Word exports
        text = text.replace(" по ", " по", 1) if " по " in text else text
    return text[0].upper() + text[1:] + rng.choice([";", ".", ";"])


def _body(rng: random.Random, region: str, city: str) -> tuple[str, str]:
    dative, instrumental = rng.choice(BODIES)
    return dative.format(r=region, c=city.replace("г. ", "")), instrumental.format(
        r=region, c=city.replace("г. ", "")
    )


def _headings_layout(rng, region, city, year, size) -> list[str]:
    out: list[str] = []
    if rng.random() < 0.5:
        out += ["Органам государственной власти:", ""]
    while sum(len(x) for x in out) < size:
        first, _ = _body(rng, region, city)
        heading = first[0].upper() + first[1:]
        if rng.random() < 0.25:
            second, _ = _body(rng, region, city)
            heading += " и " + second
        out += [heading + rng.choice([":", ""]), ""]
        for n in range(1, rng.randint(2, 12)):
            item = _item(rng, year)
            out.append(f"{n}. {item}")
            if rng.random() < 0.15:
                out += [f"· {rng.choice(ACTIONS)};" for _ in range(rng.randint(2, 4))]
        out.append("")
    return out


def _lead_in_layout(rng, region, city, year, size) -> list[str]:
    out: list[str] = []
    n = 0
    while sum(len(x) for x in out) < size:
        n += 1
        dative, instrumental = _body(rng, region, city)
        verb = rng.choice(["Рекомендовать", "Поручить", "Предложить"])
        style = rng.random()
        if style < 0.35:
            out.append(f"{n}) {verb} {dative}:")
            out += [f"- {rng.choice(ACTIONS)}{_term(rng, year)};" for _ in range(rng.randint(1, 5))]
        elif style < 0.55:
            out.append(f"{n}) {verb} {dative}:")
            for letter in "абвг"[: rng.randint(2, 4)]:
                out.append(f"{letter}) {rng.choice(ACTIONS)}:")
                out += [
                    f"- в сфере {w};"
                    for w in rng.sample(["образования", "культуры", "спорта", "здравоохранения"], 2)
                ]
        elif style < 0.8:
            out.append(f"{n}. {verb} {dative}:")
            for k in range(1, rng.randint(2, 6)):
                out.append(f"{n}.{k} {rng.choice(ACTIONS)}{_term(rng, year)};")
        else:
            out.append(f"{n}) {verb} {dative} совместно с {instrumental} {rng.choice(ACTIONS)}.")
    return out


def _participants_layout(rng, region, city, year, size) -> list[str]:
    out: list[str] = []
    n = 0
    while sum(len(x) for x in out) < size:
        n += 1
        out.append(f"{n}. {_item(rng, year)}")
    return out


def generate_resolution(rng: random.Random) -> str:
    """One synthetic resolution (10–40 KB) drawn from ``rng``."""
    region, city, _ = rng.choice(REGIONS)
    title, ev_gen, ev_cap = rng.choice(EVENTS)
    year = rng.randint(2015, 2025)
    day = rng.randint(1, 28)
    month = MONTHS[rng.randint(0, 11)]
    target = rng.randint(10_000, 40_000)
    lines = [
        f"{rng.choice(ARTEFACTS)}{title}{rng.choice(['', ' ' + region])}",
        rng.choice(THEMES),
        "",
        f"{day} {month} {year} г.\t\t\t{city}",
        "",
    ]
    while sum(len(x.encode()) for x in lines) < target * 0.35:
        lines.append(
            rng.choice(PREAMBLE).format(
                ev=ev_gen, n=rng.randint(50, 400), k=rng.randint(3, 30), r=region
            )
        )
    layout = rng.choice([_headings_layout, _lead_in_layout, _participants_layout])
    if layout is _participants_layout:
        lines.append(f"Участники {ev_cap} определили основные направления работы на {year + 1} г.:")
    else:
        lines.append(f"Участники {ev_cap} рекомендуют:")
    lines.append("")
    remaining = target - sum(len(x.encode()) for x in lines)
    # Bytes are about twice the characters in Cyrillic text.
    lines += layout(rng, region, city, year, max(remaining // 2, 1500))
    lines += ["", f"Участники {ev_cap} выражают надежду на реализацию рекомендаций."]
    return "\n".join(lines)


def generate_corpus(n: int, seed: int = 42) -> list[str]:
    """``n`` resolutions, the same for the same seed."""
    rng = random.Random(seed)
    return [generate_resolution(rng) for _ in range(n)]

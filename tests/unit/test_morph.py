from bot.ingest.clean import clean_line, clean_text
from bot.morph import lemmas, normal_form, to_nominative
from bot.vocabulary import KINDS, classify_addressee, expand_abbreviations, kind_label


def test_lemmas_fold_case_yo_and_inflection():
    assert lemmas("Ресурсным центрам, ёлкам") == ["ресурсный", "центр", "елка"]
    assert lemmas("ресурсных центров") == lemmas("ресурсным центрам")
    assert normal_form("Общественной") == "общественный"
    assert lemmas("2015 года Pro Bono") == ["год", "pro", "bono"]


def test_to_nominative_inflects_the_head_group_only():
    assert (
        to_nominative("Законодательному Собранию Амурской области")
        == "Законодательное Собрание Амурской области"
    )
    assert to_nominative("органам местного самоуправления") == "органы местного самоуправления"
    assert (
        to_nominative("Администрации г. Благовещенска", "datv") == "Администрация г. Благовещенска"
    )
    assert to_nominative("социально ориентированным НКО", "datv") == "социально ориентированные НКО"
    assert (
        to_nominative("региональным и межрегиональным некоммерческим организациям, осуществляющим")
        == "региональные и межрегиональные некоммерческие организации, осуществляющие"
    )
    assert (
        to_nominative("молодежными общественными организациями", "ablt")
        == "молодежные общественные организации"
    )
    assert to_nominative("Фонда президентских грантов") == "Фонд президентских грантов"
    assert to_nominative("Правительство области") == "Правительство области"


def test_cleaning_removes_artefacts_and_unglues_words():
    assert clean_line("[bookmark: _GoBack]**Участники** *конференции*") == "Участники конференции"
    assert clean_line("поддержки сектора НКО вАмурской области") == (
        "поддержки сектора НКО в Амурской области"
    )
    assert clean_line("включая грантовоефинансирование проектов") == (
        "включая грантовое финансирование проектов"
    )
    assert clean_line("РегиональногоФорума") == "Регионального Форума"
    assert clean_line("в действующий212-ФЗ«Об основах»") == "в действующий 212-ФЗ «Об основах»"
    assert clean_line("·\tДействия органов") == "· Действия органов"
    assert clean_text("a\u00a0b\n\n\n\nc") == "a b\n\nc"


def test_cleaning_is_conservative_with_real_words():
    for word in ("Росатом", "копирайтинга", "вебинаров", "межсекторного", "форумной", "МыВместе"):
        assert clean_line(word) == word


def test_vocabulary_kinds_and_abbreviations():
    assert KINDS[0] == "regional_government" and KINDS[-1] == "other" and len(KINDS) == 13
    assert kind_label("local_government") == "Органы местного самоуправления"
    assert kind_label("ngo") == "НКО"
    assert classify_addressee("Администрация г. Благовещенска") == "local_government"
    assert classify_addressee("Администрация Ленинградской области") == "regional_government"
    assert classify_addressee("Министерство юстиции Российской Федерации") == "federal_body"
    assert classify_addressee("Союз «Ленинградская областная торгово-промышленная палата»") == (
        "business"
    )
    assert classify_addressee("Средства массовой информации") == "media"
    assert classify_addressee("Федеральный государственный университет") == "education"
    assert expand_abbreviations("СО НКО и ОМСУ") == (
        "социально ориентированные некоммерческие организации и органы местного самоуправления"
    )
    assert expand_abbreviations("НКОшка") == "НКОшка"

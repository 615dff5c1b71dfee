"""Property tests: any text, any bytes — no crash, unique numbers, valid indices."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.ingest.extract import DocumentError, refusal
from bot.ingest.model import ParsedDocument
from bot.ingest.parser import INTERNAL_ERROR_WARNING, parse_file, parse_resolution
from bot.texts import Texts
from bot.vocabulary import KINDS

TEXTS = Texts.load()

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FRAGMENTS = [
    "",
    "Правительству области",
    "Органам государственной власти:",
    "Органам местного самоуправления области и министерству культуры:",
    "Администрации г. Благовещенска:",
    "1. Рекомендовать органам местного самоуправления:",
    "2) Рекомендовать Агентству по внутренней политике совместно с НКО провести форум",
    "1. Поручить АНО «Ресурсный центр»:",
    "1.1 проинформировать Правительство города Севастополя",
    "1.1 проинформировать",
    "а) проработать вопрос:",
    "б)",
    "- в сфере образования;",
    "· Действия органов власти;",
    "Рассмотреть возможность увеличения финансирования в 2016 году.",
    "Предложить Общественной палате Амурской области осуществить мониторинг.",
    "Просить Правительство области рассмотреть вопрос до 1 марта 2025 г.",
    "3. Коммерческим организациям повысить ответственность;",
    "4. Поддержать инициативы «на 2014-2020 годы»",
    "23 декабря 2015 г. г. Благовещенск",
    "Участники форума рекомендуют:",
    "[bookmark: _GoBack]**Итоговая резолюция**",
    "1.",
    "1)",
    "«",
    "»»",
    ":",
    "вАмурской грантовоефинансирование",
    "12.",
    "99.99 текст",
    "Комиссии по развитию институтов\nОбщественной палаты Ленинградской области",
]


def check(doc: ParsedDocument) -> None:
    assert INTERNAL_ERROR_WARNING not in doc.warnings
    numbers = [r.number for r in doc.recommendations]
    assert len(numbers) == len(set(numbers))
    for r in doc.recommendations:
        assert r.number
        assert all(0 <= i < len(doc.addressees) for i in r.addressee_indices)
        assert len(set(r.addressee_indices)) == len(r.addressee_indices)
        if r.deadline is not None:
            assert r.deadline.precision in ("day", "month", "year")
            assert r.deadline.phrase
    for a in doc.addressees:
        assert a.kind in KINDS
        assert a.canonical


@SETTINGS
@given(st.text(max_size=3000))
def test_any_text_never_crashes(text):
    check(parse_resolution(text, "x.txt"))


@SETTINGS
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=80), max_size=60))
def test_structured_noise_never_crashes(lines):
    check(parse_resolution("\n".join(lines), "x.txt"))


@SETTINGS
@given(
    st.binary(max_size=4000),
    st.sampled_from(["a.txt", "a.docx", "a.pdf", "a", "a.exe", "a.doc", "a.TXT", "a.rtf"]),
)
def test_any_bytes_only_document_error(data, filename):
    try:
        doc = parse_file(data, filename)
    except DocumentError as err:
        assert refusal(TEXTS, err)
        return
    check(doc)


@SETTINGS
@given(
    st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=40), max_size=30),
    st.sampled_from(["utf-8", "utf-8-sig", "cp1251", "koi8_r", "utf-16", "cp866", "latin-1"]),
)
def test_text_in_any_encoding(lines, encoding):
    data = "\n".join(lines).encode(encoding, errors="replace")
    try:
        doc = parse_file(data, "r.txt")
    except DocumentError as err:
        assert refusal(TEXTS, err)
        return
    check(doc)

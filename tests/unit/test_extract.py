"""Reading uploaded files: .txt encodings, .docx with real Word numbering, PDF, bad files."""

import io
import os
import re
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from bot.ingest.extract import DocumentError, decode_text, extract_text, refusal
from bot.ingest.parser import parse_file, parse_resolution
from bot.paths import CONTENT_DIR
from bot.texts import Texts

SEEDS = CONTENT_DIR / "resolutions"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def seed_text(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


# --- .docx with Word numbering ----------------------------------------------------------

_ABSTRACTS = {
    # "1." with "1.1" below it
    101: [("decimal", "%1."), ("decimal", "%1.%2")],
    # "1)" with "а)" below it
    102: [("decimal", "%1)"), ("russianLower", "%2)")],
    # dashes and dots
    103: [("bullet", "–")],
}
_SUB_RE = re.compile(r"^(\d+)\.(\d+)\.?\s+(.*)$")
_NUM_RE = re.compile(r"^(\d{1,3})([.)])(?![\d.])\s*(.*)$")
_LETTER_RE = re.compile(r"^([а-я])\)\s*(.*)$")
_BULLET_RE = re.compile(r"^[-–—·•]\s*(.*)$")


def _abstract_xml(aid: int, levels) -> str:
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/></w:lvl>'
        for i, (fmt, text) in enumerate(levels)
    )
    return f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{aid}">{lvls}</w:abstractNum>'


class _DocxBuilder:
    """Writes lines as paragraphs, turning their typed numbers into numPr + definitions."""

    def __init__(self) -> None:
        self.doc = docx.Document()
        self.numbering = self.doc.part.numbering_part.element
        first_num = self.numbering.find(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num"
        )
        for aid, levels in _ABSTRACTS.items():
            first_num.addprevious(parse_xml(_abstract_xml(aid, levels)))
        self.next_num = 200
        self.current: dict[int, int] = {}  # abstract id -> numId in use
        self.expected: dict[int, int] = {}  # abstract id -> next level-0 number
        self.bullets = self._new_num(103)

    def _new_num(self, aid: int, start: int | None = None) -> int:
        self.next_num += 1
        override = (
            f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride>'
            if start is not None
            else ""
        )
        self.numbering.append(
            parse_xml(
                f'<w:num {nsdecls("w")} w:numId="{self.next_num}">'
                f'<w:abstractNumId w:val="{aid}"/>{override}</w:num>'
            )
        )
        return self.next_num

    def _numbered(self, text: str, aid: int, ilvl: int, number: int | None = None) -> None:
        if ilvl == 0:
            if aid not in self.current or self.expected[aid] != number:
                # A restart (new heading): a new list instance with startOverride, as Word does.
                self.current[aid] = self._new_num(aid, number)
            self.expected[aid] = (number or 0) + 1
        self._paragraph(text, self.current[aid], ilvl)

    def _paragraph(self, text: str, num_id: int | None = None, ilvl: int = 0) -> None:
        p = self.doc.add_paragraph(text)
        if num_id is not None:
            p._p.get_or_add_pPr().append(
                parse_xml(
                    f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/>'
                    f'<w:numId w:val="{num_id}"/></w:numPr>'
                )
            )

    def add(self, line: str) -> None:
        line = line.strip()
        if m := _SUB_RE.match(line):
            self._numbered(m.group(3), 101, 1)
        elif m := _NUM_RE.match(line):
            aid = 101 if m.group(2) == "." else 102
            self._numbered(m.group(3), aid, 0, int(m.group(1)))
        elif m := _LETTER_RE.match(line):
            self._numbered(m.group(2), 102, 1)
        elif m := _BULLET_RE.match(line):
            self._paragraph(m.group(1), self.bullets, 0)
        else:
            self._paragraph(line)

    def save(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def to_docx(text: str) -> bytes:
    builder = _DocxBuilder()
    for line in text.split("\n"):
        builder.add(line)
    return builder.save()


def _summary(doc):
    return (
        doc.title,
        doc.date,
        doc.region,
        [(a.canonical, a.kind) for a in doc.addressees],
        [
            (r.number, r.text, r.addressee_indices, r.deadline, r.mentions)
            for r in doc.recommendations
        ],
    )


def test_docx_numbers_are_rebuilt_from_numbering_definitions():
    data = to_docx(
        "Резолюция\n1. Первый\n1.1 Под первый\n1.2 Ещё\n2. Второй\n- тире\n1. Снова\n"
        "1) Скобка\nа) буква\nб) вторая\n2) Ещё скобка\nа) снова буква"
    )
    lines = [ln for ln in extract_text(data, "r.docx").split("\n") if ln]
    assert lines == [
        "Резолюция",
        "1. Первый",
        "1.1 Под первый",
        "1.2 Ещё",
        "2. Второй",
        "· тире",
        "1. Снова",
        "1) Скобка",
        "а) буква",
        "б) вторая",
        "2) Ещё скобка",
        "а) снова буква",
    ]
    # No w:t carries the numbers: they exist only as numbering properties.
    assert "Первый" in docx.Document(io.BytesIO(data)).paragraphs[1].text
    assert not docx.Document(io.BytesIO(data)).paragraphs[1].text.startswith("1")


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_docx_with_word_numbering_parses_like_the_txt(prefix):
    text = seed_text(prefix)
    from_txt = parse_resolution(text, "seed.txt")
    from_docx = parse_file(to_docx(text), "seed.docx")
    assert _summary(from_docx) == _summary(from_txt)


def test_docx_style_numbering_and_tables_are_read():
    document = docx.Document()
    document.add_paragraph("Правительству области:")
    document.add_paragraph("Создать совет.", style="List Number")
    document.add_paragraph("Провести форум в 2030 году.", style="List Number")
    table = document.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "Текст в таблице"
    out = io.BytesIO()
    document.save(out)
    text = extract_text(out.getvalue(), "x.docx")
    assert "1. Создать совет." in text and "2. Провести форум в 2030 году." in text
    assert "Текст в таблице" in text
    doc = parse_file(out.getvalue(), "x.docx")
    assert [r.number for r in doc.recommendations] == ["1", "2"]
    assert doc.addressees[0].canonical == "Правительство области"


def test_a_docx_table_of_measures_becomes_items_row_by_row():
    """A Word table («№ | Мероприятие | Срок») under a lead-in: one item per row, with its
    term — not one line per cell, which lost the rows."""
    document = docx.Document()
    document.add_paragraph("1. Просить Правительство Тверской области выделить средства.")
    document.add_paragraph("2. Рекомендовать органам местного самоуправления Тверской области:")
    table = document.add_table(rows=3, cols=3)
    rows = [
        ("№", "Мероприятие", "Срок"),
        ("1", "Разработать планы адаптации тротуаров", "до 1 октября 2026 г."),
        ("2", "Привлекать организации инвалидов к приёмке работ", "постоянно"),
    ]
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph("3. Продолжить мониторинг доступности объектов.")
    out = io.BytesIO()
    document.save(out)
    doc = parse_file(out.getvalue(), "x.docx")
    texts = [r.text for r in doc.recommendations]
    assert any("Разработать планы адаптации тротуаров" in t for t in texts), texts
    assert any("Привлекать организации инвалидов" in t for t in texts), texts
    plans = next(r for r in doc.recommendations if "тротуаров" in r.text)
    assert plans.deadline is not None and plans.deadline.date.isoformat() == "2026-10-01"
    local = next(i for i, a in enumerate(doc.addressees) if "самоуправления" in a.canonical)
    assert local in plans.addressee_indices


# --- .txt encodings ---------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1251", "utf-8", "utf-8-sig", "koi8_r", "utf-16"])
def test_txt_encodings(encoding):
    # The seed, restricted to what the encoding can hold (koi8-r has no «»).
    text = seed_text("004").encode(encoding, errors="ignore").decode(encoding).lstrip("\ufeff")
    assert extract_text(text.encode(encoding), "r.txt") == text


def test_windows_1251_seed_parses_like_utf8():
    text = seed_text("002")
    doc = parse_file(text.encode("cp1251", errors="replace"), "резолюция.txt")
    assert doc.region == "Амурская область"
    assert len(doc.recommendations) == 61


# --- PDF --------------------------------------------------------------------------------


def _pdf(lines: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVuSans", str(FONT)))
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    width, height = A4
    y = height - 50
    for line in lines:
        for part in simpleSplit(line, "DejaVuSans", 10, width - 100) or [""]:
            if y < 50:
                c.showPage()
                y = height - 50
            c.setFont("DejaVuSans", 10)
            c.drawString(50, y, part)
            y -= 14
    c.save()
    return out.getvalue()


@pytest.mark.skipif(not FONT.exists(), reason="DejaVuSans.ttf (Cyrillic TTF) is not installed")
def test_pdf_with_text_layer():
    text = seed_text("003")
    from_txt = parse_resolution(text, "seed.txt")
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    doc = parse_file(_pdf(lines), "resolution.pdf")
    assert doc.region == "Камчатский край"
    assert [r.number for r in doc.recommendations] == [r.number for r in from_txt.recommendations]
    assert [a.canonical for a in doc.addressees] == [a.canonical for a in from_txt.addressees]
    assert rec_text(doc, "9.5") == rec_text(from_txt, "9.5")


def rec_text(doc, number):
    return next(r.text for r in doc.recommendations if r.number == number)


def test_pdf_without_text_layer():
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.rect(100, 100, 200, 200, fill=1)  # a "scan": graphics, no text
    c.save()
    with pytest.raises(DocumentError) as err:
        extract_text(out.getvalue(), "scan.pdf")
    assert "текстового слоя" in refusal(Texts.load(), err.value)


# --- files that are not documents -------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "needle"),
    [
        (b"", "empty.txt", "пустой"),
        (b"   \n\n", "blank.docx", "пустой"),
        (b"MZ\x90\x00" + os.urandom(2000), "setup.exe", "не поддерживается"),
        (bytes(range(256)) * 20, "random.bin", "не поддерживается"),
        (bytes(range(256)) * 20, "random.txt", "не похож на текст"),
        (os.urandom(3000), "report.docx", "повреждён"),
        (b"PK\x03\x04" + os.urandom(3000), "report.docx", ".docx"),
        (b"%PDF-1.4\n" + os.urandom(3000), "report.pdf", "PDF"),
        (b"\xd0\xcf\x11\xe0" + os.urandom(1000), "old.doc", ".doc"),
    ],
)
def test_unreadable_files_raise_document_error_in_russian(data, filename, needle):
    with pytest.raises(DocumentError) as err:
        extract_text(data, filename)
    message = refusal(Texts.load(), err.value)
    assert needle in message
    assert re.search(r"[а-яё]{4}", message)


@pytest.mark.parametrize("encoding", ["cp1251", "koi8_r", "cp866"])
def test_short_capitalised_text_decodes_in_its_own_encoding(encoding):
    text = (
        "ИТОГОВАЯ РЕЗОЛЮЦИЯ ФОРУМА\nПРАВИТЕЛЬСТВУ АМУРСКОЙ ОБЛАСТИ:\n1. СОЗДАТЬ СОВЕТ ПО ДЕЛАМ НКО."
    )
    assert decode_text(text.encode(encoding)) == text


@pytest.mark.parametrize("size", [600, 3000])
def test_beginnings_of_the_seeds_decode_as_cp1251(size):
    for path in sorted((CONTENT_DIR / "resolutions").iterdir()):
        data = path.read_text(encoding="utf-8")[:size].encode("cp1251", errors="ignore")
        assert decode_text(data) == data.decode("cp1251"), path.name

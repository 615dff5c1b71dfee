"""Hostile and broken files, built here: each is refused with one Russian sentence, in a child
process that cannot take the caller down."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from bot.ingest.extract import DocumentError
from bot.ingest.extract import refusal as said
from bot.ingest.guard import MAIN_PART, ParseLimits, check_docx, parse_upload
from bot.paths import CONTENT_DIR
from bot.texts import Texts

SEED = next((CONTENT_DIR / "resolutions").glob("002_*.txt"))
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _template() -> dict[str, bytes]:
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def make_docx(document_xml: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """A real .docx (python-docx's own template) with our word/document.xml."""
    parts = {**_template(), MAIN_PART: document_xml, **(extra or {})}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def body(inner: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{inner}</w:body></w:document>'.encode()  # noqa: E501


def paragraphs(n: int) -> bytes:
    return body("".join(f"<w:p><w:r><w:t>{i}. Рекомендовать.</w:t></w:r></w:p>" for i in range(n)))


def is_one_russian_sentence(text: str) -> bool:
    text = text.strip()
    cyrillic = sum("а" <= ch.lower() <= "я" for ch in text)
    return cyrillic > 15 and text[-1] in ".!" and "Traceback" not in text


async def refusal(data: bytes, name: str, limits: ParseLimits | None = None) -> str:
    with pytest.raises(DocumentError) as caught:
        await parse_upload(data, name, limits or ParseLimits())
    message = said(Texts.load(), caught.value)
    assert is_one_russian_sentence(message), message
    return message


async def test_a_normal_file_parses_in_the_child():
    parsed = await parse_upload(SEED.read_bytes(), SEED.name, ParseLimits())
    assert parsed.recommendations and parsed.title


async def test_the_file_name_is_not_on_the_childs_command_line(monkeypatch):
    """Every local account can read a process's command line (ps): the name a person gave
    their file goes to the child on stdin, not in argv."""
    import asyncio

    seen: list[tuple] = []
    spawn = asyncio.create_subprocess_exec

    async def recording(*args, **kwargs):
        seen.append(args)
        return await spawn(*args, **kwargs)

    monkeypatch.setattr(asyncio, "create_subprocess_exec", recording)
    name = "Резолюция Ivanova I. I..txt"
    parsed = await parse_upload(SEED.read_bytes(), name, ParseLimits())
    assert parsed.recommendations
    (argv,) = seen
    assert not any("Ivanova" in str(arg) for arg in argv)


async def test_zip_bomb_is_refused_by_its_declared_size():
    # 60 MB of XML that compresses to well under 1 MB: more than the 50 MB default.
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in _template().items():
            if name != MAIN_PART:
                archive.writestr(name, data)
        with archive.open(MAIN_PART, "w", force_zip64=True) as part:
            part.write(body("")[: -len("</w:body></w:document>")])
            chunk = b"<w:p><w:r><w:t>" + b"a" * 1000 + b"</w:t></w:r></w:p>" * 64
            for _ in range(60 * 1024 * 1024 // len(chunk)):
                part.write(chunk)
            part.write(b"</w:body></w:document>")
    data = out.getvalue()
    assert len(data) < 2 * 1024 * 1024
    message = await refusal(data, "бомба.docx")
    assert "распаковывается" in message


async def test_huge_main_part_is_refused():
    data = make_docx(paragraphs(3) + b" " * (3 * 1024 * 1024))
    limits = ParseLimits(max_main_part_bytes=2 * 1024 * 1024)
    assert "Текст документа" in await refusal(data, "r.docx", limits)


async def test_too_many_parts_is_refused():
    extra = {f"word/media/x{i}.xml": b"<a/>" for i in range(600)}
    assert "частей" in await refusal(make_docx(paragraphs(3), extra), "r.docx")


async def test_billion_laughs_is_refused():
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i else "&lol;" * 10}">' for i in range(10)
    )
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE w:document [{entities}]>'
        f"<w:document {W}><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
    ).encode()
    assert "сущностей XML" in await refusal(make_docx(xml), "смех.docx")


async def test_a_dtd_behind_a_long_prolog_is_refused():
    xml = (
        '<?xml version="1.0"?><!--' + "x" * 3_000_000 + "--><!DOCTYPE w:document ["
        '<!ENTITY a "aaaaaaaaaa">]>'
        f"<w:document {W}><w:body><w:p><w:r><w:t>&a;</w:t></w:r></w:p></w:body></w:document>"
    ).encode()
    assert "сущностей XML" in await refusal(make_docx(xml), "пролог.docx")


async def test_hundred_thousand_paragraphs_are_refused():
    data = make_docx(paragraphs(100_000))
    assert len(data) < 2 * 1024 * 1024
    assert "абзацев" in await refusal(data, "абзацы.docx")


async def test_deep_nesting_is_refused_without_harm():
    depth = 100_000
    xml = body("<w:p>" + "<w:r>" * depth + "</w:r>" * depth + "</w:p>")
    await refusal(make_docx(xml), "вложенность.docx")


async def test_too_many_lines_of_text_are_refused():
    text = "\n".join(f"{i}. Рекомендовать органам власти." for i in range(30_000))
    assert "абзацев" in await refusal(text.encode(), "r.txt")


def _pdf(draw, pages: int = 1, encrypt: str | None = None) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, encrypt=encrypt)
    for _ in range(pages):
        draw(pdf)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def _text(pdf) -> None:
    pdf.drawString(72, 750, "Resolution of the civic forum: recommendations to the government.")


async def test_password_protected_pdf_says_it_is_protected():
    message = await refusal(_pdf(_text, encrypt="secret"), "закрытый.pdf")
    assert "защищён паролем" in message
    assert "повреждён" not in message


async def test_scanned_pdf_says_there_is_no_text_layer():
    def picture(pdf) -> None:  # shapes only, like a scan: nothing to extract
        for i in range(40):
            pdf.rect(50 + i * 10, 300, 8, 200 + i, fill=1)

    message = await refusal(_pdf(picture), "скан.pdf")
    assert "нет текстового слоя" in message


async def test_too_many_pdf_pages_are_refused():
    limits = ParseLimits(max_pdf_pages=5)
    assert "страниц" in await refusal(_pdf(_text, pages=6), "r.pdf", limits)


async def test_a_parse_over_its_time_is_cut_off():
    # No child starts, imports and parses in a millisecond: the parent gives up and kills it.
    message = await refusal(SEED.read_bytes(), SEED.name, ParseLimits(timeout_seconds=0.001))
    assert "слишком много времени" in message


async def test_a_parse_over_its_memory_is_refused():
    # 40 MB of address space is not enough to load the parser: the child runs out of memory
    # instead of the caller, and says so.
    limits = ParseLimits(memory_bytes=40 * 1024 * 1024)
    message = await refusal(make_docx(paragraphs(50)), "r.docx", limits)
    assert "памяти" in message


def test_check_docx_accepts_an_ordinary_document():
    check_docx(make_docx(paragraphs(50)), ParseLimits())

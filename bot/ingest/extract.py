"""Text out of an uploaded file: .txt (any common Russian encoding), .docx, .pdf.

For .docx the numbers Word draws from numbering definitions ("1.", "1.1", "а)") are not in
the text; they are rebuilt from each paragraph's numPr (numId/ilvl → abstractNum level:
numFmt, lvlText, start, overrides) with counters, as Word does.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Callable
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from bot.errors import InvalidInput
from bot.texts import Texts

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

_MAX_BYTES = 20 * 1024 * 1024

Hint = Literal["supported", "resave", "resave_sheet"]
_HINTS: dict[Hint, str] = {
    "supported": "documents.refused.supported_hint",  # which files the bot reads
    "resave": "documents.refused.resave_hint",  # a damaged file can be saved anew
    "resave_sheet": "documents.refused.resave_sheet_hint",  # the same for a /report table
}


class DocumentError(InvalidInput):
    """A file the bot cannot read: ``key`` (``documents.refused.*``) says why, ``hint`` what
    the user can do about it; ``refusal`` puts them together."""

    def __init__(self, key: str, *, hint: Hint | None = None, **params: Any) -> None:
        super().__init__(key, **params)
        self.hint = hint

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON: how the parsing child process hands a refusal to the bot."""
        return {"key": self.key, "hint": self.hint, "params": self.params}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentError:
        return cls(data["key"], hint=data.get("hint"), **data["params"])


def refusal(texts: Texts, error: DocumentError) -> str:
    """Why the file cannot be read, and what to do, as plain text."""
    reason = texts.plain(error.key, **error.params)
    return f"{reason} {texts.plain(_HINTS[error.hint])}" if error.hint else reason


# --- plain text -------------------------------------------------------------------------

# How often each letter occurs in Russian prose, case folded: in the right encoding a text
# scores like Russian whatever its capitals; a wrong one scatters bytes over rare letters and
# symbols.  cp1251 comes first: it wins ties, being by far the most common legacy encoding.
_LETTER_FREQUENCY = dict(
    zip(
        "оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё",
        (110, 85, 80, 74, 67, 63, 55, 47, 45, 44, 35, 32, 30, 28, 26, 20, 19, 17, 17, 16, 16,
         14, 12, 10, 9, 7, 6, 5, 4, 3, 3, 1, 1),
        strict=True,
    )
)  # fmt: skip
_CANDIDATE_ENCODINGS = ("cp1251", "koi8_r", "cp866", "mac_cyrillic", "iso8859_5")


def _score_russian(text: str) -> float:
    """Higher for text whose letters are distributed like Russian."""
    if not text:
        return 0.0
    total = 0
    for ch in text:
        if ch in "\ufffd" or "\u2500" <= ch <= "\u25ff" or ch in "\u2020\u2021\u2122\u2260":
            total -= 100  # replacement marks, box drawing, daggers: signs of a wrong guess
        else:
            total += _LETTER_FREQUENCY.get(ch.lower(), 0)
    return total / len(text)


def _looks_like_text(text: str) -> bool:
    sample = text[:20000]
    if not sample.strip():
        return True  # empty is reported separately
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    bad += max(0, sample.count("\ufffd") - _MAX_BROKEN)  # a few broken bytes are reported
    letters = sum(1 for ch in sample if ch.isalpha())
    visible = sum(1 for ch in sample if not ch.isspace())
    return bad / len(sample) < 0.01 and letters >= 0.4 * max(visible, 1)


# A few broken bytes in a UTF-8 file: still UTF-8 (with a warning), not cp1251 gibberish.
_MAX_BROKEN = 8


def _damaged_utf8(data: bytes) -> str | None:
    """The text if ``data`` is UTF-8 with a few broken bytes, else None."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    cyrillic = sum(1 for ch in text[:50000] if "\u0400" <= ch <= "\u04ff")
    if broken and broken <= max(_MAX_BROKEN, len(text) // 2000) and cyrillic >= 20 * broken:
        return text
    return None


def broken_bytes_warning(text: str) -> str | None:
    """A Russian warning when decoding replaced broken bytes with «�»."""
    n = text.count("\ufffd")
    if not n:
        return None
    return (
        f"Файл прочитан как UTF-8, но в нём есть повреждённые байты ({n}): такие места "
        "отмечены знаком «�». Проверьте текст рядом с ними."
    )


# Text that was UTF-8 read as cp1251 ("РџСЂРёРІРµС‚"): each Russian letter became "Р"/"С"
# and a symbol or a rare letter.
_MOJIBAKE_PAIR_RE = re.compile(
    r"[РС][\u0080-\u00bf\u0400-\u040f\u0450-\u045f\u2010-\u203a\u2116\u0490\u0491]"
)


_CYRILLIC_BLOCK_RE = re.compile("[\u0400-\u04ff]")


def looks_like_mojibake(text: str) -> bool:
    sample = text[:20000]
    letters = len(_CYRILLIC_BLOCK_RE.findall(sample))
    if letters < 20:
        return False
    pairs = len(_MOJIBAKE_PAIR_RE.findall(sample))
    return pairs * 2 >= letters * 0.4


def decode_text(data: bytes) -> str:
    """Decode a text file: BOMs, UTF-8, else the most Russian-looking 8-bit encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data[:4000]:
        # UTF-16 without a BOM: every other byte of Cyrillic or ASCII is 0x00 or 0x04.
        even_zeros = data[0:4000:2].count(0)
        odd_zeros = data[1:4000:2].count(0)
        if odd_zeros > even_zeros * 4:
            return data.decode("utf-16-le", errors="replace")
        if even_zeros > odd_zeros * 4:
            return data.decode("utf-16-be", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    damaged = _damaged_utf8(data)
    if damaged is not None:
        return damaged
    best, best_score = None, float("-inf")
    for encoding in _CANDIDATE_ENCODINGS:
        text = data.decode(encoding, errors="replace")
        score = _score_russian(text[:50000])
        if score > best_score:
            best, best_score = text, score
    return best or ""


def _txt(data: bytes) -> str:
    text = decode_text(data)
    if not _looks_like_text(text):
        raise DocumentError("documents.refused.binary", hint="supported")
    return text


# --- docx -------------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


_RUSSIAN_LOWER = "абвгдежзиклмнопрстуфхцчшщэюя"  # Word's russianLower skips ё, й, ъ, ы, ь


def _letters(n: int, alphabet: str) -> str:
    if n <= 0:
        return str(n)
    size = len(alphabet)
    return alphabet[(n - 1) % size] * ((n - 1) // size + 1)


def _roman(n: int) -> str:
    if n <= 0:
        return str(n)
    out = []
    for value, sym in (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ):  # fmt: skip
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def format_number(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter",):
        return _letters(n, "abcdefghijklmnopqrstuvwxyz")
    if fmt == "upperLetter":
        return _letters(n, "abcdefghijklmnopqrstuvwxyz").upper()
    if fmt in ("russianLower",):
        return _letters(n, _RUSSIAN_LOWER)
    if fmt == "russianUpper":
        return _letters(n, _RUSSIAN_LOWER).upper()
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


# An element of a Word document's XML (lxml, through python-docx), which has no type stubs.
_Element = Any


class _Level(TypedDict):
    start: int
    fmt: str
    text: str
    legal: bool


class _Numbering:
    """Word list numbering: counters per abstract list, restarts by startOverride."""

    def __init__(self, numbering_element: _Element | None) -> None:
        self.levels: dict[str, dict[int, _Level]] = {}
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.applied: set[tuple[str, int]] = set()
        if numbering_element is None:
            return
        for absnum in numbering_element.findall(_w("abstractNum")):
            aid = absnum.get(_w("abstractNumId"))
            levels: dict[int, _Level] = {}
            for lvl in absnum.findall(_w("lvl")):
                levels[int(lvl.get(_w("ilvl"), "0"))] = self._level(lvl)
            self.levels[aid] = levels
        for num in numbering_element.findall(_w("num")):
            nid = num.get(_w("numId"))
            abs_el = num.find(_w("abstractNumId"))
            if nid is None or abs_el is None:
                continue
            overrides: dict[int, int] = {}
            for ov in num.findall(_w("lvlOverride")):
                start = ov.find(_w("startOverride"))
                ilvl = int(ov.get(_w("ilvl"), "0"))
                if start is not None:
                    overrides[ilvl] = int(start.get(_w("val"), "1"))
                lvl = ov.find(_w("lvl"))
                if lvl is not None:  # a whole level redefined for this list only
                    self.levels.setdefault(f"{nid}!", {})[ilvl] = self._level(lvl)
            self.nums[nid] = (abs_el.get(_w("val")), overrides)

    @staticmethod
    def _level(lvl: _Element) -> _Level:
        def val(tag: str, default: str | None = None) -> str | None:
            el = lvl.find(_w(tag))
            return el.get(_w("val"), default) if el is not None else default

        return {
            "start": int(val("start", "0") or 0),
            "fmt": val("numFmt", "decimal") or "decimal",
            "text": val("lvlText", "") or "",
            "legal": lvl.find(_w("isLgl")) is not None,
        }

    def _level_def(self, nid: str, aid: str, ilvl: int) -> _Level:
        own = self.levels.get(f"{nid}!", {})
        if ilvl in own:
            return own[ilvl]
        return self.levels.get(aid, {}).get(
            ilvl, {"start": 1, "fmt": "decimal", "text": "", "legal": False}
        )

    def label(self, nid: str, ilvl: int) -> str:
        if nid not in self.nums or nid == "0":
            return ""
        aid, overrides = self.nums[nid]
        level = self._level_def(nid, aid, ilvl)
        counters = self.counters.setdefault(aid, {})
        if ilvl in overrides and (nid, ilvl) not in self.applied:
            self.applied.add((nid, ilvl))
            counters[ilvl] = overrides[ilvl] - 1
        counters[ilvl] = counters.get(ilvl, level["start"] - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if level["fmt"] == "bullet":
            return "·"
        if level["fmt"] == "none":
            return ""

        def placeholder(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            lvl_k = self._level_def(nid, aid, k)
            value = counters.get(k, lvl_k["start"])
            fmt = "decimal" if level["legal"] else lvl_k["fmt"]
            return format_number(value, fmt)

        return re.sub(r"%([1-9])", placeholder, level["text"]).strip()


def _paragraph_numpr(
    paragraph: _Element, styles_numpr: dict[str, tuple[str, int]]
) -> tuple[str, int] | None:
    ppr = paragraph.find(_w("pPr"))
    if ppr is not None:
        numpr = ppr.find(_w("numPr"))
        if numpr is not None:
            nid_el = numpr.find(_w("numId"))
            ilvl_el = numpr.find(_w("ilvl"))
            if nid_el is not None:
                ilvl = int(ilvl_el.get(_w("val"), "0")) if ilvl_el is not None else 0
                return nid_el.get(_w("val")), ilvl
        style = ppr.find(_w("pStyle"))
        if style is not None and style.get(_w("val")) in styles_numpr:
            return styles_numpr[style.get(_w("val"))]
    return None


def _styles_numpr(document: DocxDocument) -> dict[str, tuple[str, int]]:
    """Paragraph styles that carry numbering ("List Number"), following basedOn."""
    out: dict[str, tuple[str, int]] = {}
    try:
        styles_el = document.styles.element
    except Exception:
        return out
    raw: dict[str, tuple[tuple[str, int] | None, str | None]] = {}
    for style in styles_el.findall(_w("style")):
        sid = style.get(_w("styleId"))
        ppr = style.find(_w("pPr"))
        numpr = ppr.find(_w("numPr")) if ppr is not None else None
        found = None
        if numpr is not None and numpr.find(_w("numId")) is not None:
            ilvl_el = numpr.find(_w("ilvl"))
            found = (
                numpr.find(_w("numId")).get(_w("val")),
                int(ilvl_el.get(_w("val"), "0")) if ilvl_el is not None else 0,
            )
        based = style.find(_w("basedOn"))
        raw[sid] = (found, based.get(_w("val")) if based is not None else None)
    for sid in raw:
        seen: set[str] = set()
        cur: str | None = sid
        while cur is not None and cur in raw and cur not in seen:
            seen.add(cur)
            found, based = raw[cur]
            if found is not None:
                out[sid] = found
                break
            cur = based
    return out


def _paragraph_text(p: _Element) -> str:
    parts: list[str] = []
    for el in p.iter():
        tag = el.tag
        if tag == _w("t") and el.text:
            parts.append(el.text)
        elif tag == _w("tab"):
            parts.append("\t")
        elif tag in (_w("br"), _w("cr")):
            parts.append("\n")
        elif tag == _w("noBreakHyphen"):
            parts.append("-")
    return "".join(parts)


def _docx(data: bytes) -> str:
    import docx  # python-docx; imported here so text-only use does not pay for it

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise DocumentError("documents.refused.docx_not_word", hint="supported") from exc
    try:
        numbering_el = document.part.numbering_part.element
    except Exception:  # no numbering part in this document
        numbering_el = None
    numbering = _Numbering(numbering_el)
    styles = _styles_numpr(document)
    lines: list[str] = []

    def paragraph(el: _Element) -> str:
        text = _paragraph_text(el)
        numpr = _paragraph_numpr(el, styles)
        label = numbering.label(*numpr) if numpr else ""
        return f"{label} {text.strip()}" if label and text.strip() else text

    def walk(parent: _Element) -> None:
        for el in parent:
            if el.tag == _w("p"):
                lines.append(paragraph(el))
            elif el.tag == _w("tbl"):
                for row in el.iter(_w("tr")):
                    lines.append(_table_row(row, paragraph))
            else:  # content controls and other wrappers hold paragraphs too
                walk(el)

    walk(document.element.body)
    return "\n".join(lines)


def _table_row(row: _Element, paragraph: Callable[[_Element], str]) -> str:
    """A table row as one line, its cells between ``|`` (``tables.flatten_tables`` reads
    them); a one-cell row is its text.  Cell by cell on separate lines, a row's number, text
    and term fell apart and the row was lost."""
    cells = [
        " ".join(" ".join(paragraph(p).split()) for p in cell.iter(_w("p"))).strip()
        for cell in row.findall(_w("tc"))
    ]
    if len(cells) < 2:
        return cells[0] if cells else ""
    return "| " + " | ".join(cells) + " |"


# --- pdf --------------------------------------------------------------------------------

_TERMINAL = ".;:!?»)"
_MARKER_RE = re.compile(r"^\s*(?:\d{1,3}[.)]|\d{1,3}\.\d|[а-яa-z]\)|[-–—·•●▪])")


def _join_pdf_lines(text: str) -> str:
    """PDF text comes in visual lines: re-join those that wrap inside a paragraph.

    A line continues the previous one when it starts in lowercase, or when the previous
    line ran to the full width of the page (it was wrapped) without ending a sentence;
    never when it starts with a list marker.
    """
    lines = [raw.rstrip() for raw in text.split("\n")]
    lengths = sorted(len(line) for line in lines if line.strip())
    full = lengths[int(len(lengths) * 0.9)] if lengths else 0
    out: list[str] = []
    for line in lines:
        prev = out[-1] if out else ""
        joinable = bool(prev) and bool(line.strip()) and not _MARKER_RE.match(line)
        wrapped = full >= 40 and len(prev) >= 0.75 * full and prev[-1:] not in ".;:!?"
        lower = line.lstrip()[:1].islower() and prev[-1:] not in _TERMINAL
        if joinable and (lower or wrapped):
            if prev.endswith("-") and not prev.endswith(" -") and line.lstrip()[:1].islower():
                out[-1] = prev[:-1] + line.lstrip()
            else:
                out[-1] = f"{prev} {line.lstrip()}"
        else:
            out.append(line)
    return "\n".join(out)


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                try:
                    reader.decrypt("")
                except Exception as exc:
                    raise DocumentError("documents.refused.pdf_locked", hint="supported") from exc
            pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except Exception as exc:
        raise DocumentError("documents.refused.pdf_damaged", hint="supported") from exc
    text = "\n".join(pages)
    if sum(ch.isalpha() for ch in text) < 20:
        raise DocumentError("documents.refused.pdf_scan")
    return _join_pdf_lines(text)


# --- entry point ------------------------------------------------------------------------

_TEXT_EXTENSIONS = frozenset({".txt", ".text", ".md", ".csv", ""})


def extract_text(data: bytes, filename: str) -> str:
    """The text of an uploaded resolution; ``DocumentError`` saying why if not."""
    return extract_text_report(data, filename)[0]


def extract_text_report(data: bytes, filename: str) -> tuple[str, list[str]]:
    """The text and the warnings about reading it (broken bytes); ``DocumentError`` if
    unreadable."""
    if not data or not data.strip():
        raise DocumentError("documents.refused.empty", hint="supported")
    if len(data) > _MAX_BYTES:
        raise DocumentError(
            "documents.refused.too_big", mb=_MAX_BYTES // (1024 * 1024), hint="supported"
        )
    ext = PurePath(filename or "").suffix.lower()
    if ext == ".doc" or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DocumentError("documents.refused.old_word")
    if ext in (".rtf", ".odt") or data.startswith(b"{\\rtf"):
        raise DocumentError("documents.refused.format", ext=ext or "RTF", hint="supported")
    is_zip = data.startswith(b"PK\x03\x04")
    is_pdf = data.lstrip()[:5] == b"%PDF-"
    if ext == ".docx" or (is_zip and ext in _TEXT_EXTENSIONS | {".docx"}):
        if not is_zip or not zipfile.is_zipfile(io.BytesIO(data)):
            raise DocumentError("documents.refused.docx_damaged", hint="supported")
        text = _docx(data)
    elif ext == ".pdf" or (is_pdf and ext in _TEXT_EXTENSIONS):
        if not is_pdf:
            raise DocumentError("documents.refused.not_pdf", hint="supported")
        text = _pdf(data)
    elif ext in _TEXT_EXTENSIONS:
        if data.startswith(b"MZ") or is_zip or is_pdf:
            raise DocumentError("documents.refused.not_text", hint="supported")
        text = _txt(data)
    else:
        raise DocumentError("documents.refused.format", ext=ext, hint="supported")
    if not text.strip():
        raise DocumentError("documents.refused.no_text", hint="supported")
    warning = broken_bytes_warning(text) if ext in _TEXT_EXTENSIONS else None
    return text, [warning] if warning else []

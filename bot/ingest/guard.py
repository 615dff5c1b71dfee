"""Hostile files: check an upload's shape, then extract and parse it in a child process.

The parent never unpacks anything.  A child ``python -m bot.ingest.guard`` reads a request line
(file name, limits) and the file from stdin, limits its own address space (RLIMIT_AS) and CPU
time, checks the archive (sizes declared in the zip directory, the number of parts, DTDs,
paragraphs; PDF encryption and pages), then extracts and parses and writes one JSON object to
stdout.  The parent waits with a time limit and kills the child on timeout or when it is
itself cancelled (SIGTERM), so no file can take the bot down or hold up a shutdown.  Every
refusal is a ``DocumentError``: a text key (``documents.refused.*``) for the coordinator.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import os
import re
import sys
import zipfile
from dataclasses import asdict, dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from bot.ingest.extract import DocumentError, Hint
from bot.ingest.model import ParsedDocument

if TYPE_CHECKING:
    from pypdf import PdfReader

log = logging.getLogger(__name__)

MB = 1024 * 1024


def _mb(size: int) -> int:
    return -(-size // MB)  # rounded up: 20.3 MB is "21 МБ", never "20 МБ (допустимо 20 МБ)"


@dataclass(frozen=True)
class ParseLimits:
    max_unpacked_bytes: int = 50 * MB  # all parts of a .docx together, as unpacked
    max_main_part_bytes: int = 20 * MB  # word/document.xml
    max_parts: int = 500  # entries in the .docx archive
    max_paragraphs: int = 20_000  # paragraphs of a .docx, lines of a .txt
    max_pdf_pages: int = 300
    memory_bytes: int = 1024 * MB  # address space of the parsing process
    timeout_seconds: float = 120.0  # wall clock for one file, start of the child included


# --- the checks (run in the child, before anything is unpacked in full) --------------------

MAIN_PART = "word/document.xml"
_DTD_RE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_PARAGRAPH_RE = re.compile(rb"<w:p[\s>/]")
_CHUNK = 1 << 20


def _n(number: int) -> str:
    """``100 000`` as Russian writes it."""
    return f"{number:,}".replace(",", "\u00a0")


@dataclass(frozen=True)
class _Archive:
    """A kind of Office file the bot opens: its refusals' keys and what to do if damaged."""

    name: str  # "docx" or "xlsx": the key in the tables below
    resave: Hint


_DOCX = _Archive("docx", "resave")
_XLSX = _Archive("xlsx", "resave_sheet")
# The refusals of _open_archive, by kind of file.
_DAMAGED = {"docx": "documents.refused.docx_damaged", "xlsx": "documents.refused.xlsx_damaged"}
_PARTS = {"docx": "documents.refused.docx_parts", "xlsx": "documents.refused.xlsx_parts"}
_UNPACKED = {
    "docx": "documents.refused.docx_unpacked",
    "xlsx": "documents.refused.xlsx_unpacked",
}


def _open_archive(
    data: bytes, limits: ParseLimits, kind: _Archive
) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """The archive and its entries, refused when the zip directory declares too many parts or
    too much unpacked data (nothing is unpacked to find out)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DocumentError(_DAMAGED[kind.name], hint=kind.resave) from exc
    if len(entries) > limits.max_parts:
        raise DocumentError(
            _PARTS[kind.name],
            parts=_n(len(entries)),
            limit=_n(limits.max_parts),
        )
    unpacked = sum(e.file_size for e in entries)
    if unpacked > limits.max_unpacked_bytes:
        raise DocumentError(
            _UNPACKED[kind.name],
            mb=_mb(unpacked),
            limit=limits.max_unpacked_bytes // MB,
        )
    return archive, entries


def check_docx(data: bytes, limits: ParseLimits) -> None:
    """Refuse a .docx that would unpack too big, has too many parts or paragraphs, or DTDs.

    The sizes come from the zip directory; ``zipfile`` never yields more than an entry
    declares (it stops and fails the CRC check), so the declared sizes bound the work.
    """
    archive, entries = _open_archive(data, limits, _DOCX)
    names = {e.filename: e for e in entries}
    main = names.get(MAIN_PART)
    if main is None:
        raise DocumentError("documents.refused.docx_no_body", hint="resave")
    if main.file_size > limits.max_main_part_bytes:
        raise DocumentError(
            "documents.refused.docx_main_part",
            mb=_mb(main.file_size),
            limit=limits.max_main_part_bytes // MB,
        )
    try:
        paragraphs = 0
        for entry in entries:
            if entry.filename.endswith((".xml", ".rels")):
                dtds, found = _scan(archive, entry)
                if dtds:
                    raise DocumentError("documents.refused.docx_dtd")
                if entry is main:
                    paragraphs = found
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise DocumentError("documents.refused.docx_unzip", hint="resave") from exc
    if paragraphs > limits.max_paragraphs:
        raise _too_many_paragraphs(paragraphs, limits)


def _too_many_paragraphs(n: int, limits: ParseLimits) -> DocumentError:
    return DocumentError(
        "documents.refused.paragraphs", paragraphs=_n(n), n=n, limit=_n(limits.max_paragraphs)
    )


def _scan(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> tuple[int, int]:
    """DTD markers and paragraph tags in a whole part, read in chunks (its declared size is
    already within the limits): a DOCTYPE can hide behind any amount of prolog."""
    counts = [0, 0]
    tail = b""
    with archive.open(entry) as part:
        while chunk := part.read(_CHUNK):
            block = tail + chunk
            # The last few bytes go round again for a tag split between chunks, so what they
            # hold is not counted in this round.
            tail = block[-10:]
            for i, pattern in enumerate((_DTD_RE, _PARAGRAPH_RE)):
                counts[i] += len(pattern.findall(block)) - len(pattern.findall(tail))
    return counts[0], counts[1]


def check_xlsx(data: bytes, limits: ParseLimits) -> None:
    """A spreadsheet sent back for a bulk update: the same archive limits as a .docx (parts,
    unpacked size from the zip directory, no DTDs) before openpyxl opens it."""
    archive, entries = _open_archive(data, limits, _XLSX)
    try:
        for entry in entries:
            if entry.filename.endswith((".xml", ".rels")) and _scan(archive, entry)[0]:
                raise DocumentError("documents.refused.xlsx_dtd")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise DocumentError("documents.refused.xlsx_unzip", hint="resave_sheet") from exc


def check_pdf(data: bytes, limits: ParseLimits) -> None:
    """A password-protected PDF says so; too many pages are refused before extracting."""
    import warnings

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not _opens_without_password(reader):
                raise DocumentError("documents.refused.pdf_password")
            pages = len(reader.pages)
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentError("documents.refused.pdf_damaged", hint="resave") from exc
    if pages > limits.max_pdf_pages:
        raise DocumentError(
            "documents.refused.pdf_pages", pages=_n(pages), n=pages, limit=_n(limits.max_pdf_pages)
        )


def _opens_without_password(reader: PdfReader) -> bool:
    try:
        return bool(reader.decrypt(""))
    except Exception:  # unsupported algorithm or no crypto library: we cannot open it
        return False


def check_text(text: str, limits: ParseLimits) -> None:
    lines = text.count("\n") + 1
    if lines > limits.max_paragraphs:
        raise _too_many_paragraphs(lines, limits)


def parse_checked(data: bytes, filename: str, limits: ParseLimits) -> ParsedDocument:
    """Check, extract, parse — in this process (the child does this)."""
    from bot.ingest.extract import extract_text
    from bot.ingest.parser import parse_resolution

    ext = PurePath(filename or "").suffix.lower()
    if data.startswith(b"PK\x03\x04") or ext == ".docx":
        check_docx(data, limits)
    elif data.lstrip()[:5] == b"%PDF-" or ext == ".pdf":
        check_pdf(data, limits)
    text = extract_text(data, filename)
    check_text(text, limits)
    return parse_resolution(text, filename)


# --- the parent side ------------------------------------------------------------------------


async def parse_upload(data: bytes, filename: str, limits: ParseLimits) -> ParsedDocument:
    """Parse an uploaded file in a child process within ``limits``; ``DocumentError`` if not."""
    from bot.importer import parsed_from_dict

    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.ingest.guard",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        start_new_session=True,  # a Ctrl+C in the terminal is the parent's to handle
    )
    try:
        # The request is the first line of stdin, not an argument: every local account can read
        # a command line, and the file name is the person's.
        request = json.dumps({"filename": filename, "limits": asdict(limits)}).encode() + b"\n"
        out, _ = await asyncio.wait_for(proc.communicate(request + data), limits.timeout_seconds)
    except TimeoutError:
        log.warning("parsing an upload: over %.0f s, child process killed", limits.timeout_seconds)
        raise DocumentError("documents.refused.timeout") from None
    finally:
        # Timeout, cancellation (shutdown) or done: the child never outlives the call.
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            with contextlib.suppress(Exception):
                await asyncio.shield(proc.wait())
    try:
        answer = json.loads(out.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        answer = None
    if not isinstance(answer, dict):
        # Killed (out of memory, RLIMIT_CPU) or failed before it could answer.
        log.warning("parsing an upload: the child process ended with %s", proc.returncode)
        if proc.returncode:
            raise DocumentError("documents.refused.exhausted")
        raise DocumentError("documents.refused.failed")
    if "error" in answer:
        raise DocumentError.from_dict(answer["error"])
    return parsed_from_dict(answer["parsed"])


def _limit_self(limits: ParseLimits) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    cpu = int(limits.timeout_seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def _child() -> int:
    request = json.loads(sys.stdin.buffer.readline())
    limits = ParseLimits(**request["limits"])
    data = sys.stdin.buffer.read()
    _limit_self(limits)
    try:
        parsed = parse_checked(data, request["filename"], limits)
        from bot.importer import parsed_to_dict

        answer: dict[str, Any] = {"parsed": parsed_to_dict(parsed)}
    except DocumentError as error:
        # The extractor calls a file it failed to open damaged, also when memory ran out.
        out_of_memory = isinstance(error.__cause__ or error.__context__, MemoryError)
        if out_of_memory:
            error = DocumentError("documents.refused.out_of_memory")
        answer = {"error": error.as_dict()}
    except MemoryError:
        answer = {"error": DocumentError("documents.refused.out_of_memory").as_dict()}
    except RecursionError:
        answer = {"error": DocumentError("documents.refused.too_deep").as_dict()}
    sys.stdout.write(json.dumps(answer, ensure_ascii=False))
    sys.stdout.flush()
    os._exit(0)  # no clean-up of a possibly huge heap


if __name__ == "__main__":
    raise SystemExit(_child())

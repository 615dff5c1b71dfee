"""Text flattened from a table: cells separated by ``|`` or tabs become one line per row.

"| 1 | Рекомендовать … | министерству … | до 1 апреля 2025 г. |" becomes
"1. Рекомендовать … министерству … Срок: до 1 апреля 2025 г."; a row whose number cell is
empty continues the row above cell by cell (a phrase broken across rows); the header row
("№ | Рекомендация | Адресат | Срок") is dropped.  Lines without cells pass unchanged.
A plan of measures names who acts in the nominative ("№ | Мероприятие | Ответственный |
Срок"): that cell becomes "Исполнитель: X." (``responsible_names`` reads it back); a cell
in the dative ("министерству …") stays as written, the parser reads it as a lead-in.
"""

from __future__ import annotations

import re

from bot.ingest.addressees import parse_groups

_HEADER_CELL_RE = re.compile(
    r"^(?:№(?:\s*п/п)?|n|рекомендаци|адресат|исполнител|ответственн|срок|содержание|наименование"
    r"|мероприяти|примечани|предложени)",
    re.IGNORECASE,
)
_TERM_HEADER_RE = re.compile(r"^срок", re.IGNORECASE)
_WHO_HEADER_RE = re.compile(r"^(?:адресат|исполнител|ответственн)", re.IGNORECASE)
_RESPONSIBLE_RE = re.compile(r"(?:^|\s)Исполнитель:\s*(?P<who>.+?)\.(?:\s|$)")
_NUMBER_CELL_RE = re.compile(r"^(\d{1,3})[.)]?$")


def _cells(raw: str) -> tuple[list[str], bool] | None:
    if raw.count("|") >= 2:
        parts = raw.strip().split("|")
        if parts and not parts[0].strip():
            parts = parts[1:]
        if parts and not parts[-1].strip():
            parts = parts[:-1]
        return [p.strip() for p in parts], True
    if "\t" in raw.strip("\t "):
        return [p.strip() for p in raw.strip().split("\t")], False
    return None


def _is_header(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return bool(filled) and all(len(c) < 40 and _HEADER_CELL_RE.match(c) for c in filled)


# «3. Рекомендовать органам местного самоуправления:» — a numbered lead-in for the table below.
_LEAD_IN_RE = re.compile(r"^\s*\d{1,3}(?:\.\d{1,3})*[.)]\s.*:\s*$")


def _names_in_nominative(cell: str, header_says_nominative: bool) -> bool:
    """ "Ответственный" / "Исполнитель" columns name bodies in the nominative ("Администрации
    районов" is then a plural, not a dative); an "Адресат" column usually in the dative."""
    if header_says_nominative:
        return parse_groups(cell, frozenset({"nomn"})) is not None
    return parse_groups(cell, frozenset({"datv"})) is None


def _render(cells: list[str], term_column: int | None, who_column: int | None = None,
            who_nominative: bool = False, sub_items: bool = False) -> str:  # fmt: skip
    parts = []
    for i, cell in enumerate(cells):
        if not cell:
            continue
        if i == term_column and i > 0:
            parts.append(f"Срок: {cell}")
        elif i == who_column and i > 0 and _names_in_nominative(cell, who_nominative):
            parts.append(f"Исполнитель: {cell.rstrip('.')}.")
        else:
            parts.append(cell)
    m = _NUMBER_CELL_RE.match(cells[0]) if cells else None
    if m and len(parts) > 1:
        # Under a numbered lead-in the rows are its sub-items (3.1, 3.2 …), as a dashed list.
        return ("— " if sub_items else f"{m.group(1)}. ") + " ".join(parts[1:])
    return " ".join(parts)


def flatten_tables(text: str) -> str:
    out: list[str] = []
    row: list[str] | None = None  # the last row written, for continuation rows
    term_column: int | None = None
    who_column: int | None = None
    who_nominative = False
    sub_items = False  # the table follows a numbered lead-in ending with a colon
    for raw in text.replace("\r\n", "\n").split("\n"):
        found = _cells(raw)
        if found is None:
            out.append(raw)
            row = None
            if raw.strip():
                sub_items = bool(_LEAD_IN_RE.match(raw))
            continue
        cells, piped = found
        if _is_header(cells):
            terms = [i for i, c in enumerate(cells) if _TERM_HEADER_RE.match(c)]
            term_column = terms[0] if terms else None
            whos = [i for i, c in enumerate(cells) if _WHO_HEADER_RE.match(c)]
            who_column = whos[0] if whos else None
            who_nominative = who_column is not None and not cells[who_column].lower().startswith(
                "адресат"
            )
            row = None
            continue
        if not any(cells):
            continue
        if piped and row is not None and not cells[0] and len(cells) <= len(row):
            for i, cell in enumerate(cells):
                if cell:
                    row[i] = f"{row[i]} {cell}".strip()
            out[-1] = _render(row, term_column, who_column, who_nominative, sub_items)
            continue
        row = cells if piped else None
        out.append(_render(cells, term_column, who_column, who_nominative, sub_items))
    return "\n".join(out)


def responsible_names(text: str) -> list[str]:
    """The bodies a flattened plan's row names after "Исполнитель:", one per name."""
    m = _RESPONSIBLE_RE.search(text)
    if m is None:
        return []
    parts = re.split(r",\s*(?=[А-ЯЁ])|;\s*|\s+и\s+(?=[А-ЯЁ])", m["who"])
    return [p.strip(" ,") for p in parts if len(p.strip(" ,")) > 2]

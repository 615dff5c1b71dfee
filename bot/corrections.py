"""A coordinator's corrections of a parsed resolution, as operations on the parse.

An operation is a small JSON-able dict.  It names what it touches by stable identity, never by
position: an item by its normalised text (then, for a reworded item, by its number); an
addressee by its name at the time of the operation.  Operations apply in order, so
"rename A → B" followed by "kind of B" still holds on the next parse of the same document:
that is how corrections survive a re-import.  Everything here is pure (no storage).
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import re
from typing import Any

from bot.errors import InvalidInput, NotFound, UserError
from bot.ingest.model import Deadline, ParsedDocument
from bot.ingest.parser import (
    NO_DATE_WARNING,
    NO_REGION_WARNING,
    UNADDRESSED_WARNING,
    drop_unused_addressees,
)
from bot.vocabulary import KINDS

NAME_LIMIT = 300
TITLE_LIMIT = 500


def normalise(text: str) -> str:
    return re.sub(r"[^0-9a-zа-я]+", " ", text.lower().replace("ё", "е")).strip()


SIMILAR = 0.6  # share of words in common for a reworded item to stay the same item


def match_items(old: list[tuple[str, str]], new: list[tuple[str, str]]) -> list[int | None]:
    """For each new (text, number), the index of the same old item or None.

    Identical text first (wherever the item moved), then the most similar wording, then the
    same number: an inserted item shifts the numbers of the rest without making them new.
    """
    if not old:
        return [None] * len(new)
    old_norm = [normalise(t) for t, _ in old]
    new_norm = [normalise(t) for t, _ in new]
    result: list[int | None] = [None] * len(new)
    free = set(range(len(old)))
    by_text: dict[str, list[int]] = {}
    for i, text in enumerate(old_norm):
        by_text.setdefault(text, []).append(i)
    for j, text in enumerate(new_norm):
        candidates = [i for i in by_text.get(text, ()) if i in free]
        if candidates:
            result[j] = candidates[0]
            free.discard(candidates[0])
    pairs = []
    for j, text in enumerate(new_norm):
        if result[j] is not None:
            continue
        words = text.split()
        for i in free:
            ratio = difflib.SequenceMatcher(None, old_norm[i].split(), words).ratio()
            if ratio >= SIMILAR:
                pairs.append((-ratio, j, i))
    for _, j, i in sorted(pairs):
        if result[j] is None and i in free:
            result[j] = i
            free.discard(i)
    by_number = {old[i][1]: i for i in free}
    for j, (_, number) in enumerate(new):
        same_number = by_number.get(number)
        if result[j] is None and same_number is not None and same_number in free:
            result[j] = same_number
            free.discard(same_number)
    return result


def item_key(parsed: ParsedDocument, index: int) -> dict[str, str]:
    item = parsed.recommendations[index]
    return {"text": normalise(item.text), "number": item.number}


def find_item(parsed: ParsedDocument, key: dict[str, str]) -> int | None:
    matches = match_items(
        [(key.get("text", ""), key.get("number", ""))],
        [(r.text, r.number) for r in parsed.recommendations],
    )
    return next((j for j, i in enumerate(matches) if i == 0), None)


def find_addressee(parsed: ParsedDocument, name: str | None) -> int | None:
    if not name:
        return None
    wanted = normalise(name)
    for i, addressee in enumerate(parsed.addressees):
        if normalise(addressee.canonical) == wanted:
            return i
    return None


def clean_name(text: str, limit: int = NAME_LIMIT) -> str:
    name = " ".join((text or "").split()).strip(" .,;:")
    if not name:
        raise InvalidInput("corrections.empty_name")
    if len(name) > limit:
        raise InvalidInput("corrections.name_too_long", limit=str(limit))
    return name[0].upper() + name[1:]


def _addressee(parsed: ParsedDocument, name: str | None) -> int:
    index = find_addressee(parsed, name)
    if index is None:
        raise NotFound("corrections.no_addressee", name=name or "")
    return index


def _item(parsed: ParsedDocument, key: dict[str, str] | None) -> int:
    index = find_item(parsed, key or {})
    if index is None:
        raise NotFound("corrections.no_item", number=(key or {}).get("number", ""))
    return index


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def apply_op(parsed: ParsedDocument, op: dict[str, Any]) -> None:
    """Apply one operation in place; raises a UserError when its target is not there."""
    kind = op.get("op")
    if kind == "rename":
        index = _addressee(parsed, op.get("addressee"))
        name = clean_name(op.get("name", ""))
        other = find_addressee(parsed, name)
        if other is not None and other != index:
            raise InvalidInput("corrections.name_taken", name=name)
        parsed.addressees[index].canonical = name
    elif kind == "kind":
        index = _addressee(parsed, op.get("addressee"))
        if op.get("kind") not in KINDS:
            raise InvalidInput("corrections.bad_kind")
        parsed.addressees[index].kind = op["kind"]
    elif kind == "merge":
        source = _addressee(parsed, op.get("addressee"))
        target = _addressee(parsed, op.get("into"))
        if source == target:
            raise InvalidInput("corrections.merge_self")
        _merge(parsed, source, target)
    elif kind == "move":
        index = _item(parsed, op.get("item"))
        to = op.get("to")
        parsed.recommendations[index].addressee_indices = (
            [] if to is None else [_addressee(parsed, to)]
        )
    elif kind == "drop":
        del parsed.recommendations[_item(parsed, op.get("item"))]
    elif kind == "deadline":
        item = parsed.recommendations[_item(parsed, op.get("item"))]
        day = _day(op.get("date"))
        item.deadline = Deadline(day, "day", op.get("phrase") or "") if day else None
    elif kind == "title":
        parsed.title = clean_name(op.get("value", ""), TITLE_LIMIT)
    elif kind == "date":
        parsed.date = _day(op.get("value"))
    elif kind == "region":
        old = parsed.region
        parsed.region = op.get("value")
        for addressee in parsed.addressees:
            if addressee.region in (None, old):
                addressee.region = parsed.region
    else:
        raise InvalidInput("corrections.unknown")


def _merge(parsed: ParsedDocument, source: int, target: int) -> None:
    for item in parsed.recommendations:
        indices = [target if i == source else i for i in item.addressee_indices]
        indices = list(dict.fromkeys(indices))
        item.addressee_indices = [i - 1 if i > source else i for i in indices]
    del parsed.addressees[source]


def apply_all(
    parsed: ParsedDocument, ops: list[dict[str, Any]], *, prune: bool = False
) -> tuple[ParsedDocument, list[dict[str, Any]]]:
    """A corrected copy (the parse itself when there is nothing to apply), and the operations
    that no longer find their target.

    ``prune``: an addressee whose items were all dropped or moved away goes, as the parser
    drops one (for a new document; a published one keeps it to merge its officials away)."""
    if not ops:
        return parsed, []
    corrected = copy.deepcopy(parsed)
    failed = []
    for op in ops:
        try:
            apply_op(corrected, op)
        except UserError:  # its target is gone, or it no longer applies
            failed.append(op)
    if prune:
        corrected.addressees = drop_unused_addressees(
            corrected.addressees, corrected.recommendations
        )
    corrected.warnings = [w for w in corrected.warnings if _still_holds(w, corrected)]
    return corrected, failed


def _still_holds(warning: str, parsed: ParsedDocument) -> bool:
    """A warning about what the coordinator has since fixed is not shown any more."""
    if warning == UNADDRESSED_WARNING:
        return any(not r.addressee_indices for r in parsed.recommendations)
    if warning == NO_DATE_WARNING:
        return parsed.date is None
    if warning == NO_REGION_WARNING:
        return parsed.region is None
    return True

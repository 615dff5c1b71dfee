"""Import of parsed resolutions into storage: create, update in place, or leave unchanged.

A document is the same document across versions when its normalised title, date and region
match (``document_key``).  Its recommendations keep their ids (and so their history) where an item
is the same: identical text, else the most similar wording, else the same number.  A change is
counted by content (text, deadline, addressees), never by position.  Items that disappear are
marked removed, never deleted.  The coordinators' corrections of a document are re-applied to
every new parse of it (``bot.corrections``), so a re-import keeps what they fixed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, is_dataclass
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import Any, Literal

from bot.access import AccessService, Action, Role, Target
from bot.clock import Clock
from bot.corrections import apply_all, match_items, normalise
from bot.errors import NotFound, PermissionDenied
from bot.ingest.extract import DocumentError
from bot.ingest.guard import ParseLimits, parse_upload
from bot.ingest.model import (
    Deadline,
    ParsedAddressee,
    ParsedDocument,
    ParsedRecommendation,
)
from bot.ingest.parser import parse_file
from storage.db import Database
from storage.documents import DocumentRepository, DocumentRow, RecommendationRow

Outcome = Literal["created", "updated", "unchanged"]


@dataclass
class ImportResult:
    document_id: int
    outcome: Outcome
    addressee_ids: list[int]
    recommendation_ids: list[int]
    added: int = 0
    changed: int = 0
    removed: int = 0
    # the parse with the coordinators' corrections applied: what ids above belong to
    parsed: ParsedDocument | None = field(default=None, repr=False)


@dataclass
class DraftPreview:
    draft_id: int
    parsed: ParsedDocument  # with the corrections applied
    existing_document_id: int | None
    unchanged: bool
    version: int = 0  # how many corrections the draft has: stale buttons are refused
    changes: Changes | None = None  # what a new version changes in the published document
    failed: list[dict[str, Any]] = field(default_factory=list)  # corrections that no longer apply
    inherited: int = 0  # corrections of the published document re-applied to this parse


def document_key(parsed: ParsedDocument) -> str:
    """The same document across versions: title, date and region (two regions' resolutions
    with a generic title and the same date stay apart, and neither can overwrite the other)."""
    adopted = parsed.date.isoformat() if parsed.date else "undated"
    return f"{normalise(parsed.title)[:300]}|{adopted}|{parsed.region or '-'}"


def _plain(value: Any) -> Any:
    """``value`` as ``json.loads(json.dumps(value, default=str))`` gives it back, without
    the text in between: a dataclass as its fields (what ``asdict`` gives), a tuple as a
    list, a string kind as a plain ``str``, anything else ``json`` does not know (dates) as
    ``str``."""
    if value is None or type(value) in _JSON_SCALARS:
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    names = _FIELD_NAMES.get(type(value))
    if names is None and is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES[type(value)] = tuple(f.name for f in dataclass_fields(value))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, dict) and all(type(k) is str for k in value):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, str | int | float | dict):  # str and int kinds, keys json rewrites
        return json.loads(json.dumps(value, default=str))
    return str(value)


_JSON_SCALARS = frozenset({str, int, float, bool})
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}  # a dataclass's field names, read once per class


def parsed_to_dict(parsed: ParsedDocument) -> dict[str, Any]:
    data: dict[str, Any] = _plain(parsed)
    return data


def parsed_from_dict(data: dict[str, Any]) -> ParsedDocument:
    def day(value: str | None) -> dt.date | None:
        return dt.date.fromisoformat(value) if value else None

    recommendations = []
    for item in data["recommendations"]:
        deadline = item.get("deadline")
        recommendations.append(
            ParsedRecommendation(
                number=item["number"],
                text=item["text"],
                addressee_indices=list(item["addressee_indices"]),
                deadline=Deadline(
                    date=dt.date.fromisoformat(deadline["date"]),
                    precision=deadline["precision"],
                    phrase=deadline["phrase"],
                    kind=deadline.get("kind", "once"),
                    note=deadline.get("note", ""),
                    period=deadline.get("period"),
                )
                if deadline
                else None,
                mentions=list(item["mentions"]),
                without_addressee=bool(item.get("without_addressee", False)),
            )
        )
    return ParsedDocument(
        source=data["source"],
        title=data["title"],
        date=day(data["date"]),
        place=data["place"],
        region=data["region"],
        addressees=[ParsedAddressee(**a) for a in data["addressees"]],
        recommendations=recommendations,
        warnings=list(data["warnings"]),
        recipients=list(data.get("recipients", [])),
        scope=data.get("scope"),
        mojibake=bool(data.get("mojibake", False)),
    )


def _assign_region(parsed: ParsedDocument, region: str) -> None:
    parsed.region = region
    for addressee in parsed.addressees:
        addressee.region = addressee.region or region


def content_hash(parsed: ParsedDocument) -> str:
    """Hash of what was understood, not of the bytes: the same text as .txt or .docx is equal."""
    return _digest(parsed_to_dict(parsed))


def _digest(data: dict[str, Any]) -> str:
    """``content_hash`` of a parse already made plain (``parsed_to_dict``)."""
    understood = {k: v for k, v in data.items() if k != "source"}
    return hashlib.sha256(json.dumps(understood, sort_keys=True).encode()).hexdigest()


def document_json(parsed: ParsedDocument, result: ImportResult | None = None) -> dict[str, Any]:
    """The ``--json`` shape of ``python -m bot import``; ids are database ids after an import,
    positions (from 1) in a dry run."""
    addressee_ids = result.addressee_ids if result else list(range(1, len(parsed.addressees) + 1))
    rec_ids = (
        result.recommendation_ids if result else list(range(1, len(parsed.recommendations) + 1))
    )
    return {
        "source": parsed.source,
        "title": parsed.title,
        "date": parsed.date.isoformat() if parsed.date else None,
        "place": parsed.place,
        "region": parsed.region,
        "addressees": [
            {
                "id": addressee_ids[i],
                "name": a.name,
                "canonical": a.canonical,
                "kind": a.kind,
                "region": a.region,
            }
            for i, a in enumerate(parsed.addressees)
        ],
        "recommendations": [
            {
                "id": rec_ids[i],
                "number": r.number,
                "addressee_ids": [addressee_ids[j] for j in r.addressee_indices],
                "text": r.text,
                "deadline": {
                    "date": r.deadline.date.isoformat(),
                    "precision": r.deadline.precision,
                    "phrase": r.deadline.phrase,
                    "kind": r.deadline.kind,
                    "note": r.deadline.note,
                }
                if r.deadline
                else None,
                "mentions": list(r.mentions),
            }
            for i, r in enumerate(parsed.recommendations)
        ],
        "warnings": list(parsed.warnings),
        "recipients": list(parsed.recipients),
        **({"document_id": result.document_id, "outcome": result.outcome} if result else {}),
    }


def _recommendation_fields(position: int, item: ParsedRecommendation) -> dict[str, Any]:
    deadline = item.deadline
    return {
        "position": position,
        "number": item.number,
        "text": item.text,
        "deadline": deadline.date.isoformat() if deadline else None,
        "deadline_precision": deadline.precision if deadline else None,
        "deadline_phrase": deadline.phrase if deadline else None,
        "deadline_kind": deadline.kind if deadline else "once",
        "deadline_note": (deadline.note or None) if deadline else None,
        "deadline_period": deadline.period if deadline else None,
        "mentions": list(item.mentions),
    }


@dataclass
class ItemPlan:
    position: int
    item: ParsedRecommendation
    match: RecommendationRow | None
    changed: bool  # the same item with other content (text, deadline, addressees)


@dataclass
class Changes:
    added: list[str]
    changed: list[str]
    removed: list[str]


@dataclass
class Prepared:
    existing: DocumentRow | None
    inherited: list[dict[str, Any]]  # corrections already made to the published document
    corrected: ParsedDocument
    failed: list[dict[str, Any]]  # corrections whose target this parse no longer has


_DEADLINE_FIELDS = (
    "deadline",
    "deadline_precision",
    "deadline_phrase",
    "deadline_kind",
    "deadline_note",
    "deadline_period",
)

# What makes an item "changed" in a new version (never its place).
CONTENT_FIELDS = ("text", *_DEADLINE_FIELDS)


def plan_items(
    old: list[RecommendationRow],
    links: dict[int, frozenset[str]],
    parsed: ParsedDocument,
) -> tuple[list[ItemPlan], list[RecommendationRow]]:
    """Match a parse's items to stored ones: first by identical text, then by the same number
    (a corrected wording).  An item counts as changed by its content, never by its place."""
    matches = match_items(
        [(r.text, r.number) for r in old], [(r.text, r.number) for r in parsed.recommendations]
    )
    used: set[int] = set()
    plans = []
    for position, item in enumerate(parsed.recommendations):
        fields = _recommendation_fields(position, item)
        index = matches[position]
        if index is None:
            plans.append(ItemPlan(position, item, None, False))
            continue
        match = old[index]
        used.add(match.id)
        compared = CONTENT_FIELDS[:1] if match.deadline_source == "coordinator" else CONTENT_FIELDS
        names = frozenset(normalise(parsed.addressees[i].canonical) for i in item.addressee_indices)
        changed = (
            match.removed
            or any(getattr(match, k) != fields[k] for k in compared)
            or links.get(match.id, frozenset()) != names
        )
        plans.append(ItemPlan(position, item, match, changed))
    removed = [r for r in old if r.id not in used and not r.removed]
    return plans, removed


class ImportService:
    def __init__(
        self,
        db: Database,
        documents: DocumentRepository,
        access: AccessService,
        clock: Clock,
        max_bytes: int,
        parse_limits: ParseLimits | None = None,
    ) -> None:
        self.db = db
        self.documents = documents
        self.access = access
        self.clock = clock
        self.max_bytes = max_bytes
        self.parse_limits = parse_limits or ParseLimits()
        self.after_import: list[
            Callable[[int], Awaitable[None]]
        ] = []  # async callables(document_id), run inside the import's transaction: the index

    async def prepare(
        self,
        parsed: ParsedDocument,
        ops: Sequence[dict[str, Any]] = (),
        document_id: int | None = None,
    ) -> Prepared:
        """Find the document this parse is a version of and apply its corrections, then
        ``ops``.  Found by the parser's own key first, so a corrected title, date or region
        does not make a re-upload of the same file a different document."""
        key = document_key(parsed)
        if document_id is not None:
            existing = await self.documents.get(document_id)
        else:
            existing = await self.documents.version_of(key)
        inherited = await self.documents.corrections(existing.id) if existing else []
        corrected, failed = apply_all(parsed, [*inherited, *ops], prune=existing is None)
        if existing is None and (document_id is not None or document_key(corrected) != key):
            existing = await self.documents.by_key(document_key(corrected))
        return Prepared(existing, inherited, corrected, failed)

    async def changes(self, prepared: Prepared) -> Changes | None:
        """What a new version changes in its published document (None for a new document)."""
        if prepared.existing is None:
            return None
        plans, removed = await self.plan(prepared.existing.id, prepared.corrected)
        return Changes(
            added=[p.item.number for p in plans if p.match is None],
            changed=[p.item.number for p in plans if p.changed],
            removed=[r.number for r in removed],
        )

    async def import_document(
        self,
        parsed: ParsedDocument,
        imported_by: int | None = None,
        *,
        ops: Sequence[dict[str, Any]] = (),
        actor_role: str = Role.COORDINATOR,
        document_id: int | None = None,
    ) -> ImportResult:
        """Import a parse (as the parser gave it) with the corrections already made to its
        document and the new ``ops``, which are recorded in the document's history."""
        now = self.clock.iso()
        async with self.db.transaction():
            prepared = await self.prepare(parsed, ops, document_id)
            corrected = prepared.corrected
            existing = prepared.existing
            data = parsed_to_dict(parsed)
            raw = json.dumps(data, ensure_ascii=False)
            # Nothing to apply: the corrected parse is the parse itself, converted once.
            digest = _digest(data) if corrected is parsed else content_hash(corrected)
            if existing is not None and existing.content_hash == digest and not ops:
                await self.documents.save_parse(existing.id, document_key(parsed), raw, now)
                result = await self._unchanged(existing.id, corrected)
                result.parsed = corrected
                return result
            fields = {
                "source": corrected.source,
                "content_hash": digest,
                "title": corrected.title,
                "adopted_on": corrected.date.isoformat() if corrected.date else None,
                "place": corrected.place,
                "region": corrected.region,
                "warnings": list(corrected.warnings),
                "recipients": list(corrected.recipients),
            }
            if existing is None:
                document_id = await self.documents.insert(
                    {"doc_key": document_key(corrected), "imported_by": imported_by, **fields},
                    now,
                )
                outcome: Outcome = "created"
            else:
                document_id = existing.id
                await self.documents.update(document_id, fields, now)
                outcome = "updated"
            await self._rename_in_place(document_id, ops)
            stored = await self.documents.upsert_addressees(
                document_id,
                [
                    (i, a.name, a.canonical, a.kind, a.region)
                    for i, a in enumerate(corrected.addressees)
                ],
            )
            addressee_ids = [stored[a.canonical] for a in corrected.addressees]
            result = await self._sync_recommendations(
                document_id, corrected, addressee_ids, now, new=existing is None
            )
            result.outcome = outcome
            result.parsed = corrected
            await self._merge_bindings(document_id, ops)
            for op in ops:
                await self.documents.add_correction(document_id, imported_by, actor_role, op, now)
            await self.documents.save_parse(document_id, document_key(parsed), raw, now)
            # In the same transaction: the document and its index rows commit together.
            for hook in self.after_import:
                await hook(document_id)
        return result

    async def _rename_in_place(self, document_id: int, ops: Sequence[dict[str, Any]]) -> None:
        """A renamed addressee keeps its row, so its officials and invites stay with it."""
        for op in ops:
            if op.get("op") != "rename":
                continue
            row = await self.documents.addressee_by_canonical(document_id, op["addressee"])
            taken = await self.documents.addressee_by_canonical(document_id, op["name"])
            if row is not None and taken is None:
                await self.documents.rename_addressee(row.id, op["name"])

    async def _merge_bindings(self, document_id: int, ops: Sequence[dict[str, Any]]) -> None:
        for op in ops:
            if op.get("op") != "merge":
                continue
            source = await self.documents.addressee_by_canonical(document_id, op["addressee"])
            target = await self.documents.addressee_by_canonical(document_id, op["into"])
            if source is not None and target is not None:
                await self.documents.move_bindings(source.id, target.id)

    async def _unchanged(self, document_id: int, parsed: ParsedDocument) -> ImportResult:
        addressees = await self.documents.addressees(document_id)
        by_canonical = {a.canonical: a.id for a in addressees}
        recommendations = await self.documents.recommendations(document_id)
        return ImportResult(
            document_id=document_id,
            outcome="unchanged",
            addressee_ids=[by_canonical[a.canonical] for a in parsed.addressees],
            recommendation_ids=[r.id for r in recommendations],
        )

    async def plan(
        self, document_id: int, parsed: ParsedDocument
    ) -> tuple[list[ItemPlan], list[RecommendationRow]]:
        old = await self.documents.recommendations(document_id, include_removed=True)
        names = {a.id: normalise(a.canonical) for a in await self.documents.addressees(document_id)}
        links = {
            rec_id: frozenset(names[a] for a in ids)
            for rec_id, ids in (
                await self.documents.addressee_ids_by_recommendation(document_id)
            ).items()
        }
        return plan_items(old, links, parsed)

    async def _sync_recommendations(
        self,
        document_id: int,
        parsed: ParsedDocument,
        addressee_ids: list[int],
        now: str,
        *,
        new: bool = False,
    ) -> ImportResult:
        # A document created just now has no items to match: nothing to read.
        plans, removed = plan_items([], {}, parsed) if new else await self.plan(document_id, parsed)
        result = ImportResult(document_id, "created", addressee_ids, [])
        updates: list[tuple[int, dict[str, Any]]] = []
        new_items: list[dict[str, Any]] = []
        for plan in plans:
            fields = _recommendation_fields(plan.position, plan.item)
            match = plan.match
            if match is None:
                new_items.append(fields)
                result.added += 1
                continue
            if match.deadline_source == "coordinator":
                # A deadline set by hand outranks what a new version of the text says.
                for key in _DEADLINE_FIELDS:
                    fields.pop(key)
            changed = {k: v for k, v in fields.items() if getattr(match, k) != v}
            if match.removed:
                changed["removed"] = 0
            if changed:
                updates.append((match.id, changed))
            result.changed += plan.changed
        updates += [(row.id, {"removed": 1}) for row in removed]
        result.removed = len(removed)
        await self.documents.update_recommendations(updates, now)
        inserted = iter(await self.documents.insert_recommendations(document_id, new_items, now))
        links: dict[int, list[int]] = {}
        for plan in plans:
            rec_id = plan.match.id if plan.match is not None else next(inserted)
            links[rec_id] = [addressee_ids[i] for i in plan.item.addressee_indices]
            result.recommendation_ids.append(rec_id)
        await self.documents.set_addressees_of(links)
        return result

    # chat upload: stage a draft, correct it, then publish or cancel
    async def stage_upload(self, user_id: int, data: bytes, filename: str) -> DraftPreview:
        roles = await self.access.require(user_id, Action.IMPORT_DOCUMENT)
        if len(data) > self.max_bytes:
            raise DocumentError(
                "documents.refused.upload_too_big", mb=self.max_bytes // (1024 * 1024)
            )
        # In a child process with memory and time limits: a hostile file cannot hurt the bot.
        parsed = await parse_upload(data, filename, self.parse_limits)
        if parsed.region is None and len(roles.coordinator_regions) == 1:
            # A coordinator's document without a recognisable region belongs to their region.
            _assign_region(parsed, next(iter(roles.coordinator_regions)))
        prepared = await self.prepare(parsed)
        region = prepared.corrected.region
        if not roles.coordinates(region) and region is not None:
            # Said at once, before a preview this coordinator could not publish.
            raise PermissionDenied(
                "documents.other_region",
                region=region,
                mine=", ".join(sorted(roles.coordinator_regions)),
            )
        draft_id = await self.documents.save_draft(
            user_id,
            filename,
            content_hash(parsed),
            json.dumps(parsed_to_dict(parsed), ensure_ascii=False),
            self.clock.iso(),
        )
        return await self._preview(draft_id, parsed, [], prepared)

    async def load_draft(
        self, user_id: int, draft_id: int
    ) -> tuple[ParsedDocument, list[dict[str, Any]]]:
        """The parse and the draft's own corrections; NotFound when published or cancelled."""
        await self.access.require_role(user_id, Action.IMPORT_DOCUMENT)  # before the lookup
        draft = await self.documents.get_draft(draft_id)
        if draft is None:
            raise NotFound("documents.draft_gone")
        if draft["uploader_id"] != user_id:
            raise PermissionDenied("access.not_your_draft")
        return parsed_from_dict(json.loads(draft["parsed"])), json.loads(draft["corrections"])

    async def draft_preview(self, user_id: int, draft_id: int) -> DraftPreview:
        parsed, ops = await self.load_draft(user_id, draft_id)
        return await self._preview(draft_id, parsed, ops, await self.prepare(parsed, ops))

    async def _preview(
        self, draft_id: int, parsed: ParsedDocument, ops: list[dict[str, Any]], prepared: Prepared
    ) -> DraftPreview:
        existing = prepared.existing
        unchanged = existing is not None and existing.content_hash == content_hash(
            prepared.corrected
        )
        return DraftPreview(
            draft_id=draft_id,
            parsed=prepared.corrected,
            existing_document_id=existing.id if existing else None,
            unchanged=unchanged,
            version=len(ops),
            changes=None if unchanged else await self.changes(prepared),
            failed=prepared.failed,
            inherited=len(prepared.inherited),
        )

    async def publish_draft(self, user_id: int, draft_id: int) -> ImportResult | None:
        """Returns None when the draft is gone (already published or cancelled)."""
        try:
            parsed, ops = await self.load_draft(user_id, draft_id)
        except NotFound:
            return None
        corrected = (await self.prepare(parsed, ops)).corrected
        if corrected.mojibake:
            # Garbled text is never published, whatever button is pressed.
            if corrected.warnings:  # what the parser noticed: the text is garbled
                raise DocumentError("documents.refused.garbled", warning=corrected.warnings[0])
            raise DocumentError("documents.mojibake_hint")
        roles = await self.access.require(user_id, Action.IMPORT_DOCUMENT, region=corrected.region)
        if corrected.region is None and not roles.is_admin:
            raise PermissionDenied("access.region_unknown")
        result = await self.import_document(
            parsed,
            imported_by=user_id,
            ops=ops,
            actor_role=roles.role_for(Target(region=corrected.region)),
        )
        await self.documents.delete_draft(draft_id)
        return result

    async def cancel_draft(self, user_id: int, draft_id: int) -> bool:
        try:
            await self.load_draft(user_id, draft_id)
        except NotFound:
            return False
        return await self.documents.delete_draft(draft_id)

    async def import_directory(self, directory: Path) -> list[ImportResult]:
        results = []
        for path in await asyncio.to_thread(_files_in, directory):
            parsed = await asyncio.to_thread(parse_path, path)
            results.append(await self.import_document(parsed))
        return results


def _files_in(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.is_file() and not p.name.startswith("."))


def parse_path(path: Path) -> ParsedDocument:
    return parse_file(path.read_bytes(), path.name)

"""Import of parsed resolutions into storage: create, update in place, or leave unchanged.

A document is the same document across versions when its normalised title, date and region
match (``document_key``).  Its recommendations keep their ids (and so their history) where an item
is the same: first matched by identical text, then by the same number (a corrected wording).
Items that disappear are marked removed, never deleted.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from bot.access import AccessService, Action, PermissionDenied
from bot.clock import Clock
from bot.ingest.extract import DocumentError
from bot.ingest.model import (
    Deadline,
    ParsedAddressee,
    ParsedDocument,
    ParsedRecommendation,
)
from bot.ingest.parser import parse_file
from storage.db import Database
from storage.documents import DocumentRepository

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


@dataclass
class DraftPreview:
    draft_id: int
    parsed: ParsedDocument
    existing_document_id: int | None
    unchanged: bool


def _normalise(text: str) -> str:
    return re.sub(r"[^0-9a-zа-я]+", " ", text.lower().replace("ё", "е")).strip()


def document_key(parsed: ParsedDocument) -> str:
    """The same document across versions: title, date and region (two regions' resolutions
    with a generic title and the same date stay apart, and neither can overwrite the other)."""
    adopted = parsed.date.isoformat() if parsed.date else "undated"
    return f"{_normalise(parsed.title)[:300]}|{adopted}|{parsed.region or '-'}"


def parsed_to_dict(parsed: ParsedDocument) -> dict[str, Any]:
    return json.loads(json.dumps(asdict(parsed), default=str, ensure_ascii=False))


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
                    date=day(deadline["date"]),
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
    data = parsed_to_dict(parsed)
    data.pop("source", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


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


_DEADLINE_FIELDS = (
    "deadline",
    "deadline_precision",
    "deadline_phrase",
    "deadline_kind",
    "deadline_note",
    "deadline_period",
)


class ImportService:
    def __init__(
        self,
        db: Database,
        documents: DocumentRepository,
        access: AccessService,
        clock: Clock,
        max_bytes: int,
    ) -> None:
        self.db = db
        self.documents = documents
        self.access = access
        self.clock = clock
        self.max_bytes = max_bytes
        self.after_import: list = []  # async callables(document_id): e.g. the search index

    async def import_document(
        self, parsed: ParsedDocument, imported_by: int | None = None
    ) -> ImportResult:
        now = self.clock.iso()
        digest = content_hash(parsed)
        fields = {
            "source": parsed.source,
            "content_hash": digest,
            "title": parsed.title,
            "adopted_on": parsed.date.isoformat() if parsed.date else None,
            "place": parsed.place,
            "region": parsed.region,
            "warnings": list(parsed.warnings),
            "recipients": list(parsed.recipients),
        }
        async with self.db.transaction():
            existing = await self.documents.by_key(document_key(parsed))
            if existing is not None and existing.content_hash == digest:
                return await self._unchanged(existing.id, parsed)
            if existing is None:
                document_id = await self.documents.insert(
                    {"doc_key": document_key(parsed), "imported_by": imported_by, **fields}, now
                )
                outcome: Outcome = "created"
            else:
                document_id = existing.id
                await self.documents.update(document_id, fields, now)
                outcome = "updated"
            addressee_ids = [
                await self.documents.upsert_addressee(
                    document_id, i, a.name, a.canonical, a.kind, a.region
                )
                for i, a in enumerate(parsed.addressees)
            ]
            result = await self._sync_recommendations(document_id, parsed, addressee_ids, now)
            result.outcome = outcome
        for hook in self.after_import:
            await hook(document_id)
        return result

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

    async def _sync_recommendations(
        self,
        document_id: int,
        parsed: ParsedDocument,
        addressee_ids: list[int],
        now: str,
    ) -> ImportResult:
        old = await self.documents.recommendations(document_id, include_removed=True)
        by_text = {_normalise(r.text): r for r in old}
        by_number = {r.number: r for r in old}
        used: set[int] = set()
        result = ImportResult(document_id, "created", addressee_ids, [])
        for position, item in enumerate(parsed.recommendations):
            fields = _recommendation_fields(position, item)
            match = by_text.get(_normalise(item.text))
            if match is None or match.id in used:
                match = by_number.get(item.number)
            if match is not None and match.id not in used:
                used.add(match.id)
                if match.deadline_source == "coordinator":
                    # A deadline set by hand outranks what a new version of the text says.
                    for key in _DEADLINE_FIELDS:
                        fields.pop(key)
                changes = {k: v for k, v in fields.items() if getattr(match, k) != v}
                if match.removed:
                    changes["removed"] = 0
                if changes:
                    await self.documents.update_recommendation(match.id, changes, now)
                    result.changed += 1
                rec_id = match.id
            else:
                rec_id = await self.documents.insert_recommendation(document_id, fields, now)
                result.added += 1
            await self.documents.set_recommendation_addressees(
                rec_id, [addressee_ids[i] for i in item.addressee_indices]
            )
            result.recommendation_ids.append(rec_id)
        for row in old:
            if row.id not in used and not row.removed:
                await self.documents.update_recommendation(row.id, {"removed": 1}, now)
                result.removed += 1
        return result

    # chat upload: stage a draft, then publish or cancel
    async def stage_upload(self, user_id: int, data: bytes, filename: str) -> DraftPreview:
        roles = await self.access.require(user_id, Action.IMPORT_DOCUMENT)
        if len(data) > self.max_bytes:
            raise DocumentError(
                f"Файл больше {self.max_bytes // (1024 * 1024)} МБ — пришлите файл поменьше."
            )
        # Parsing is CPU work (morphology): keep the event loop free for other users.
        parsed = await asyncio.to_thread(parse_file, data, filename)
        if parsed.region is None and len(roles.coordinator_regions) == 1:
            # A coordinator's document without a recognisable region belongs to their region.
            _assign_region(parsed, next(iter(roles.coordinator_regions)))
        existing = await self.documents.by_key(document_key(parsed))
        digest = content_hash(parsed)
        draft_id = await self.documents.save_draft(
            user_id,
            filename,
            digest,
            json.dumps(parsed_to_dict(parsed), ensure_ascii=False),
            self.clock.iso(),
        )
        return DraftPreview(
            draft_id=draft_id,
            parsed=parsed,
            existing_document_id=existing.id if existing else None,
            unchanged=existing is not None and existing.content_hash == digest,
        )

    async def publish_draft(self, user_id: int, draft_id: int) -> ImportResult | None:
        """Returns None when the draft is gone (already published or cancelled)."""
        draft = await self.documents.get_draft(draft_id)
        if draft is None:
            return None
        if draft["uploader_id"] != user_id:
            raise PermissionDenied("access.not_your_draft")
        parsed = parsed_from_dict(json.loads(draft["parsed"]))
        if parsed.mojibake:
            # Garbled text is never published, whatever button is pressed.
            raise DocumentError(parsed.warnings[0] if parsed.warnings else "mojibake")
        roles = await self.access.require(user_id, Action.IMPORT_DOCUMENT, region=parsed.region)
        if parsed.region is None and not roles.is_admin:
            raise PermissionDenied("access.region_unknown")
        result = await self.import_document(parsed, imported_by=user_id)
        await self.documents.delete_draft(draft_id)
        return result

    async def cancel_draft(self, user_id: int, draft_id: int) -> bool:
        draft = await self.documents.get_draft(draft_id)
        if draft is None:
            return False
        if draft["uploader_id"] != user_id:
            raise PermissionDenied("access.not_your_draft")
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

"""Coordinators correct a parsed resolution: in its draft before publishing, or once published.

The handler works with positions in the view it showed (the n-th addressee, the n-th item);
this service turns them into stable identities (``bot.corrections``), checks the permission on
the document's region, and stores the operation: in the draft, or in the published document's
append-only correction history, re-applied on every re-import.  A view carries a version (how
many corrections it reflects) so a button pressed on an outdated view is refused.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from bot.access import AccessService, Action, Target
from bot.corrections import (
    apply_op,
    clean_name,
    item_key,
)
from bot.errors import InvalidInput, NotFound, Stale
from bot.importer import Changes, ImportService, parsed_from_dict
from bot.ingest.model import (
    Deadline,
    ParsedAddressee,
    ParsedDocument,
    ParsedRecommendation,
    deadline_kind_of,
    precision_of,
)
from bot.regions import region_by_name
from bot.reporting import ReportingService
from bot.vocabulary import KINDS
from storage.documents import DocumentRepository, DocumentRow

RefKind = Literal["draft", "doc"]


@dataclass(frozen=True)
class Ref:
    kind: RefKind
    id: int


@dataclass
class CorrectionView:
    ref: Ref
    parsed: ParsedDocument  # corrected
    version: int
    existing_document_id: int | None = None
    unchanged: bool = False
    changes: Changes | None = None
    failed: list[dict[str, Any]] = field(default_factory=list)
    inherited: int = 0
    log: list[dict[str, Any]] = field(default_factory=list)  # published: the latest corrections

    @property
    def published(self) -> bool:
        return self.ref.kind == "doc"

    @property
    def counts(self) -> Counter[int]:
        return Counter(i for r in self.parsed.recommendations for i in r.addressee_indices)

    @property
    def unaddressed(self) -> list[int]:
        return [i for i, r in enumerate(self.parsed.recommendations) if not r.addressee_indices]

    @property
    def with_deadline(self) -> list[int]:
        return [i for i, r in enumerate(self.parsed.recommendations) if r.deadline]


@dataclass
class _State:
    raw: ParsedDocument
    ops: list[dict[str, Any]]  # a draft's own corrections
    corrected: ParsedDocument
    version: int
    document: DocumentRow | None


_Item = TypeVar("_Item")


def _at(items: list[_Item], index: int) -> _Item:
    if not 0 <= index < len(items):
        raise Stale("corrections.stale")
    return items[index]


class CorrectionService:
    def __init__(
        self,
        importer: ImportService,
        documents: DocumentRepository,
        access: AccessService,
        reporting: ReportingService,
    ) -> None:
        self.importer = importer
        self.documents = documents
        self.access = access
        self.reporting = reporting

    # reading
    async def view(self, actor_id: int, ref: Ref) -> CorrectionView:
        await self.access.require_role(actor_id, Action.CORRECT_DOCUMENT)  # before any lookup
        if ref.kind == "draft":
            preview = await self.importer.draft_preview(actor_id, ref.id)
            await self._require(actor_id, ref, preview.parsed.region)
            return CorrectionView(
                ref=ref,
                parsed=preview.parsed,
                version=preview.version,
                existing_document_id=preview.existing_document_id,
                unchanged=preview.unchanged,
                changes=preview.changes,
                failed=preview.failed,
                inherited=preview.inherited,
            )
        state = await self._state(actor_id, ref)
        return CorrectionView(
            ref=ref,
            parsed=state.corrected,
            version=state.version,
            existing_document_id=ref.id,
            log=await self.documents.correction_log(ref.id, 5),
        )

    async def _state(self, actor_id: int, ref: Ref) -> _State:
        await self.access.require_role(actor_id, Action.CORRECT_DOCUMENT)  # before any lookup
        if ref.kind == "draft":
            raw, ops = await self.importer.load_draft(actor_id, ref.id)
            prepared = await self.importer.prepare(raw, ops)
            region = prepared.corrected.region
            document = None
            version = len(ops)
        else:
            document = await self.documents.get(ref.id)
            if document is None:
                raise NotFound("corrections.no_document")
            region = document.region
            raw = await self._raw_parse(document)
            ops = []
            prepared = await self.importer.prepare(raw, document_id=document.id)
            version = len(prepared.inherited)
        await self._require(actor_id, ref, region)
        return _State(raw, ops, prepared.corrected, version, document)

    async def _require(self, actor_id: int, ref: Ref, region: str | None) -> None:
        if ref.kind == "draft" and region is None:
            # Its region not known yet: the coordinator who uploaded it may set it.
            await self.access.require(actor_id, Action.IMPORT_DOCUMENT)
        else:
            await self.access.require(actor_id, Action.CORRECT_DOCUMENT, region=region)

    async def _raw_parse(self, document: DocumentRow) -> ParsedDocument:
        stored = await self.documents.get_parse(document.id)
        if stored is not None:
            return parsed_from_dict(json.loads(stored))
        return await self._parse_from_rows(document)

    async def _parse_from_rows(self, document: DocumentRow) -> ParsedDocument:
        """A document imported before its parse was kept: rebuild one from its rows."""
        links = await self.documents.addressee_ids_by_recommendation(document.id)
        rows = await self.documents.recommendations(document.id)
        used = {a for r in rows for a in links.get(r.id, ())}
        addressees = [a for a in await self.documents.addressees(document.id) if a.id in used]
        index = {a.id: i for i, a in enumerate(addressees)}
        return ParsedDocument(
            source=document.source,
            title=document.title,
            date=dt.date.fromisoformat(document.adopted_on) if document.adopted_on else None,
            place=document.place,
            region=document.region,
            addressees=[ParsedAddressee(a.name, a.canonical, a.kind, a.region) for a in addressees],
            recommendations=[
                ParsedRecommendation(
                    number=r.number,
                    text=r.text,
                    addressee_indices=[index[a] for a in links.get(r.id, ())],
                    deadline=Deadline(
                        dt.date.fromisoformat(r.deadline),
                        precision_of(r.deadline_precision or "day"),
                        r.deadline_phrase or "",
                        kind=deadline_kind_of(r.deadline_kind),
                        note=r.deadline_note or "",
                        period=r.deadline_period,
                    )
                    if r.deadline
                    else None,
                    mentions=list(r.mentions),
                )
                for r in rows
            ],
            warnings=list(document.warnings),
            recipients=list(document.recipients),
        )

    # the operations (positions are those of the view the coordinator saw)
    async def rename_addressee(
        self, actor_id: int, ref: Ref, index: int, name: str, version: int | None = None
    ) -> CorrectionView:
        name = clean_name(name)
        op = lambda p: {"op": "rename", "addressee": _name(p, index), "name": name}  # noqa: E731
        return await self._correct(actor_id, ref, version, op)

    async def set_kind(
        self, actor_id: int, ref: Ref, index: int, kind: str, version: int | None = None
    ) -> CorrectionView:
        if kind not in KINDS:
            raise InvalidInput("corrections.bad_kind")
        op = lambda p: {"op": "kind", "addressee": _name(p, index), "kind": kind}  # noqa: E731
        return await self._correct(actor_id, ref, version, op)

    async def merge(
        self, actor_id: int, ref: Ref, index: int, into: int, version: int | None = None
    ) -> CorrectionView:
        op = lambda p: {"op": "merge", "addressee": _name(p, index), "into": _name(p, into)}  # noqa: E731
        return await self._correct(actor_id, ref, version, op)

    async def move_item(
        self, actor_id: int, ref: Ref, item: int, to: int | None, version: int | None = None
    ) -> CorrectionView:
        op = lambda p: {  # noqa: E731
            "op": "move",
            "item": _item(p, item),
            "to": None if to is None else _name(p, to),
        }
        return await self._correct(actor_id, ref, version, op)

    async def drop_item(
        self, actor_id: int, ref: Ref, item: int, version: int | None = None
    ) -> CorrectionView:
        op = lambda p: {"op": "drop", "item": _item(p, item)}  # noqa: E731
        return await self._correct(actor_id, ref, version, op)

    async def set_deadline(
        self, actor_id: int, ref: Ref, item: int, day: dt.date | None, version: int | None = None
    ) -> CorrectionView:
        value = day.isoformat() if day else None
        op = lambda p: {"op": "deadline", "item": _item(p, item), "date": value}  # noqa: E731
        return await self._correct(actor_id, ref, version, op)

    async def set_title(
        self, actor_id: int, ref: Ref, title: str, version: int | None = None
    ) -> CorrectionView:
        op = {"op": "title", "value": clean_name(title, 500)}
        return await self._correct(actor_id, ref, version, lambda p: op)

    async def set_date(
        self, actor_id: int, ref: Ref, day: dt.date | None, version: int | None = None
    ) -> CorrectionView:
        op = {"op": "date", "value": day.isoformat() if day else None}
        return await self._correct(actor_id, ref, version, lambda p: op)

    async def set_region(
        self, actor_id: int, ref: Ref, region: str, version: int | None = None
    ) -> CorrectionView:
        known = region_by_name(region)
        if known is None:
            raise InvalidInput("corrections.unknown_region", region=region)
        # The new region must be the coordinator's too: no handing a document away.
        await self.access.require(actor_id, Action.CORRECT_DOCUMENT, region=known.name)
        op = {"op": "region", "value": known.name}
        return await self._correct(actor_id, ref, version, lambda p: op)

    async def _correct(
        self,
        actor_id: int,
        ref: Ref,
        version: int | None,
        build: Callable[[ParsedDocument], dict[str, Any]],
    ) -> CorrectionView:
        state = await self._state(actor_id, ref)
        if version is not None and version != state.version:
            raise Stale("corrections.stale")
        op = build(state.corrected)
        apply_op(copy.deepcopy(state.corrected), op)  # refuses what cannot be done
        if state.document is None:
            await self.documents.set_draft_corrections(ref.id, [*state.ops, op])
        else:
            await self._correct_published(actor_id, state, op)
        return await self.view(actor_id, ref)

    async def _correct_published(self, actor_id: int, state: _State, op: dict[str, Any]) -> None:
        document = state.document
        assert document is not None  # the caller checked: a published document's state
        if op["op"] == "deadline":
            # The card's timeline shows it and followers hear of it, as any deadline change.
            plans, _ = await self.importer.plan(document.id, state.corrected)
            index = next(
                i
                for i, r in enumerate(state.corrected.recommendations)
                if item_key(state.corrected, i) == op["item"]
            )
            match = plans[index].match
            if match is not None:
                day = dt.date.fromisoformat(op["date"]) if op["date"] else None
                await self.reporting.set_deadline(actor_id, match.id, day)
        roles = await self.access.roles(actor_id)
        await self.importer.import_document(
            state.raw,
            imported_by=actor_id,
            ops=[op],
            actor_role=roles.role_for(Target(region=document.region)),
            document_id=document.id,
        )


def _name(parsed: ParsedDocument, index: int) -> str:
    return _at(parsed.addressees, index).canonical


def _item(parsed: ParsedDocument, index: int) -> dict[str, str]:
    _at(parsed.recommendations, index)
    return item_key(parsed, index)

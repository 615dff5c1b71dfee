"""Bulk updates: the XLSX from /report comes back with «Статус» and «Комментарий» filled in.

``plan`` reads the file (archive limits first, then openpyxl in read-only mode, in a worker
thread) and returns what would change, row by row: changes, conflicts (the status changed in
the bot after the export, whose time the file carries) and invalid rows by number.  ``apply``
reads the file again, checks that the plan is still the one the coordinator saw, and records
everything in one transaction (``ReportingService.apply_sheet``) — or nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
from dataclasses import dataclass, field
from typing import Any

from bot.access import AccessService
from bot.clock import from_iso, to_iso
from bot.errors import InvalidInput, PermissionDenied
from bot.exports import status_by_label
from bot.ingest.extract import DocumentError, refusal
from bot.ingest.guard import ParseLimits, check_xlsx
from bot.reporting import (
    COMMENT_LIMIT,
    ChangedMeanwhile,
    ReportingService,
    SheetChange,
    is_reason,
)
from bot.texts import Texts
from bot.views import shown_state
from storage.exports import ExportRepository
from storage.statuses import STATUSES

MAX_ROWS = 250_000


class BulkError(InvalidInput):
    """The file as a whole cannot be used; ``key`` (``reports.bulk.*``) says why."""


@dataclass(frozen=True)
class RowIssue:
    row: int
    key: str  # a text key: reports.bulk.error_*
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PlannedChange:
    row: int
    recommendation_id: int
    number: str
    current: str  # the status in the bot now
    new: str | None  # None: a comment only
    comment: str | None
    conflict: bool = False
    reported: bool = True  # someone reported on it before: False shows «нет данных»

    @property
    def shown(self) -> str:
        """The state the item reads as now: «нет данных» while nobody reported on it."""
        return shown_state(self.current, self.reported)


@dataclass(frozen=True)
class BulkPlan:
    name: str
    exported_at: str | None  # ISO UTC, from the file
    changes: list[PlannedChange]
    issues: list[RowIssue]
    region: str | None = None  # the region the file was exported for

    @property
    def conflicts(self) -> list[PlannedChange]:
        return [c for c in self.changes if c.conflict]

    @property
    def clean(self) -> list[PlannedChange]:
        return [c for c in self.changes if not c.conflict]

    @property
    def digest(self) -> str:
        """What the preview showed, so «Применить» applies that and nothing else."""
        payload = [
            (c.row, c.recommendation_id, c.current, c.new, c.comment, c.conflict)
            for c in self.changes
        ]
        return hashlib.sha256(json.dumps(payload).encode()).hexdigest()[:16]


class PlanChanged(Exception):
    """Between the preview and «Применить» the data changed; ``plan`` is the new preview."""

    def __init__(self, plan: BulkPlan) -> None:
        super().__init__("plan changed")
        self.plan = plan


@dataclass(frozen=True)
class _Sheet:
    exported_at: str | None
    region: str | None
    # (row number, id, status at export, status, comment) as the cells hold them
    rows: list[tuple[int, Any, Any, Any, Any]]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def read_sheet(data: bytes, texts: Texts, limits: ParseLimits, max_rows: int = MAX_ROWS) -> _Sheet:
    """The rows of a returned /report table (blocking: run it in a thread)."""
    from openpyxl import load_workbook

    check_xlsx(data, limits)

    def file_text(key: str) -> str:
        return texts.plain(f"reports.file.{key}")

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raise BulkError("reports.bulk.broken") from exc
    try:
        sheets = [wb[file_text("sheet_items")]] if file_text("sheet_items") in wb.sheetnames else []
        sheets += [ws for ws in wb.worksheets if ws.title != file_text("sheet_items")]
        wanted = {k: file_text(f"col_{k}") for k in ("id", "exported", "status", "comment")}
        for ws in sheets:
            header = next(ws.iter_rows(max_row=1, values_only=True), ())
            names = [_cell_text(v) for v in header]
            if wanted["id"] in names and wanted["status"] in names:
                break
        else:
            raise BulkError("reports.bulk.not_ours", column=wanted["id"])
        index = {k: names.index(v) if v in names else None for k, v in wanted.items()}
        rows = []
        for number, values in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
            if number - 1 > max_rows:
                raise BulkError(
                    "reports.bulk.too_many_rows", n=ws.max_row or number, limit=max_rows
                )

            def get(key: str, values: tuple[Any, ...] = values) -> Any:
                i = index[key]
                return values[i] if i is not None and i < len(values) else None

            cells = (get("id"), get("exported"), get("status"), get("comment"))
            if all(_cell_text(c) == "" for c in cells):
                continue
            rows.append((number, *cells))
        info: dict[str, str] = {}
        if file_text("sheet_info") in wb.sheetnames:
            for row in wb[file_text("sheet_info")].iter_rows(max_col=2, values_only=True):
                if row and len(row) > 1:
                    info[_cell_text(row[0])] = _cell_text(row[1])
        exported_at = info.get(file_text("info_exported_at")) or None
        if exported_at is not None:
            try:
                exported_at = to_iso(from_iso(exported_at))
            except ValueError:
                exported_at = None  # edited by hand: conflicts are then told by status alone
        return _Sheet(exported_at, info.get(file_text("info_region")) or None, rows)
    finally:
        wb.close()


class BulkUpdateService:
    def __init__(
        self,
        exports: ExportRepository,
        reporting: ReportingService,
        access: AccessService,
        texts: Texts,
        limits: ParseLimits,
    ) -> None:
        self.exports = exports
        self.reporting = reporting
        self.access = access
        self.texts = texts
        self.limits = limits
        self.read_status = status_by_label(texts)

    async def plan(self, actor_id: int, data: bytes, name: str) -> BulkPlan:
        roles = await self.access.roles(actor_id)
        if not roles.is_coordinator:
            raise PermissionDenied("access.coordinators_only")
        try:
            sheet = await asyncio.to_thread(read_sheet, data, self.texts, self.limits)
        except DocumentError as error:
            raise BulkError(
                "reports.bulk.unreadable", name=name, reason=refusal(self.texts, error)
            ) from None
        ids = []
        for _, raw, *_rest in sheet.rows:
            text = _cell_text(raw)
            if text.isdigit():
                ids.append(int(text))
        found = await self.exports.recommendations(ids)
        since = (
            await self.exports.status_changes_since(list(found), sheet.exported_at)
            if sheet.exported_at
            else set()
        )
        known = ", ".join(self.texts.plain(f"status.{s}") for s in STATUSES)
        changes: list[PlannedChange] = []
        issues: list[RowIssue] = []
        first_row: dict[int, int] = {}
        for row, raw_id, raw_exported, raw_status, raw_comment in sheet.rows:
            text = _cell_text(raw_id)
            if not text.isdigit():
                issues.append(
                    RowIssue(row, "reports.bulk.error_not_a_number", {"value": text[:40]})
                )
                continue
            rec_id = int(text)
            if rec_id in first_row:
                issues.append(
                    RowIssue(
                        row,
                        "reports.bulk.error_duplicate",
                        {"id": rec_id, "first": first_row[rec_id]},
                    )
                )
                continue
            first_row[rec_id] = row
            rec = found.get(rec_id)
            if rec is None:
                issues.append(RowIssue(row, "reports.bulk.error_missing", {"id": rec_id}))
                continue
            current = rec["status"]
            exported = self.read_status(_cell_text(raw_exported)) or current
            status_text = _cell_text(raw_status)
            new = self.read_status(status_text) if status_text else exported
            if new is None:
                issues.append(
                    RowIssue(
                        row,
                        "reports.bulk.error_unknown_status",
                        {"value": status_text[:60], "known": known},
                    )
                )
                continue
            comment = str(raw_comment).strip() if raw_comment is not None else ""
            if len(comment) > COMMENT_LIMIT:
                issues.append(RowIssue(row, "reports.bulk.error_comment_too_long"))
                continue
            changed = new != exported
            if not changed and not comment:
                continue  # a row left as exported: nothing to check or do
            if not roles.coordinates(rec["region"]):
                issues.append(
                    RowIssue(
                        row, "reports.bulk.error_other_region", {"region": rec["region"] or ""}
                    )
                )
                continue
            if rec["removed"]:
                issues.append(
                    RowIssue(row, "reports.bulk.error_removed", {"number": rec["number"]})
                )
                continue
            if changed and new == "no_data" and rec["reported"]:
                issues.append(
                    RowIssue(
                        row,
                        "reports.bulk.error_no_data_back",
                        {"number": rec["number"], "known": known},
                    )
                )
                continue
            if changed and new == "no_data":
                issues.append(
                    RowIssue(
                        row,
                        "reports.bulk.error_unknown_status",
                        {"value": status_text[:60], "known": known},
                    )
                )
                continue
            if not changed or new == current:
                if comment:
                    changes.append(
                        PlannedChange(row, rec_id, rec["number"], current, None, comment)
                    )
                continue
            if new == "wont_do" and not is_reason(comment):
                issues.append(RowIssue(row, "reports.bulk.error_reason_required"))
                continue
            at_export = "not_started" if exported == "no_data" else exported
            conflict = rec_id in since or at_export != current
            changes.append(
                PlannedChange(
                    row,
                    rec_id,
                    rec["number"],
                    current,
                    new,
                    comment or None,
                    conflict,
                    bool(rec["reported"]),
                )
            )
        return BulkPlan(name, sheet.exported_at, changes, issues, sheet.region)

    async def apply(
        self, actor_id: int, data: bytes, name: str, digest: str, include_conflicts: bool
    ) -> BulkPlan:
        """Apply the plan the coordinator saw (all of it in one transaction, or nothing);
        returns the plan applied.  ``PlanChanged`` when the data moved since the preview."""
        plan = await self.plan(actor_id, data, name)
        if plan.digest != digest or plan.issues:
            raise PlanChanged(plan)
        chosen = plan.changes if include_conflicts else plan.clean
        try:
            await self.reporting.apply_sheet(
                actor_id,
                [SheetChange(c.recommendation_id, c.new, c.comment, c.current) for c in chosen],
            )
        except ChangedMeanwhile:
            raise PlanChanged(await self.plan(actor_id, data, name)) from None
        return BulkPlan(plan.name, plan.exported_at, chosen, [], plan.region)

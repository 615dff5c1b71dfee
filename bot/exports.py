"""Reports that leave the chat: XLSX, DOCX, CSV and a PNG chart of a region, a resolution or
one addressee (/report and ``python -m bot report``).

Rows come from storage a page at a time (``ExportRepository.pages``) and are written as they
come: the XLSX in openpyxl's write-only mode, the CSV line by line, so a region of 200,000
recommendations is never in memory at once.  The CPU work of each page runs in a worker
thread so the bot keeps answering while a large report is built.  The summary by addressee is
``bot.progress.addressee_summary`` (the same counts as /progress and the public page).
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any
from zoneinfo import ZoneInfo

from bot.access import AccessService, Action
from bot.clock import Clock, from_iso, to_iso
from bot.errors import InvalidInput, PermissionDenied
from bot.formatting import human_date, human_deadline, shorten
from bot.localtime import local_date, zone_for
from bot.matching import valid_region
from bot.progress import Counts, ProgressService, Summary, addressee_summary
from bot.texts import Texts
from bot.titles import readable_title
from storage.exports import ExportRepository, ExportRow, Scope
from storage.progress import ProgressRepository
from storage.statuses import CLOSED_STATUSES, STATUSES

FORMATS = ("xlsx", "docx", "csv", "png")
# The summary's columns, in the order a chamber reads them («нет данных» apart).
SUMMARY_STATES = ("done", "partially_done", "in_progress", "not_started", "wont_do", "no_data")
# Item sheet columns (keys of ``reports.file.col_*``); the first two are hidden in the XLSX
# and bring a returned file back to its rows (see ``bot/bulk.py``).
COLUMNS = (
    "id",
    "exported",
    "resolution",
    "number",
    "text",
    "addressee",
    "kind",
    "deadline",
    "status",
    "overdue",
    "last_report",
    "done",
    "evidence",
    "agree",
    "disagree",
    "comment",
)
WIDTHS = (10, 14, 40, 7, 70, 36, 22, 18, 20, 12, 16, 60, 40, 12, 12, 40)
CELL_LIMIT = 32_000  # Excel keeps at most 32,767 characters in a cell
CHART_BODIES = 15
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FILE_NAME = re.compile(r'[\\/:*?"<>|\s]+')


class ReportError(InvalidInput):
    """Bad report input; ``key`` names the text that explains it."""


@dataclass(frozen=True)
class ReportContext:
    scope: Scope
    what: str  # the scope in words: a resolution's title, an addressee, the whole region
    title: str | None  # the resolution's title, when one
    adopted_on: str | None
    exported_at: dt.datetime
    zone: ZoneInfo
    today: dt.date
    summary: Summary
    total: int


@dataclass(frozen=True)
class ReportFile:
    name: str
    data: bytes
    fmt: str
    caption: str  # plain text: the chart's caption
    total: int
    what: str  # the scope in words


def file_name(context: ReportContext, fmt: str) -> str:
    base = _FILE_NAME.sub("_", shorten(context.what, 48).rstrip("…")).strip("_«»") or "report"
    return f"{base}_{context.today.isoformat()}.{fmt}"


class ReportService:
    def __init__(
        self,
        exports: ExportRepository,
        progress_repo: ProgressRepository,
        progress: ProgressService,
        access: AccessService,
        texts: Texts,
        clock: Clock,
        default_tz: str,
    ) -> None:
        self.exports = exports
        self.progress_repo = progress_repo
        self.progress = progress
        self.access = access
        self.texts = texts
        self.clock = clock
        self.default_tz = default_tz
        self._labels: dict[tuple[str, str], str] = {}

    # --- choosing what to report (the chat's buttons) -----------------------------------

    async def regions(self, actor_id: int) -> list[str]:
        return await self.progress.regions(actor_id)

    async def _require(self, actor_id: int, region: str | None) -> str:
        name = valid_region(region)
        if name is None:
            raise PermissionDenied("access.region_coordinators_only", region=region or "")
        await self.access.require(actor_id, Action.EXPORT_REPORT, region=name)
        return name

    async def resolutions(self, actor_id: int, region: str) -> list[Any]:
        region = await self._require(actor_id, region)
        return list(await self.exports.documents(region))

    async def document_addressees(self, actor_id: int, document_id: int) -> tuple[Any, list[Any]]:
        doc = await self.exports.document(document_id)
        if doc is None:
            raise LookupError(document_id)
        await self._require(actor_id, doc["region"])
        return doc, list(await self.exports.document_addressees(document_id))

    async def scope_for(
        self, actor_id: int, region: str, document_id: int = 0, addressee_id: int = 0
    ) -> Scope:
        """The scope of a button: a region, a resolution, or one addressee of a resolution;
        the permission is checked against the region the data is in."""
        if addressee_id:
            found = await self.exports.addressee(addressee_id)
            if found is None:
                raise LookupError(addressee_id)
            region = await self._require(actor_id, found["region"])
            return Scope(region, found["document_id"], found["canonical"])
        if document_id:
            doc = await self.exports.document(document_id)
            if doc is None:
                raise LookupError(document_id)
            return Scope(await self._require(actor_id, doc["region"]), document_id)
        return Scope(await self._require(actor_id, region))

    async def describe(self, actor_id: int, scope: Scope) -> tuple[str, int]:
        """What a format screen says about a scope: its name in words, and how many items."""
        await self._require(actor_id, scope.region)
        what = scope.addressee
        if what is None and scope.document_id is not None:
            doc = await self.exports.document(scope.document_id)
            what = readable_title(doc["title"]) if doc is not None else None
        if what is None:
            what = self.texts.plain("reports.whole_region", region=scope.region)
        return what, await self.exports.count(scope)

    async def export(self, actor_id: int, scope: Scope, fmt: str) -> ReportFile:
        """A report file for a coordinator of the scope's region (or an admin)."""
        await self._require(actor_id, scope.region)
        out = io.BytesIO()
        context = await self.write(scope, fmt, out)
        return ReportFile(
            file_name(context, fmt),
            out.getvalue(),
            fmt,
            self.caption(context),
            context.total,
            context.what,
        )

    # --- building ------------------------------------------------------------------------

    async def context(self, scope: Scope) -> ReportContext:
        zone = zone_for(scope.region, self.default_tz)
        now = self.clock.now()
        today = local_date(now, zone)
        title = adopted_on = None
        if scope.document_id is not None:
            doc = await self.exports.document(scope.document_id)
            if doc is None or doc["region"] != scope.region:
                raise ReportError("reports.empty")
            title, adopted_on = readable_title(doc["title"]), doc["adopted_on"]
        what = (
            scope.addressee
            or title
            or self.texts.plain("reports.whole_region", region=scope.region)
        )
        summary = await addressee_summary(
            self.progress_repo, scope.region, today, scope.document_id, scope.addressee
        )
        return ReportContext(
            scope=scope,
            what=what,
            title=title,
            adopted_on=adopted_on,
            exported_at=now.replace(microsecond=0),
            zone=zone,
            today=today,
            summary=summary,
            total=summary.whole.total,
        )

    async def write(self, scope: Scope, fmt: str, out: IO[bytes]) -> ReportContext:
        """Write the report into ``out``; no permission check (the command line's way)."""
        if fmt not in FORMATS:
            raise ReportError("reports.empty")
        context = await self.context(scope)
        writer = {"xlsx": self._xlsx, "docx": self._docx, "csv": self._csv, "png": self._png}[fmt]
        await writer(context, out)
        return context

    def caption(self, context: ReportContext) -> str:
        whole = context.summary.whole
        percent = whole.percent_done
        return self.texts.plain(
            "reports.chart_caption",
            what=shorten(context.what, 200),
            done=whole.by_state["done"],
            n=whole.total,
            percent=""
            if percent is None
            else self.texts.plain(
                "reports.chart_percent", percent=percent, reported=whole.reported
            ),
            no_data=whole.by_state["no_data"],
        )

    # the cells of one item, shared by the XLSX and the CSV
    def _file_text(self, key: str, **params: Any) -> str:
        return self.texts.plain(f"reports.file.{key}", **params)

    def state_label(self, state: str) -> str:
        return self._label(("state", state))

    def _label(self, key: tuple[str, str]) -> str:
        """Status and kind labels, read once per report service (a row needs several)."""
        found = self._labels.get(key)
        if found is None:
            what, code = key
            if what == "kind":
                found = self.texts.plain(f"corrections.kind.{code}")
            elif code == "no_data":
                found = self._file_text("no_data")
            else:
                found = self.texts.plain(f"status.{code}")
            self._labels[key] = found
        return found

    def _deadline(self, row: ExportRow) -> str:
        if not row.deadline:
            return ""
        if row.deadline_kind == "recurring" and row.deadline_note:
            return row.deadline_note
        return human_deadline(row.deadline, row.deadline_precision)

    def _evidence(self, row: ExportRow) -> str:
        parts = []
        for kind, value, name in row.evidence:
            if kind == "link":
                parts.append(value)
            elif kind == "letter":
                date = dt.date.fromisoformat(name or "").strftime("%d.%m.%Y")
                parts.append(self._file_text("evidence_letter", number=value, date=date))
            elif kind == "document":
                parts.append(self._file_text("evidence_document", name=name or ""))
            else:
                parts.append(self._file_text("evidence_photo"))
        return "; ".join(parts)

    def item_values(self, row: ExportRow, context: ReportContext) -> list[Any]:
        state = row.status if row.reported or row.status != "not_started" else "no_data"
        # A recurring term is due at its next occurrence: never overdue (as in /progress).
        overdue = bool(
            row.deadline
            and row.deadline_kind != "recurring"
            and row.status not in CLOSED_STATUSES
            and row.deadline < context.today.isoformat()
        )
        last = (
            dt.date.fromisoformat(row.last_report_on)
            if row.last_report_on
            else local_date(from_iso(row.last_report_at), context.zone)
            if row.last_report_at
            else None
        )
        kinds = [self._label(("kind", k)) for k in row.kinds]
        return [
            row.id,
            state,
            readable_title(row.document_title),
            row.number,
            row.text,
            "; ".join(row.addressees),
            "; ".join(dict.fromkeys(kinds)),
            self._deadline(row),
            self.state_label(state),
            self._file_text("yes") if overdue else "",
            last,
            row.last_report_text or "",
            self._evidence(row),
            row.agree,
            row.disagree,
            "",
        ]

    def summary_rows(self, summary: Summary) -> Iterator[list[Any]]:
        def line(name: str, counts: Counts) -> list[Any]:
            percent = counts.percent_done
            return [
                name,
                counts.total,
                *(counts.by_state[s] for s in SUMMARY_STATES),
                counts.by_state["overdue"],
                "" if percent is None else percent,
            ]

        for body in summary.bodies:
            yield line(body.name, body.counts)
        yield line(self._file_text("sum_all"), summary.whole)

    def summary_header(self) -> list[str]:
        return [
            self._file_text("sum_addressee"),
            self._file_text("sum_total"),
            *(self._file_text(f"sum_{s}") for s in SUMMARY_STATES),
            self._file_text("sum_overdue"),
            self._file_text("sum_percent"),
        ]

    def info_rows(self, context: ReportContext) -> list[tuple[str, str]]:
        local = context.exported_at.astimezone(context.zone)
        return [
            (self._file_text("title"), context.what),
            (self._file_text("info_region"), context.scope.region),
            (
                self._file_text("info_resolution"),
                context.title or self._file_text("all_resolutions"),
            ),
            (
                self._file_text("info_addressee"),
                context.scope.addressee or self._file_text("all_addressees"),
            ),
            (self._file_text("info_made"), local.strftime("%d.%m.%Y %H:%M")),
            (self._file_text("info_exported_at"), to_iso(context.exported_at)),
            (self._file_text("info_how"), self._file_text("info_how_text")),
        ]

    async def _pages(self, scope: Scope) -> Any:
        async for page in self.exports.pages(scope):
            yield page

    # --- XLSX ----------------------------------------------------------------------------

    async def _xlsx(self, context: ReportContext, out: IO[bytes]) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        wb = Workbook(write_only=True)
        items = wb.create_sheet(self._file_text("sheet_items"))
        items.freeze_panes = "A2"
        for i, width in enumerate(WIDTHS, start=1):
            items.column_dimensions[get_column_letter(i)].width = width
        items.column_dimensions["A"].hidden = True
        items.column_dimensions["B"].hidden = True
        last_col = get_column_letter(len(COLUMNS))
        items.auto_filter.ref = f"A1:{last_col}{context.total + 1}"
        bold = Font(bold=True)

        def header(sheet: Any, names: list[str]) -> None:
            cells = []
            for name in names:
                cell = WriteOnlyCell(sheet, value=name)
                cell.font = bold
                cells.append(cell)
            sheet.append(cells)

        def text_cell(sheet: Any, value: Any) -> Any:
            """A plain value where openpyxl reads it right (the fast path); a cell only for a
            date (its format) and for text that would otherwise be taken for a formula."""
            if isinstance(value, str):
                if not value:
                    return None
                value = _ILLEGAL.sub(" ", value)[:CELL_LIMIT]
                if value.startswith("="):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.data_type = "s"  # «=…» typed by a person is text, never a formula
                    return cell
                return value
            if isinstance(value, dt.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "DD.MM.YYYY"
                return cell
            return value

        def append_page(rows: list[list[Any]]) -> None:
            if fast:
                for values in rows:
                    items.append(values)
                return
            for values in rows:
                items.append([text_cell(items, v) for v in values])

        header(items, [self._file_text(f"col_{c}") for c in COLUMNS])
        fast = _fast_rows(items)
        async for page in self._pages(context.scope):
            rows = [self.item_values(r, context) for r in page]
            await asyncio.to_thread(append_page, rows)

        summary = wb.create_sheet(self._file_text("sheet_summary"))
        summary.freeze_panes = "B2"
        summary.column_dimensions["A"].width = 50
        names = self.summary_header()
        summary.auto_filter.ref = (
            f"A1:{get_column_letter(len(names))}{len(context.summary.bodies) + 1}"
        )
        header(summary, names)
        for values in self.summary_rows(context.summary):
            summary.append([text_cell(summary, v) for v in values])

        info = wb.create_sheet(self._file_text("sheet_info"))
        info.column_dimensions["A"].width = 36
        info.column_dimensions["B"].width = 90
        for label, value in self.info_rows(context):
            info.append([text_cell(info, label), text_cell(info, value)])
        await asyncio.to_thread(wb.save, out)

    # --- CSV -----------------------------------------------------------------------------

    async def _csv(self, context: ReportContext, out: IO[bytes]) -> None:
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        writer = csv.writer(text, delimiter=";")

        def cell(value: Any) -> Any:
            if isinstance(value, dt.date):
                return value.strftime("%d.%m.%Y")
            if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
                return "'" + value  # a spreadsheet must not run what a person typed
            return value

        def write(rows: list[list[Any]]) -> None:
            writer.writerows([[cell(v) for v in values] for values in rows])

        write([[self._file_text(f"col_{c}") for c in COLUMNS]])
        async for page in self._pages(context.scope):
            rows = [self.item_values(r, context) for r in page]
            await asyncio.to_thread(write, rows)
        text.flush()
        text.detach()  # ``out`` stays open for the caller

    # --- DOCX ----------------------------------------------------------------------------

    async def _docx(self, context: ReportContext, out: IO[bytes]) -> None:
        from docx import Document
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm, Pt

        doc = Document()
        section = doc.sections[0]
        section.left_margin = section.right_margin = Cm(2)
        doc.styles["Normal"].font.size = Pt(11)
        heading = doc.add_heading(self._file_text("title"), level=1)
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if context.title:
            doc.add_paragraph(
                self._file_text(
                    "subtitle",
                    title=context.title,
                    date=human_date(context.adopted_on) or "—",
                )
            ).alignment = WD_ALIGN_PARAGRAPH.CENTER
        doc.add_paragraph(self._file_text("region_line", region=context.scope.region))
        if context.scope.addressee:
            doc.add_paragraph(self._file_text("addressee_line", name=context.scope.addressee))
        doc.add_paragraph(self._file_text("state_on", date=human_date(context.today)))

        doc.add_heading(self._file_text("summary_head"), level=2)
        names = self.summary_header()
        table = doc.add_table(rows=1, cols=len(names))
        table.style = "Table Grid"
        for cell, name in zip(table.rows[0].cells, names, strict=True):
            cell.text = name
        for values in self.summary_rows(context.summary):
            cells = table.add_row().cells
            for cell, value in zip(cells, values, strict=True):
                cell.text = str(value)

        doc.add_heading(self._file_text("by_addressee_head"), level=2)
        columns = ("number", "text", "deadline", "status", "done")
        groups: list[tuple[str, Scope, bool]] = [
            (name, Scope(context.scope.region, context.scope.document_id, name), False)
            for name in await self.exports.addressee_names(context.scope)
        ]
        if context.scope.addressee is None:
            groups.append((self._file_text("no_addressee"), context.scope, True))
        for name, scope, only_unaddressed in groups:
            rows: list[list[str]] = []
            async for page in self._pages(scope):
                for row in page:
                    if only_unaddressed and row.addressees:
                        continue
                    values = self.item_values(row, context)
                    picked = dict(zip(COLUMNS, values, strict=True))
                    # The chamber's table has no evidence column: what proves it goes under
                    # what was done (a letter's number and date above all).
                    picked["done"] = "\n".join(
                        str(picked[c]) for c in ("done", "evidence") if picked[c]
                    )
                    rows.append([str(picked[c] or "") for c in columns])
            if not rows:
                continue

            def add_group(name: str = name, rows: list[list[str]] = rows) -> None:
                doc.add_heading(name, level=3)
                table = doc.add_table(rows=1, cols=len(columns))
                table.style = "Table Grid"
                for cell, key in zip(table.rows[0].cells, columns, strict=True):
                    cell.text = self._file_text(f"col_{key}")
                for values in rows:
                    for cell, value in zip(table.add_row().cells, values, strict=True):
                        cell.text = _ILLEGAL.sub(" ", value)

            await asyncio.to_thread(add_group)
        await asyncio.to_thread(doc.save, out)

    # --- PNG -----------------------------------------------------------------------------

    async def _png(self, context: ReportContext, out: IO[bytes]) -> None:
        await asyncio.to_thread(self._draw, context, out)

    def _draw(self, context: ReportContext, out: IO[bytes]) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        bodies = sorted(context.summary.bodies, key=lambda b: -b.counts.total)
        shown = bodies[:CHART_BODIES]
        shown.reverse()  # the largest on top
        labels = [shorten(b.name, 45) for b in shown]
        colors = {
            "done": "#2e9e44",
            "partially_done": "#f2c12e",
            "in_progress": "#3b7dd8",
            "not_started": "#b9bec7",
            "wont_do": "#d64541",
            "no_data": "#eceff3",
        }
        figure = Figure(figsize=(10, 1.6 + 0.45 * max(1, len(shown))), dpi=110)
        FigureCanvasAgg(figure)
        ax = figure.add_subplot()
        left = [0] * len(shown)
        for state in SUMMARY_STATES:
            values = [b.counts.by_state[state] for b in shown]
            ax.barh(
                labels,
                values,
                left=left,
                color=colors[state],
                edgecolor="#9aa0a6" if state == "no_data" else colors[state],
                label=self._file_text(f"sum_{state}"),
            )
            left = [a + b for a, b in zip(left, values, strict=True)]
        for y, body in enumerate(shown):
            percent = body.counts.percent_done
            if percent is not None:
                ax.text(
                    body.counts.total,
                    y,
                    " " + self._file_text("chart_share", percent=percent),
                    va="center",
                    fontsize=9,
                )
        ax.set_xlabel(self._file_text("chart_axis"))
        figure.suptitle(
            self._file_text("chart_title", what=shorten(context.what, 90)),
            x=0.01,
            ha="left",
            fontsize=12,
        )
        ax.legend(
            loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=8, frameon=False
        )
        ax.spines[["top", "right"]].set_visible(False)
        ax.margins(x=0.12)
        if len(bodies) > len(shown):
            figure.text(
                0.01, 0.01, self._file_text("chart_more", n=len(bodies) - len(shown)), fontsize=8
            )
        figure.tight_layout()
        figure.savefig(out, format="png")


def _fast_rows(sheet: Any) -> bool:
    """Write the item rows of a write-only sheet one lxml element per row instead of
    openpyxl's cell by cell (about twice as fast for 200,000 rows; the XML is the same:
    inline strings, numbers, dates with a date format).  Hooks two internals of openpyxl 3.x
    (``_values_to_row``, ``_writer.write_row``); when they are not there, the caller keeps
    the ordinary path.  Call after the first row (the sheet's header is written by then)."""
    try:
        from lxml.etree import Element, SubElement
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.utils import get_column_letter
        from openpyxl.utils.datetime import to_excel
    except ImportError:
        return False
    writer = getattr(sheet, "_writer", None)
    if writer is None or not hasattr(writer, "write_row") or not hasattr(sheet, "_values_to_row"):
        return False
    probe = WriteOnlyCell(sheet, value=dt.date(2000, 1, 1))
    probe.number_format = "DD.MM.YYYY"
    date_style = str(probe.style_id)
    letters = [get_column_letter(i) for i in range(1, len(COLUMNS) + 1)]
    space = "{http://www.w3.org/XML/1998/namespace}space"

    def write_row(xf: Any, values: list[Any], index: int) -> None:
        number = str(index)
        row = Element("row", r=number)
        for column, value in enumerate(values):
            if value is None or value == "":
                continue
            ref = letters[column] + number
            if isinstance(value, str):
                # An inline string is never a formula, whatever it starts with.
                text = SubElement(SubElement(SubElement(row, "c", r=ref, t="inlineStr"), "is"), "t")
                text.text = _ILLEGAL.sub(" ", value)[:CELL_LIMIT]
                if text.text != text.text.strip():
                    text.set(space, "preserve")
            elif isinstance(value, dt.date):
                cell = SubElement(row, "c", r=ref, t="n", s=date_style)
                SubElement(cell, "v").text = str(to_excel(value))
            else:
                SubElement(SubElement(row, "c", r=ref, t="n"), "v").text = str(value)
        xf.write(row)

    sheet._values_to_row = lambda values, index: values
    writer.write_row = write_row
    return True


def status_by_label(texts: Texts) -> Callable[[str], str | None]:
    """Read a status cell back: a label as the file shows it (any case), or a code."""
    known: dict[str, str] = {texts.plain(f"status.{s}").casefold(): s for s in STATUSES}
    known.update({s: s for s in STATUSES})
    known[texts.plain("reports.file.no_data").casefold()] = "no_data"
    known["no_data"] = "no_data"

    def read(value: str) -> str | None:
        return known.get(" ".join(value.split()).casefold())

    return read

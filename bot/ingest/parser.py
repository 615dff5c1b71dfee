"""From the text of a resolution to addressees and numbered recommendations.

Steps: ``flatten_tables`` (``|``/tab tables → lines), ``clean_text``, ``extract_meta``
(title, date, place, region or federal scope), then the body line by line: each line gets
one kind (``bot.ingest.lines``) and ``_Parser`` has one small step per kind, ``on_<kind>``:
``num`` (also "I."), ``section`` ("I. Добровольчество": a titled group whose items name their
own addressees), ``sub``, ``letter``, ``bullet``, ``decision`` ("РЕШИЛИ:" — what came before was
the agenda), ``opener`` ("… ПРЕДЛАГАЮТ:"), ``stop`` (protocol parts, signatures),
``recipients`` ("Направить … в X, Y"), ``procedural`` ("принять к сведению"), ``preamble``
("Заслушав …") and ``text`` (a heading, a lead-in of any form, an item's own dative
addressee, a lead-in inside a sentence, or an item's continuation).  To teach the parser a
new layout, add a kind or a step and its test; the walk itself stays short.

Structures understood:
- addressee headings in the dative, each with its own numbering ("Правительству области" /
  "1. …"); a group heading over them ("Органам государственной власти:") is skipped;
- numbered lead-ins "1) Рекомендовать X:" / "1. Поручить X:" / "2. Руководителям …:" whose
  dashes, "1.1" sub-items or "а)" letters are the recommendations (a letter's own dashes
  are a list inside it);
- lead-ins "Рекомендовать/Поручить/Предложить X …", "Просить X …", "Обратиться к X с
  просьбой …", "Считать целесообразным X …", "X рекомендуется …", "Совместно с Y X-у …",
  and the same verbs inside a sentence ("По итогам слушаний рекомендовать X …");
- items without an addressee ("Поддержать …"): in a forum's or conference's document they
  go to a synthetic participants addressee of kind "other" ("Участники конференции"); in a
  body's decision, a hearing or an appeal they stay «без адресата» (``without_addressee``);
- unnumbered items under a heading, and closing proposals "Предложить X …";
- bullets that are not recommendations (inside an ordinary item) stay in its text; dashes
  under an opener or a section title are items of their own;
- a plan of measures whose "Ответственный" column names bodies in the nominative
  (``tables.responsible_names``);
- an appeal "ОБРАЩЕНИЕ … к X" that asks "Просим Вас": its unnamed requests go to X.

Lines wrapped in the middle of a paragraph are joined first (``lines.join_wrapped``).

Numbers: the item's own number ("3", "2.1" for the first dash of item 2, "5.б" for a
letter); under addressee headings whose numbering restarts, the heading's ordinal is put
in front ("2.3" = third item of the second heading) so numbers stay unique.

Terms: an item's own (see ``deadlines.find_term``: dates, days without a year, recurring
and relative terms), else its lead-in's or heading's, else the period in the sentence that
opens the list ("… на 2018 г. и на перспективу:").
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from bot.ingest.addressees import (
    Group,
    LeadIn,
    canonical_name,
    dative_item_lead,
    find_mentions,
    leading_partners,
    parse_heading,
    parse_lead_in,
)
from bot.ingest.clean import clean_text
from bot.ingest.deadlines import find_term
from bot.ingest.extract import extract_text_report, looks_like_mojibake
from bot.ingest.lines import (
    BULLET_RE,
    LETTER_RE,
    NUM_RE,
    SUB_RE,
    classify_text,
    find_inline_lead,
    find_passive_lead,
    is_section_title,
    join_wrapped,
    parse_recipients,
)
from bot.ingest.meta import appeal_addressee, extract_meta, is_gathering, participants_name
from bot.ingest.model import ParsedAddressee, ParsedDocument, ParsedRecommendation
from bot.ingest.tables import flatten_tables, responsible_names
from bot.morph import is_infinitive
from bot.regions import find_region_in_text
from bot.vocabulary import Kind, classify_addressee

log = logging.getLogger(__name__)

_FIRST_WORD_RE = re.compile(r"[А-Яа-яЁё]+")

UNADDRESSED_WARNING = (
    "Пункты, в которых адресат не назван, показаны «без адресата»: проверьте, "
    "не потерян ли адресат."
)
NO_DATE_WARNING = "Не удалось определить дату принятия документа."
NO_REGION_WARNING = "Не удалось определить регион документа."
INTERNAL_ERROR_WARNING = "Внутренняя ошибка разбора: документ разобран не полностью."
MOJIBAKE_WARNING = (
    "Текст похож на испорченную кодировку (вместо русских букв — «РџСЂРё…»): публиковать его "
    "нельзя. Сохраните файл заново в UTF-8 или пришлите .docx."
)


@dataclass
class _Line:
    kind: str  # num | sub | letter | bullet | text | blank
    text: str  # the content without its marker
    raw: str
    number: str | None = None
    parent: str | None = None


def _classify(raw: str) -> _Line:
    """One line, one kind (see ``bot.ingest.lines``)."""
    if not raw:
        return _Line("blank", "", raw)
    m = SUB_RE.match(raw)
    if m:
        text = m.group(3).strip()
        kind = classify_text(text)
        if kind in ("recipients", "procedural", "stop"):
            return _Line(kind, text, raw, number=m.group(2), parent=m.group(1))
        return _Line("sub", text, raw, number=m.group(2), parent=m.group(1))
    m = NUM_RE.match(raw)
    if m:
        text = _strip_closing_quote(m.group(2).strip())
        kind = classify_text(text)
        if kind in ("recipients", "procedural", "stop"):
            return _Line(kind, text, raw, number=m.group(1))
        if is_section_title(text):
            return _Line("section", text, raw, number=m.group(1))
        return _Line("num", text, raw, number=m.group(1))
    m = LETTER_RE.match(raw)
    if m:
        return _Line("letter", m.group(2).strip(), raw, number=m.group(1))
    m = BULLET_RE.match(raw)
    if m:
        text = m.group(1).strip()
        kind = classify_text(text)
        if kind in ("recipients", "procedural"):
            return _Line(kind, text, raw)
        return _Line("bullet", text, raw)
    return _Line(classify_text(raw), raw, raw)


def _strip_closing_quote(text: str) -> str:
    """ "… семинаров.»" closing a quoted block of items: the quote is not the item's."""
    if text.endswith(("»", '"', "“")) and text.count("«") < text.count("»") + (text[-1] != "»"):
        return text[:-1].rstrip()
    return text


def _merge_bare_markers(lines: list[_Line]) -> list[_Line]:
    """ "1." alone on its line, the text on the next: join them."""
    out: list[_Line] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.kind in ("num", "sub", "letter", "bullet") and not line.text:
            j = i + 1
            while j < len(lines) and lines[j].kind == "blank":
                j += 1
            if j < len(lines) and lines[j].kind not in ("num", "sub", "letter", "bullet", "blank"):
                line.text = lines[j].text
                out.append(line)
                i = j + 1
                continue
            i += 1
            continue
        out.append(line)
        i += 1
    return out


@dataclass
class _Rec:
    block: int | None
    top: str | None
    sub: str | None
    lines: list[str]
    addressees: list[int]
    context: list[str] = field(default_factory=list)  # lead-in / heading texts (deadlines)
    from_bullet: bool = False  # a dash directly under a heading: the next dash is a sibling


@dataclass
class _Item:
    top: str
    addressees: list[int]
    lead: bool  # its sub-items are the recommendations
    text: str
    rec: _Rec | None = None
    children: int = 0
    letter_rec: _Rec | None = None


@dataclass
class _Block:
    ordinal: int
    addressees: list[int]
    text: str
    recs: int = 0
    owns_items: bool = True  # a heading or "X:" lead-in; not a one-sentence lead-in


class _Parser:
    """Walks the body line by line; each kind of line has its own small step (``on_*``)."""

    def __init__(self, lines: list[_Line], doc_region: str | None) -> None:
        self.lines = lines
        self.doc_region = doc_region
        self.addressees: list[ParsedAddressee] = []
        self._keys: dict[str, int] = {}
        self.recs: list[_Rec] = []
        self.warnings: list[str] = []
        self.recipients: list[str] = []
        self.lead_text: str | None = None
        # The walk's state.
        self.block: _Block | None = None
        self.item: _Item | None = None
        self.last: _Rec | None = None
        self.closed = False
        self.zone = False
        self.n_blocks = 0
        self.prev_text: str | None = None
        self.decided = False  # a "РЕШИЛИ:" was met: later ones add to its items

    # -- addressees ------------------------------------------------------------------
    def register(self, groups: list[Group]) -> list[int]:
        out: list[int] = []
        for group in groups:
            canonical = canonical_name(group)
            key = re.sub(r"\s+", " ", canonical.lower().replace("ё", "е")).strip()
            if key not in self._keys:
                region = find_region_in_text(group.text)
                self._keys[key] = len(self.addressees)
                self.addressees.append(
                    ParsedAddressee(
                        name=group.text,
                        canonical=canonical,
                        kind=classify_addressee(canonical),
                        region=region.name if region else self.doc_region,
                    )
                )
            index = self._keys[key]
            if index not in out:
                out.append(index)
        return out

    # -- headings --------------------------------------------------------------------
    def _next_nonblank(self, i: int) -> int | None:
        while i < len(self.lines) and self.lines[i].kind == "blank":
            i += 1
        return i if i < len(self.lines) else None

    def heading_at(self, i: int, depth: int = 0) -> tuple[LeadIn, int, bool] | None:
        """(addressees, index after the heading, is_group) if line ``i`` is a heading."""
        line = self.lines[i]
        if line.kind != "text" or parse_heading(line.text) is None:
            return None
        text = line.text
        j = i + 1
        # A heading may wrap over a few lines ("Комиссии по … / Общественной палаты …").
        while (
            j < len(self.lines)
            and j - i <= 3
            and self.lines[j].kind == "text"
            and not text.endswith(":")
            and self.lines[j].text[-1:] not in ".;"
            and len(self.lines[j].text) < 200
            and parse_heading(self.lines[j].text) is None
        ):
            text = f"{text} {self.lines[j].text}"
            j += 1
        heading = parse_heading(text)
        if heading is None:
            heading, j = parse_heading(line.text), i + 1
            if heading is None:
                return None
            text = line.text
        k = self._next_nonblank(j)
        if k is None:
            return None
        nxt = self.lines[k]
        if nxt.kind in ("num", "sub", "bullet", "letter"):
            return heading, j, False
        if nxt.kind == "text":
            if depth == 0 and self.heading_at(k, depth + 1) is not None:
                return heading, j, True
            if text.endswith(":") and _starts_with_infinitive(nxt.text):
                return heading, j, False
            if depth == 0 and parse_lead_in(nxt.text) is not None and text.endswith(":"):
                return heading, j, True
        return None

    # -- helpers ---------------------------------------------------------------------
    def new_rec(self, block: _Block | None, top: str | None, sub: str | None, text: str,
                addressees: list[int], context: list[str], action: str = "") -> _Rec:  # fmt: skip
        """``action``: what follows a lead-in's addressees ("совместно с Y сделать …")."""
        addressees = list(addressees)
        partners = leading_partners(text) or (leading_partners(action) if action else [])
        for index in self.register(partners):
            if index not in addressees:
                addressees.append(index)
        rec = _Rec(block.ordinal if block else None, top, sub, [text], addressees,
                   [c for c in context if c])  # fmt: skip
        self.recs.append(rec)
        if block is not None:
            block.recs += 1
        return rec

    def finish_item(self) -> None:
        # A lead-in without sub-items is itself the recommendation.
        item, block = self.item, self.block
        if item is not None and item.lead and item.children == 0:
            self.new_rec(block, item.top, None, item.text, item.addressees,
                         [block.text if block else ""])  # fmt: skip

    def start_zone(self) -> None:
        if not self.zone:
            self.zone = True
            if self.prev_text and self.prev_text.endswith(":"):
                self.lead_text = self.prev_text

    def new_block(self, addressees: list[int], text: str) -> _Block:
        self.n_blocks += 1
        self.block = _Block(self.n_blocks, addressees, text)
        return self.block

    def end_item(self, closed: bool) -> None:
        self.finish_item()
        self.item, self.last, self.closed = None, None, closed

    # -- the walk --------------------------------------------------------------------
    def run(self) -> None:
        i = 0
        while i < len(self.lines):
            line = self.lines[i]
            step = getattr(self, f"on_{line.kind}")
            i = step(i, line)
        self.finish_item()

    def on_blank(self, i: int, line: _Line) -> int:
        return i + 1

    def on_decision(self, i: int, line: _Line) -> int:
        """ "РЕШИЛИ:", "ПОСТАНОВЛЯЕТ:", "… решил:": what came before was the agenda or the
        preamble, never recommendations."""
        self.finish_item()
        if not self.decided:
            self.recs.clear()
            self.addressees.clear()
            self._keys.clear()
        self.decided = True
        self.block, self.item, self.last, self.closed = None, None, None, False
        self.zone = False
        self.prev_text = line.text if line.text.endswith(":") else f"{line.text}:"
        self.start_zone()
        return i + 1

    def on_opener(self, i: int, line: _Line) -> int:
        """ "Участники круглого стола ПРЕДЛАГАЮТ:": the items follow."""
        self.end_item(closed=False)
        self.block = None
        self.prev_text = line.text
        self.zone = False
        self.start_zone()
        return i + 1

    def on_stop(self, i: int, line: _Line) -> int:
        """ "СЛУШАЛИ:", "Повестка дня:", a signature: the items end here."""
        self.end_item(closed=True)
        return i + 1

    def on_recipients(self, i: int, line: _Line) -> int:
        """ "Направить настоящие рекомендации в X, Y": the document's recipients."""
        self.end_item(closed=self.closed)
        for name in parse_recipients(line.text):
            if name not in self.recipients:
                self.recipients.append(name)
        return i + 1

    def on_procedural(self, i: int, line: _Line) -> int:
        """ "Информацию принять к сведению", "Контроль … возложить": not recommendations."""
        if line.number == "1":
            self.start_zone()
        self.end_item(closed=False)
        return i + 1

    def on_preamble(self, i: int, line: _Line) -> int:
        """ "Заслушав …", "Рассмотрев …": never addressees; may end with the opener."""
        if not self.zone:
            self.prev_text = line.text
        elif line.text.endswith(":"):
            self.end_item(closed=False)
        return i + 1

    def on_text(self, i: int, line: _Line) -> int:
        found = self.heading_at(i)
        if found is not None:
            return self.text_heading(i, line, *found)
        lead = parse_lead_in(line.text)
        if lead is not None and (self.zone or lead.terminator in ("colon", "infn")):
            return self.text_lead_in(i, line, lead, line.text)
        own = dative_item_lead(line.text)
        if own is not None and own.terminator == "infn" and line.text[:1].isupper():
            # "Средствам массовой информации освещать …": an item with its own addressee.
            return self.text_lead_in(i, line, own, line.text)
        inline = find_inline_lead(line.text) or find_passive_lead(line.text)
        if inline is not None:
            lead, at = inline
            return self.text_lead_in(i, line, lead, line.text[at:])
        if not self.zone:
            self.prev_text = line.text
            return i + 1
        return self.text_in_zone(i, line)

    def text_heading(self, i: int, line: _Line, heading: LeadIn, after: int,
                     is_group: bool) -> int:  # fmt: skip
        self.start_zone()
        self.end_item(closed=False)
        if not is_group:
            self.new_block(self.register(heading.groups), line.text)
        return after

    def text_lead_in(self, i: int, line: _Line, lead: LeadIn, text: str) -> int:
        self.start_zone()
        self.finish_item()
        self.item, self.closed = None, False
        addressees = self.register(lead.groups)
        block = self.new_block(addressees, text)
        if lead.terminator == "colon" and not lead.rest:
            self.last = None  # its dashes / items follow
        else:
            block.owns_items = False
            self.last = self.new_rec(block, None, None, text, addressees, [], lead.rest)
        return i + 1

    def text_in_zone(self, i: int, line: _Line) -> int:
        last, block = self.last, self.block
        if (
            last is not None
            and not self.closed
            and (last.lines[-1].endswith(":") or line.text[:1].islower())
        ):
            last.lines.append(line.text)
        elif (
            not self.closed
            and block is not None
            and block.owns_items
            and _starts_with_infinitive(line.text)
        ):
            # An unnumbered item under a heading or after numbered ones.
            self.finish_item()
            self.item = None
            self.last = self.new_rec(block, None, None, line.text, block.addressees,
                                     [block.text])  # fmt: skip
        elif not self.closed and _starts_with_infinitive(line.text):
            # An unnumbered item of its own ("Считать целесообразным включить …").
            self.finish_item()
            self.item = None
            self.last = self.new_rec(None, None, None, line.text, [], [])
        else:
            self.end_item(closed=True)
        return i + 1

    def on_section(self, i: int, line: _Line) -> int:
        """ "I. Добровольчество": a titled group of items; the items name their addressees."""
        self.end_item(closed=False)
        self.block = None
        k = self._next_nonblank(i + 1)
        if k is not None and self.lines[k].kind in ("num", "sub", "letter", "bullet"):
            self.start_zone()
        return i + 1

    def on_num(self, i: int, line: _Line) -> int:
        if not self.zone and line.number not in ("1", "I"):
            self.prev_text = line.raw
            return i + 1
        self.start_zone()
        self.finish_item()
        self.closed = False
        self.item = self.start_item(line, self.block)
        self.last = self.item.rec
        return i + 1

    def on_sub(self, i: int, line: _Line) -> int:
        if not self.zone or self.closed:
            return i + 1
        item, block = self.item, self.block
        if item is not None and item.top == line.parent:
            rec = item.rec
            if rec is not None and item.children == 0 and rec.lines[-1].endswith(":"):
                # "1. В сфере образования:" over "1.1 …": the parent is a lead-in.
                self.recs.remove(rec)
                if block is not None:
                    block.recs -= 1
                item.rec, item.lead = None, True
            item.children += 1
            ctx = [item.text, block.text if block else ""]
            self.last = self.new_rec(block, item.top, line.number, line.text,
                                     self.own_addressees(line.text) or item.addressees,
                                     ctx)  # fmt: skip
        else:
            self.finish_item()
            addressees = block.addressees if block else []
            self.item = _Item(line.parent or "", addressees, True, "", children=1)
            addressees = self.own_addressees(line.text) or addressees
            self.last = self.new_rec(block, line.parent, line.number, line.text, addressees,
                                     [block.text if block else ""])  # fmt: skip
        return i + 1

    def on_letter(self, i: int, line: _Line) -> int:
        if not self.zone or self.closed:
            return i + 1
        item, block = self.item, self.block
        if item is not None and item.lead:
            item.children += 1
            ctx = [item.text, block.text if block else ""]
            self.last = self.new_rec(block, item.top, line.number, line.text,
                                     item.addressees, ctx)  # fmt: skip
            item.letter_rec = self.last
        elif self.last is not None:
            self.last.lines.append(line.raw)
        return i + 1

    def on_bullet(self, i: int, line: _Line) -> int:
        if not self.zone or self.closed:
            return i + 1
        item, block, last = self.item, self.block, self.last
        own = dative_item_lead(line.text) if item is None and block is None else None
        if own is not None and own.terminator == "infn":
            # "Рекомендовать:" over "– комитету … провести …": each dash names its addressee.
            addressees = self.register(own.groups)
            new_block = self.new_block(addressees, line.text)
            new_block.owns_items = False
            self.last = self.new_rec(new_block, None, None, line.text, addressees, [])
            self.last.from_bullet = True
            self.block = None
            return i + 1
        if item is not None and item.lead and item.letter_rec is None:
            item.children += 1
            ctx = [item.text, block.text if block else ""]
            self.last = self.new_rec(block, item.top, str(item.children), line.text,
                                     item.addressees, ctx)  # fmt: skip
        elif (
            last is not None
            and not last.from_bullet
            and (item is None or not item.lead or item.letter_rec)
        ):
            last.lines.append(f"— {line.text}")
        elif block is not None and item is None:
            self.last = self.new_rec(block, None, None, line.text, block.addressees,
                                     [block.text])  # fmt: skip
            self.last.from_bullet = True
        elif item is None and block is None:
            self.bullet_item(line.text)
        return i + 1

    def bullet_item(self, text: str) -> None:
        """A dash under an opener or a section title, not under anyone's heading: an item of
        its own, with the addressee its lead-in names ("• Рекомендовать X …") or none."""
        lead = parse_lead_in(text)
        if lead is not None and (lead.terminator != "colon" or lead.rest):
            addressees = self.register(lead.groups)
        elif _starts_with_infinitive(text):
            addressees = []
        else:
            return
        self.last = self.new_rec(None, None, None, text, addressees, [])
        self.last.from_bullet = True

    def own_addressees(self, text: str) -> list[int]:
        """A sub-item with its own lead-in ("1.2. Рекомендовать департаменту … сделать")."""
        lead = parse_lead_in(text)
        if lead is None and text[:1].isupper():
            own = dative_item_lead(text)  # "1.4. Членам комиссии принять участие …"
            lead = own if own is not None and own.terminator == "infn" else None
        if lead is None or (lead.terminator == "colon" and not lead.rest):
            return []
        return self.register(lead.groups)

    def start_item(self, line: _Line, block: _Block | None) -> _Item:
        body = line.text
        top = line.number or ""
        context = [block.text] if block else []
        lead = parse_lead_in(body)
        if lead is None and body.endswith(":"):
            lead = parse_heading(body)  # "2. Руководителям …:" — a numbered heading
        if lead is not None and lead.terminator == "colon" and not lead.rest:
            return _Item(top, self.register(lead.groups), True, body)
        if lead is not None:
            addressees = self.register(lead.groups)
        else:
            own = dative_item_lead(body)  # "Коммерческим организациям повысить …"
            inline = find_inline_lead(body) if own is None else None
            if own is not None and own.terminator == "infn":
                addressees = self.register(own.groups)
            elif inline is not None:
                if inline[0].terminator == "colon" and not inline[0].rest:
                    return _Item(top, self.register(inline[0].groups), True, body)
                addressees = self.register(inline[0].groups)
            else:
                responsible = [Group(name, "nomn") for name in responsible_names(body)]
                addressees = self.register(responsible) or (block.addressees if block else [])
        rec = self.new_rec(block, top, None, body, addressees, context)
        return _Item(top, addressees, False, body, rec=rec)


def _starts_with_infinitive(text: str) -> bool:
    m = _FIRST_WORD_RE.match(text)
    return m is not None and is_infinitive(m.group(0))


def _assign_numbers(recs: list[_Rec], warnings: list[str]) -> list[str]:
    def plain(rec: _Rec) -> tuple[str, ...]:
        return tuple(p for p in (rec.top, rec.sub) if p)

    blocks = {r.block for r in recs if r.block is not None}
    keys_by_block: dict[tuple[str, ...], set[int | None]] = {}
    for rec in recs:
        if plain(rec):
            keys_by_block.setdefault(plain(rec), set()).add(rec.block)
    # Numbering that restarts under each heading needs the heading's ordinal in front.
    prefixed = any(len(b) > 1 for b in keys_by_block.values()) and len(blocks) > 1
    numbers: list[str] = []
    used: set[str] = set()
    top_max: dict[int | None, int] = {}
    for rec in recs:
        scope = rec.block if prefixed else None
        if rec.top and rec.top.isdigit():
            top_max[scope] = max(top_max.get(scope, 0), int(rec.top))
    for rec in recs:
        parts = list(plain(rec))
        if prefixed and rec.block is not None:
            if not parts:
                alone = sum(1 for r in recs if r.block == rec.block) == 1
                if not alone:
                    scope = rec.block
                    top_max[scope] = top_max.get(scope, 0) + 1
                    parts = [str(top_max[scope])]
            parts = [str(rec.block), *parts]
        elif not parts:
            top_max[None] = top_max.get(None, 0) + 1
            parts = [str(top_max[None])]
        number = ".".join(parts)
        if number in used:
            k = 2
            while f"{number}-{k}" in used:
                k += 1
            warnings.append(
                f"Номер пункта {number} повторяется; второй пункт получил номер {number}-{k}."
            )
            number = f"{number}-{k}"
        used.add(number)
        numbers.append(number)
    return numbers


def _parse(text: str, source: str) -> ParsedDocument:
    if looks_like_mojibake(text):
        return _empty(source, [MOJIBAKE_WARNING], mojibake=True)
    cleaned = clean_text(flatten_tables(text))
    raw_lines = cleaned.split("\n") if cleaned else []
    meta = extract_meta(raw_lines, cleaned)
    warnings: list[str] = []
    # The title block is never the body.
    body_raw = join_wrapped(raw_lines[meta.title_end :])
    body_lines = _merge_bare_markers([_classify(r) for r in body_raw])
    parser = _Parser(body_lines, meta.region)
    parser.run()
    recs = [r for r in parser.recs if any(part.strip() for part in r.lines)]

    unaddressed = [r for r in recs if not r.addressees]
    warnings.extend(_doubtful_addressees(unaddressed, parser.addressees))
    appeal = appeal_addressee(meta.title, cleaned) if unaddressed else None
    if appeal is not None:
        index = parser.register([appeal])[0]
        for rec in unaddressed:
            rec.addressees = [index]
        name = parser.addressees[index].canonical
        warnings.append(f"Пункты без адресата отнесены к адресату обращения «{name}».")
    elif unaddressed and is_gathering(meta.title, parser.lead_text):
        name = participants_name(parser.lead_text, cleaned, meta.title)
        same = [i for i, a in enumerate(parser.addressees) if a.canonical.lower() == name.lower()]
        index = same[0] if same else len(parser.addressees)
        if not same:
            parser.addressees.append(
                ParsedAddressee(name=name, canonical=name, kind=Kind.OTHER, region=meta.region)
            )
        for rec in unaddressed:
            rec.addressees = [index]
        warnings.append(f"Пункты без адресата отнесены к адресату «{name}».")
    elif unaddressed:
        warnings.append(UNADDRESSED_WARNING)

    numbers = _assign_numbers(recs, warnings)
    period = find_term(parser.lead_text, meta.date) if parser.lead_text else None
    recommendations: list[ParsedRecommendation] = []
    for rec, number in zip(recs, numbers, strict=True):
        body = "\n".join(part.strip() for part in rec.lines if part.strip())
        deadline = find_term(body, meta.date)
        for context in rec.context:
            if deadline is None:
                deadline = find_term(context, meta.date)
        deadline = deadline or period
        exclude = {parser.addressees[i].canonical for i in rec.addressees}
        recommendations.append(
            ParsedRecommendation(
                number=number,
                text=body,
                addressee_indices=list(rec.addressees),
                deadline=deadline,
                mentions=find_mentions(body, exclude),
                without_addressee=not rec.addressees,
            )
        )
    # Drop addressees without recommendations (a heading whose items were lost).
    parser.addressees = drop_unused_addressees(parser.addressees, recommendations)

    warnings.extend(_term_warnings(recommendations))
    if not recommendations:
        warnings.append("Не найдено ни одной рекомендации: проверьте, что это итоговый документ.")
    if meta.date is None:
        warnings.append(NO_DATE_WARNING)
    if meta.region is None and meta.scope is None:
        warnings.append(NO_REGION_WARNING)
    return ParsedDocument(
        source=source,
        title=meta.title or source,
        date=meta.date,
        place=meta.place,
        region=meta.region,
        addressees=parser.addressees,
        recommendations=recommendations,
        warnings=warnings + parser.warnings,
        recipients=parser.recipients,
        scope=meta.scope,
    )


def drop_unused_addressees(
    addressees: list[ParsedAddressee], recommendations: list[ParsedRecommendation]
) -> list[ParsedAddressee]:
    """The addressees that have recommendations; the items' indices are renumbered in place."""
    used = {i for r in recommendations for i in r.addressee_indices}
    if len(used) == len(addressees):
        return addressees
    mapping: dict[int, int] = {}
    kept: list[ParsedAddressee] = []
    for i, a in enumerate(addressees):
        if i in used:
            mapping[i] = len(kept)
            kept.append(a)
    for r in recommendations:
        r.addressee_indices = [mapping[i] for i in r.addressee_indices]
    return kept


_LEAD_VERB_START_RE = re.compile(
    r"^(?:Рекомендовать|Поручить|Просить|Предложить|Обратиться\s+к)\s+(?P<words>(?:\S+\s+){0,3}\S+)"
)
_LONG_NAME_WORDS = 25  # the longest real names in the seeds have ~22 words


def _doubtful_addressees(unaddressed: list[_Rec], addressees: list[ParsedAddressee]) -> list[str]:
    """Where the parser is unsure who is meant, it says so (issue 10, point 4)."""
    out = []
    for rec in unaddressed:
        m = _LEAD_VERB_START_RE.match(rec.lines[0])
        if m:
            out.append(
                f"«{m.group(0)} …»: адресат не распознан (имя человека или незнакомая "
                "форма) — проверьте адресата этого пункта."
            )
    for a in addressees:
        if len(a.canonical.split()) > _LONG_NAME_WORDS:
            out.append(f"Адресат «{a.canonical[:120]}…» очень длинный — проверьте адресата.")
    return out


def _term_warnings(recommendations: list[ParsedRecommendation]) -> list[str]:
    """Recurring and relative terms are never «без срока» silently (issue 11, point 12)."""
    out = []
    recurring = [r for r in recommendations if r.deadline and r.deadline.kind == "recurring"]
    if recurring:
        numbers = ", ".join(r.number for r in recurring[:8]) + (", …" if len(recurring) > 8 else "")
        items = "пункт" if len(recurring) == 1 else "пункты"
        out.append(
            f"Повторяющиеся сроки («ежегодно», «ежеквартально» …) — {items} {numbers}: записан "
            "ближайший срок, напоминания идут к нему; карточка объясняет, что срок повторяется."
        )
    for r in recommendations:
        if r.deadline and r.deadline.kind == "relative":
            out.append(
                f"Пункт {r.number}: срок «{r.deadline.phrase}» отсчитан от даты документа — "
                "проверьте его."
            )
    return out


def parse_resolution(text: str, source: str) -> ParsedDocument:
    """Parse the text of a resolution; never raises: problems become ``warnings``."""
    try:
        return _parse(text if isinstance(text, str) else str(text), source)
    except Exception:  # the last line of defence: a bad document must not break an import
        # No file name in the log: it may carry a person's name.
        log.exception("resolution parser failed")
        return _empty(source, [INTERNAL_ERROR_WARNING])


def parse_file(data: bytes, filename: str) -> ParsedDocument:
    """Extract the text of an uploaded file and parse it (``DocumentError`` if unreadable)."""
    text, notes = extract_text_report(data, filename)
    doc = parse_resolution(text, filename)
    doc.warnings[:0] = notes
    return doc


def _empty(source: str, warnings: list[str], *, mojibake: bool = False) -> ParsedDocument:
    """A document with nothing understood: only why."""
    return ParsedDocument(
        source=source,
        title=source,
        date=None,
        place=None,
        region=None,
        addressees=[],
        recommendations=[],
        warnings=warnings,
        mojibake=mojibake,
    )

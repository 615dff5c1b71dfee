"""Which recommendations concern an organization (/my), and free questions (ask).

The index (``storage/search.py``) keeps, per live recommendation, lemmatised text for FTS5
and *facets*: (document region, kind, relation) rows, so /my reads a few index ranges and an
FTS phrase query for the organization's name instead of scanning recommendations.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar

from bot.matching import (
    REASON_NAMED_TEXT,
    OrgName,
    Question,
    Word,
    addressee_kinds,
    contains_seq,
    display_words,
    fts_term,
    fts_terms,
    is_instrumental,
    is_participants,
    joint_partners,
    kind_tag,
    lemma_list,
    org_name,
    parse_question,
    partner_kind,
    reason_joint,
    reason_kind,
    reason_named_addressee,
    reason_participants,
    reason_title_words,
    reason_words,
    region_genitive,
    region_tag,
    to_partner_nominative,
    typed_words,
    valid_kind,
    valid_region,
)
from bot.morph import WORD_RE, normal_form
from bot.texts import plural
from bot.vocabulary import (
    Kind,
    abbreviation_first_words,
    expand_abbreviations,
    kind_dative,
    kind_label,
)
from storage.db import Database
from storage.search import (
    Facet,
    IndexSource,
    PageRows,
    PoolRows,
    SearchDoc,
    SearchReader,
    SearchRepository,
)
from storage.statuses import OPEN_STATUSES, STATUSES

# Relations, best first; the facet table stores 0..2 for kind, joint and participants.
NAMED, KIND, JOINT, PARTICIPANTS = 0, 1, 2, 3
_FACET_RANK = {0: KIND, 1: JOINT, 2: PARTICIPANTS}
_SCORES = {NAMED: 4.0, KIND: 3.0, JOINT: 2.0, PARTICIPANTS: 1.0}
ALL_PARTICIPANTS = "participants"
NO_ADDRESSEE = "Все участники"
NAMED_LIMIT = 1000  # items found by an organization's name, per column
POOL = 120  # FTS candidates re-ranked by coverage and the kind boost
BROAD = 1500  # above this many matches a question is too broad to rank them all by bm25
# A broad question's total is counted up to this many ("больше 10 000"): counting every one
# of the 400,000 items a common word is found in at a million costs tens of milliseconds.
COUNTED = 10_000
REBUILD_BATCH = 500  # documents per indexing batch
# What a question's word found only in the document's title weighs against one found in
# the item itself (every item of the document shares its title).
TITLE_SHARE = 0.25


@dataclass(frozen=True)
class Profile:
    region: str | None
    kind: str | None
    org_name: str | None = None

    @classmethod
    def of(cls, value: Any) -> Profile:
        """A Profile from itself, a user record (org_kind, org_name) or a mapping."""
        if isinstance(value, Profile):
            return value
        get: Callable[[str], Any] = (
            value.get if isinstance(value, dict) else lambda k: getattr(value, k, None)
        )
        return cls(
            region=get("region"),
            kind=get("kind") or get("org_kind"),
            org_name=get("org_name") or get("org"),
        )


@dataclass
class Match:
    recommendation_id: int
    document_id: int
    source: str
    number: str
    addressee: str
    score: float
    reasons: list[str]
    status: str
    deadline: str | None
    deadline_precision: str | None
    text: str
    region: str | None = None
    reported: bool = True  # someone reported on it; else its status reads «нет данных»


@dataclass
class AskResult:
    matches: list[Match]
    total: int
    region: str | None
    kind: str | None
    topic: list[str]
    suggestions: list[str] = field(default_factory=list)
    home_region: str | None = None  # the asker's own region, put first
    home_total: int = 0  # how many of ``total`` are from it
    status: str | None = None  # a status or deadline question (see STATUS_RULES)
    unfiltered: int = 0  # how many the question found before its status filter
    region_empty: bool = False  # the region named has no documents at all
    # How many of ``total`` the pages can list: the matches are re-ranked in a bounded pool
    # (``POOL``), so a broad question finds more than it shows.  None: all of them.
    shown: int | None = None
    # A broad question's total is where counting stopped (``COUNTED``): "больше …".
    total_over: bool = False
    # Items about the kind asked about came first, other regions' before some of the
    # asker's own (``_Cand.tier``): the home region is first only within each part.
    kind_first: bool = False

    @property
    def pages_of(self) -> int:
        """What the pages count: the shown ones."""
        return self.total if self.shown is None else min(self.total, self.shown)


@dataclass
class _Cand:
    rank: int
    score: float
    keys: sqlite3.Row  # a row with deadline, adopted_on, document_id, position
    reasons: list[str] = field(default_factory=list)
    reason_ranks: list[int] = field(default_factory=list)
    reason_addressees: list[int | None] = field(default_factory=list)
    addressee_id: int | None = None
    partner: str | None = None
    home: bool = False  # from the asker's own region: comes first
    # 1: a question about a kind and a topic, and the item is neither addressed to the kind
    # nor has its words (only the topic's): after every item that is, even the asker's own.
    tier: int = 0


# status question -> (statuses, deadline 'none' | 'some' | None, overdue only)
STATUS_RULES: dict[str, tuple[tuple[str, ...], str | None, bool]] = {
    "overdue": (OPEN_STATUSES, "some", True),
    "no_deadline": (OPEN_STATUSES, "none", False),
    "with_deadline": (STATUSES, "some", False),
    "open": (OPEN_STATUSES, None, False),
    **{status: ((status,), None, False) for status in STATUSES},
}


def _passes(keys: Any, status: str, today: dt.date | None) -> bool:
    statuses, deadline, overdue = STATUS_RULES[status]
    if keys["status"] not in statuses:
        return False
    if deadline is not None and (deadline == "none") != (keys["deadline"] is None):
        return False
    if overdue:
        return bool(keys["deadline"] < (today or dt.datetime.now(dt.UTC).date()).isoformat())
    return True


def _without_region(q: Question) -> str:
    """The question again with its region left out (for "elsewhere" counts)."""
    words = [w.text for w in q.kind_words + q.topic]
    return " ".join(words) or "что рекомендовано"


def _sort_key(c: _Cand) -> tuple[int, bool, int, float, bool, str, int, int, int]:
    k = c.keys
    adopted = int(k["adopted_on"].replace("-", "")) if k["adopted_on"] else 0
    return (
        c.tier,
        not c.home,
        c.rank,
        -c.score,
        k["deadline"] is None,
        k["deadline"] or "",
        -adopted,
        -k["document_id"],
        k["position"],
    )


def _phrase(lemmas: Sequence[str]) -> str:
    return '"' + " ".join(lemma.replace('"', "") for lemma in lemmas) + '"'


_T = TypeVar("_T")


class CountCache:
    """Totals over the whole index (a region's /my segments, a broad question's matches),
    which cost a pass over thousands of index rows at a million recommendations.

    The one cache of search results; ``SearchService`` owns it.  Invalidation: any change
    of the index empties it — this service's own index writes (``clear``) and a commit by
    any other connection or process (SQLite's ``data_version`` moves).  It is read inside
    a /my page's or a question's read job (``get_in``, on the database's thread); ``clear``
    from the event loop meanwhile keeps a value being counted from being stored."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._values: dict[tuple[Any, ...], Any] = {}
        self._version: int | None = None
        self._generation = 0

    def clear(self) -> None:
        self._values.clear()
        self._generation += 1

    def _at(self, version: int) -> int:
        """Empties the cache when the index moved on; the generation to store under."""
        if version != self._version:
            self.clear()
            self._version = version
        return self._generation

    def _keep(self, generation: int, key: tuple[Any, ...], value: Any) -> None:
        if generation == self._generation:  # no index write while counting
            if len(self._values) >= self.size:
                self._values.clear()
            self._values[key] = value

    def get_in(self, reader: SearchReader, key: tuple[Any, ...], compute: Callable[[], _T]) -> _T:
        """The value under ``key``, computed by ``compute`` when missing, inside a read
        job (on the database's thread)."""
        generation = self._at(reader.data_version())
        if key in self._values:
            cached: _T = self._values[key]
            return cached
        value = compute()
        self._keep(generation, key, value)
        return value


class SearchService:
    def __init__(self, db: Database, repo: SearchRepository | None = None) -> None:
        self.db = db
        self.repo = repo or SearchRepository(db)
        self.counts = CountCache()

    # ---- indexing --------------------------------------------------------------------
    async def reindex_document(self, document_id: int) -> None:
        """Hook for ImportService.after_import: replaces what the index holds for it."""
        await self.repo.reindex([document_id], lambda source: build_rows(source, IndexLemmas()))
        self.counts.clear()

    async def rebuild(self) -> int:
        """Index everything again (one transaction); returns the number of rows indexed.

        Batches overlap: while the database thread stores one batch's rows, a worker
        thread builds the next one's (SQLite lets go of the GIL while it works), so a
        rebuild takes about the longer of the two, not their sum, when a second core is
        free.  One build at a time: they share ``lemmas``."""
        ids = await self.repo.document_ids()
        batches = [ids[i : i + REBUILD_BATCH] for i in range(0, len(ids), REBUILD_BATCH)]
        total = 0
        lemmas = IndexLemmas()  # each distinct word of the corpus is lemmatised once
        async with self.db.transaction():
            state = await self.repo.begin_rebuild()
            building: asyncio.Future[tuple[list[SearchDoc], list[Facet]]] | None = None
            try:
                for batch in batches:
                    data = await self.repo.load_documents(batch)
                    ready = await building if building is not None else None
                    building = asyncio.ensure_future(asyncio.to_thread(build_rows, data, lemmas))
                    if ready is not None:
                        await self.repo.add_rows(*ready)
                        total += len(ready[0])
                if building is not None:
                    docs, facets = await building
                    building = None
                    await self.repo.add_rows(docs, facets)
                    total += len(docs)
                await self.repo.finish_rebuild(state)
            finally:
                if building is not None:  # failed while a batch was being built
                    await asyncio.gather(building, return_exceptions=True)
                await self.repo.restore_cache(state)
        self.counts.clear()
        return total

    async def rebuild_if_empty(self) -> bool:
        """After the search migration on a database that already had documents."""
        if not await self.repo.needs_rebuild():
            return False
        await self.rebuild()
        return True

    # ---- /my -------------------------------------------------------------------------
    async def my(self, profile: Any, limit: int = 5, offset: int = 0) -> tuple[list[Match], int]:
        """One page of what concerns an organization, best first, and how many in all.

        Items naming the organization (found by FTS) come first, then the region's facet
        segments (``my_segments``); both are ordered and cut in SQL, over index ranges, so
        a page reads about a page whatever the size of the region.
        """
        p = Profile.of(profile)
        region = valid_region(p.region)
        name = org_name(p.org_name)
        anywhere: str | None = None
        by_addressee: str | None = None
        phrases: list[tuple[str, ...]] = []
        generic = name is not None and not name.specific
        if name is not None:
            anywhere, by_addressee, phrases = _named_queries(name, region)
        segments = my_segments(valid_kind(p.kind)) if region is not None else []
        ids, total, rows = await self.repo.read(
            lambda reader: self._my_page(
                reader, region, segments, anywhere, by_addressee, limit, offset, generic, phrases
            )
        )
        if rows is None:
            return [], total
        # Reasons as the ranking gave them: every facet of the item, then its names.
        cands: dict[int, _Cand] = {}
        if region is not None:
            for row in rows.facets:
                if row["region"] == region and (row["kind"], row["relation"]) in segments:
                    _add_my_facet(cands, row, region)
        _apply_named(cands, _named_hits(rows, phrases))
        return _build_matches([(rec_id, cands[rec_id]) for rec_id in ids], rows), total

    def _my_page(
        self,
        reader: SearchReader,
        region: str | None,
        segments: list[tuple[str, int]],
        anywhere: str | None,
        by_addressee: str | None,
        limit: int,
        offset: int,
        generic: bool = False,
        phrases: Sequence[tuple[str, ...]] = (),
    ) -> tuple[list[int], int, PageRows | None]:
        """/my's reads, in one job: the page's ids, the total and the page's rows (None
        past the end)."""
        named = set(reader.match_ids(anywhere, 2 * NAMED_LIMIT)) if anywhere else set()
        if named and generic:
            # Generic words also hit the kind's words the index adds to an addressee: keep
            # the items an addressee of which bears the name itself.
            named = {
                rec_id
                for rec_id, rows in _by_item(reader.addressees_of(named)).items()
                if any(_names(a, phrases) for a in rows)
            }
        ids, named_total = reader.ranked_page(named, limit, offset) if named else ([], 0)
        counts = self._segment_counts(reader, region, segments, named) if region else []
        if region is not None:
            skip = max(0, offset - named_total)
            ids += _segment_ids(reader, region, segments, counts, named, limit - len(ids), skip)
        total = named_total + sum(counts)
        if not ids:
            return ids, total, None
        rows = reader.page_rows(
            ids,
            facets=region is not None,
            named=[i for i in ids if i in named],
            by_addressee=by_addressee,
        )
        return ids, total, rows

    def _segment_sizes(
        self, reader: SearchReader, region: str, segments: list[tuple[str, int]]
    ) -> list[int]:
        """How many items each segment of a region adds (``SearchReader.segment_counts``),
        counted once until the index changes."""
        return self.counts.get_in(
            reader, ("segments", region, *segments), lambda: reader.segment_counts(region, segments)
        )

    def _segment_counts(
        self,
        reader: SearchReader,
        region: str,
        segments: list[tuple[str, int]],
        named: set[int],
    ) -> list[int]:
        """What each segment adds past the named items: the segment's size (counted once
        until the index changes) less the named items whose first segment it is (their
        facets in the region, read by item)."""
        sizes = self._segment_sizes(reader, region, segments)
        if not named:
            return sizes
        at_of = {segment: at for at, segment in enumerate(segments)}
        first: dict[int, int] = {}
        for rec_id, kind, relation in reader.region_facets_of(named, region):
            at = at_of.get((kind, relation))
            if at is not None and at < first.get(rec_id, len(segments)):
                first[rec_id] = at
        inside = [0] * len(segments)
        for at in first.values():
            inside[at] += 1
        return [size - n for size, n in zip(sizes, inside, strict=True)]

    # ---- questions -------------------------------------------------------------------
    async def ask(
        self,
        question: str,
        *,
        region: str | None = None,
        kind: str | None = None,
        org: str | None = None,
        home_region: str | None = None,
        today: dt.date | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> AskResult:
        """Answer a question.

        ``region`` (or a region named in the question) limits the answer to it;
        ``home_region`` — the asker's own — only puts its items first.  ``today`` (the
        asker's local date) decides what is overdue.
        """
        q = parse_question(question)
        region = q.region or valid_region(region)
        home = valid_region(home_region) if region is None else None
        explicit_kind = valid_kind(kind)
        found_kind = explicit_kind or q.kind
        # A kind with nothing else asked is the question ("что рекомендовано ОМСУ?");
        # next to a topic ("поддержка СО НКО") it only lifts items addressed to that kind.
        kind_filter = explicit_kind or (q.kind if not q.topic else None)
        topic = display_words(q.topic)

        def result(matches: list[Match], total: int, **extra: Any) -> AskResult:
            return AskResult(
                matches,
                total,
                region,
                found_kind,
                topic,
                home_region=home,
                status=q.status,
                **extra,
            )

        if region is not None and not await self.repo.region_has_documents(region):
            tips = await self._elsewhere(q) + await self._suggestions(q, None, kind_filter)
            return result([], 0, region_empty=True, suggestions=tips)
        if kind_filter is not None and region is None and not q.topic and q.status is None:
            # Every region: tens of thousands of rows, so the pages are cut in SQL, the
            # asker's own region first; one trip.
            matches, home_total, total = await self.repo.read(
                lambda reader: self._kind_everywhere(reader, kind_filter, home, limit, offset)
            )
            answer = result(matches, total, home_total=home_total, unfiltered=total)
            if total == 0:
                answer.suggestions = await self._suggestions(q, region, kind_filter)
            return answer
        name = org_name(org)
        matches, total, home_total, unfiltered, shown, kind_first = await self.repo.read(
            lambda reader: self._answer(
                reader, q, region, home, found_kind, kind_filter, name, today, limit, offset
            )
        )
        answer = result(
            matches,
            total,
            home_total=home_total,
            unfiltered=unfiltered,
            shown=shown,
            total_over=total >= COUNTED,
            kind_first=kind_first,
        )
        if total == 0:
            answer.suggestions = await self._suggestions(q, region, kind_filter)
        return answer

    def _answer(
        self,
        reader: SearchReader,
        q: Question,
        region: str | None,
        home: str | None,
        kind: str | None,
        kind_filter: str | None,
        name: OrgName | None,
        today: dt.date | None,
        limit: int,
        offset: int,
    ) -> tuple[list[Match], int, int, int, int, bool]:
        """A page of the answer, its total, how many of them are from the asker's own
        region, how many before the status filter, how many the pages can list and whether
        another region's item comes before one of the asker's own; every read in one job."""
        cands, total = self._candidates(reader, q, region, kind, kind_filter, today)
        if home is not None:
            at_home, _ = self._candidates(reader, q, home, kind, kind_filter, today)
            for rec_id, c in at_home.items():
                c.home = True
                cands[rec_id] = c
        unfiltered = max(len(cands), total)
        if q.status is not None and not (q.topic or kind_filter or region):
            # "что выполнено?": out of everything (the candidates came filtered already).
            unfiltered = reader.live_count(None)
        if q.status is not None:
            cands = {i: c for i, c in cands.items() if _passes(c.keys, q.status, today)}
            total = len(cands)
        if name is not None and cands:
            phrase = _phrase(name.lemmas)
            _boost_named(cands, reader.match_ids(f"{{addressees body}} : {phrase}", NAMED_LIMIT))
        ordered = sorted(cands.items(), key=lambda item: _sort_key(item[1]))
        page = ordered[offset : offset + limit]
        matches = _build_matches(page, reader.page_rows([rec_id for rec_id, _ in page]))
        # Past the FTS pool the count comes from FTS itself.
        home_total = sum(1 for c in cands.values() if c.home)
        homes = [c.home for _, c in ordered]
        kind_first = False in homes and True in homes[homes.index(False) :]
        return matches, max(len(ordered), total), home_total, unfiltered, len(ordered), kind_first

    def _candidates(
        self,
        reader: SearchReader,
        q: Question,
        region: str | None,
        kind: str | None,
        kind_filter: str | None,
        today: dt.date | None,
    ) -> tuple[dict[int, _Cand], int]:
        if q.topic:
            # The kind's own words stay in the query: "поддержка СО НКО" is also about NGOs.
            kind_words = _as_phrase(q.kind_words) if kind_filter is None else []
            return self._ask_topic(reader, q.topic, (kind, kind_filter), region, kind_words)
        if kind_filter is not None:
            return _kind_candidates(reader.facet_candidates(region, kind_filter), kind_filter), 0
        if region is not None:
            reason = f"из документов {region_genitive(region)}"
            rows = reader.region_candidates(region)
            return {row["recommendation_id"]: _Cand(0, 1.0, row, [reason]) for row in rows}, 0
        if q.status is not None:
            statuses, deadline, overdue = STATUS_RULES[q.status]
            before = (today or dt.datetime.now(dt.UTC).date()).isoformat() if overdue else None
            rows = reader.status_candidates(region, statuses, deadline=deadline, before=before)
            return {row["recommendation_id"]: _Cand(0, 1.0, row) for row in rows}, 0
        return {}, 0

    async def _elsewhere(self, q: Question) -> list[str]:
        """For a region with no documents: what the same question finds elsewhere."""
        everywhere = await self.ask(_without_region(q), limit=1)
        if everywhere.total:
            return [
                f"По другим регионам на этот вопрос есть {everywhere.total} "
                + plural(everywhere.total, "рекомендация|рекомендации|рекомендаций")
                + " — спросите без названия региона."
            ]
        return ["Спросите без названия региона — поищу по всем регионам."]

    def _topic_query(
        self, words: Sequence[Word], region: str | None, kind: str | None, op: str = "OR"
    ) -> str | None:
        terms = fts_terms([w for w in words if w.lemma])
        if not terms:
            return None
        query = "(" + f" {op} ".join(terms) + ")"
        if not all(_NOT_ASCII.search(term) for term in terms):
            # Only an ASCII term could meet a tag token (tags are ASCII); the filter costs
            # a look at every match's positions, so a Russian question goes without it.
            query = "{body addressees title} : " + query
        if region is not None:
            query += f' AND tags : "{region_tag(region)}"'
        if kind is not None:
            query += f' AND tags : "{kind_tag(kind)}"'
        return query

    def _ask_topic(
        self,
        reader: SearchReader,
        topic: list[Word],
        kinds: tuple[str | None, str | None],
        region: str | None,
        kind_words: Sequence[Word] = (),
    ) -> tuple[dict[int, _Cand], int]:
        """Candidates of a question's words: ``kinds`` is the kind asked about (it lifts
        items addressed to it) and the kind the answer is limited to; ``kind_words``, the
        kind's own words, are searched with the topic ("поддержка СО НКО" is also about
        NGOs), and an item that has neither them nor the kind as an addressee comes after
        every one that has."""
        kind, kind_filter = kinds
        words = [*topic, *kind_words]
        query = self._topic_query(words, region, kind_filter)
        if query is None:
            return {}, 0
        every_word = self._topic_query(words, region, kind_filter, "AND")
        pool, total, rows = self._pool(reader, query, every_word, facets=kind is not None)
        if not pool:
            return {}, 0
        bm25 = {rec_id: -score for rec_id, score in pool}
        boost: dict[int, int] = {}  # relation of the asked kind: 0 addressed, 1 joint
        if kind is not None:
            for row in rows.facets:
                if row["kind"] == kind and row["relation"] <= 1:
                    rec_id = row["recommendation_id"]
                    boost[rec_id] = min(boost.get(rec_id, 1), row["relation"])
        keys = {row["recommendation_id"]: row for row in rows.keys}
        indexed = {r["recommendation_id"]: r for r in rows.indexed}
        groups = {_group(w) for w in words}
        tests = _word_tests(words)
        # The kind's own words, searched with the topic when the answer is not limited to it.
        kind_groups = {_group(w) for w in kind_words}
        cands: dict[int, _Cand] = {}
        title_hits: dict[str, set[_Group]] = {}  # a title is shared by its document's items
        for rec_id, row in keys.items():
            stored = indexed.get(rec_id)
            present = (
                _tokens(f"{stored['body']} {stored['addressees']}") if stored is not None else set()
            )
            hit = _hits(words, tests, present)
            hit_groups = {_group(w) for w in hit}
            # A word found only in the document's title is shared by all its items: it
            # counts for a fraction of one found in the item itself and is not named.
            in_title = (
                _title_hits(title_hits, stored["title"], words, tests) - hit_groups
                if stored is not None
                else set()
            )
            # Items that have every word of the question come first, then bm25 decides;
            # being addressed to the kind asked about counts like a good bm25.
            coverage = (len(hit_groups) + TITLE_SHARE * len(in_title)) / len(groups)
            relation = boost.get(rec_id)
            bonus = {0: 1.5, 1: 0.75}.get(relation, 0.0) if relation is not None else 0.0
            c = _Cand(rank=0, score=coverage * 10 + bonus + bm25[rec_id], keys=row)
            if kind_groups and relation is None and kind_groups.isdisjoint(hit_groups):
                c.tier = 1
            if hit:
                c.reasons.append(reason_words(typed_words(hit)))
            elif in_title:
                said = [w for w in words if _group(w) in in_title]
                c.reasons.append(reason_title_words(typed_words(said)))
            if relation == 0 and kind is not None:
                c.reasons.append(f"адресовано {kind_dative(kind)}")
            elif relation == 1 and kind is not None:
                c.reasons.append(f"{kind_label(kind)} — соисполнители")
            cands[rec_id] = c
        return cands, total

    def _pool(
        self, fts: SearchReader, any_word: str, every_word: str | None, *, facets: bool
    ) -> tuple[list[tuple[int, float]], int, PoolRows]:
        """FTS candidates (id, bm25), the number of matches and the candidates' rows, in
        one read job.

        bm25 costs about a microsecond per matching row, so a question that matches most of
        the corpus ("рекомендации в сфере …") is ranked among the rows that have every word,
        and when even those are too many, the newest of them are taken unranked.
        """
        pool, total = self._candidates_of(fts, any_word, every_word)
        return pool, total, fts.pool_rows([rec_id for rec_id, _ in pool], facets=facets)

    def _candidates_of(
        self, fts: SearchReader, any_word: str, every_word: str | None
    ) -> tuple[list[tuple[int, float]], int]:
        found = fts.count(any_word, cap=BROAD)
        if found < BROAD:
            return fts.match(any_word, POOL), found
        # Broad: the total is what has every word (what the pages show), not every match;
        # counted once, up to COUNTED.
        narrow = self._fts_total(fts, every_word) if every_word else 0
        if 0 < narrow < BROAD:
            assert every_word is not None  # narrow is 0 without it
            return fts.match(every_word, POOL), narrow
        source = every_word if narrow and every_word else any_word
        total = narrow if source == every_word else self._fts_total(fts, source)
        return [(rec_id, 0.0) for rec_id in fts.newest(source, POOL)], total

    def _fts_total(self, fts: SearchReader, query: str) -> int:
        """Matches of an FTS query up to ``COUNTED``, counted once until the index changes."""
        cap = COUNTED
        return self.counts.get_in(fts, ("fts", query, cap), lambda: fts.count(query, cap=cap))

    def _kind_everywhere(
        self, reader: SearchReader, kind: str, home: str | None, limit: int, offset: int
    ) -> tuple[list[Match], int, int]:
        """A page of a kind's items in every region, the asker's own region first (its
        addressed items, then its joint ones, like /my's segments), with how many are from
        it and in all; in one read job."""
        segments = [(kind, 0), (kind, 1)]
        sizes = self._segment_sizes(reader, home, segments) if home is not None else [0, 0]
        at_home = sum(sizes)
        ids = _segment_ids(reader, home, segments, sizes, (), limit, offset) if home else []
        home_cands: dict[int, _Cand] = {}
        if home is not None and ids:
            for row in reader.facet_rows(home, kind, ids):
                _add_facet(home_cands, row, kind)
        page = [(rec_id, home_cands[rec_id]) for rec_id in ids]
        # Then every other region, past the asker's own.
        rest, rest_offset = limit - len(page), max(0, offset - at_home)
        addressed, joint = reader.kind_totals(kind, home)
        rows = []
        if rest_offset < addressed and rest > 0:
            rows += reader.kind_page(kind, 0, rest, rest_offset, home)
        if len(rows) < rest:
            rows += reader.kind_page(
                kind, 1, rest - len(rows), max(0, rest_offset - addressed), home
            )
        cands: dict[int, _Cand] = {}
        for row in rows:
            _add_facet(cands, row, kind)
        page += sorted(cands.items(), key=lambda item: _sort_key(item[1]))[:rest]
        matches = _build_matches(page, reader.page_rows([rec_id for rec_id, _ in page]))
        return matches, at_home, at_home + addressed + joint

    async def _suggestions(self, q: Question, region: str | None, kind: str | None) -> list[str]:
        out: list[str] = []
        if region is not None:
            if q.topic:
                query = self._topic_query(q.topic + q.kind_words, None, kind)
                elsewhere = await self.repo.count(query) if query else 0
            elif kind is not None:
                elsewhere = sum(await self.repo.kind_totals(kind))
            else:
                elsewhere = 0
            if elsewhere:
                out.append(
                    f"Уберите регион: по другим регионам есть {elsewhere} "
                    + plural(elsewhere, "рекомендация|рекомендации|рекомендаций")
                    + "."
                )
            else:
                out.append("Уберите регион из вопроса — поищем по всем регионам.")
        if q.topic:
            out.append(
                "Попробуйте другие слова: короче и без оборотов, например «поддержка НКО»,"
                " «молодёжная политика», «общественный контроль»."
            )
        available = await self.repo.kinds_available(region)
        if not available and region is not None:
            available = await self.repo.kinds_available(None)
        labels = [kind_dative(k) for k, _ in available if k not in (Kind.OTHER, kind)][:5]
        if labels:
            out.append("Спросите, что рекомендовано: " + ", ".join(labels) + ".")
        return out


def _named_queries(
    name: OrgName, region: str | None
) -> tuple[str | None, str | None, list[tuple[str, ...]]]:
    """FTS queries of the items whose addressee or text names the organization (any case,
    any quotes, every way of writing the name) and of those whose addressee names it, and
    the lemma phrases that name it.

    The first finds them all (the addressees and the text together); the second is asked
    of the page's items only (``SearchReader.page_rows``)."""
    variants: list[tuple[tuple[str, ...], bool]] = []  # lemmas, restricted to region
    if len(name.lemmas) >= 2 or name.specific:
        variants.append((name.lemmas, not name.specific))
    if region is not None:
        # "Правительство Амурской области" is written "Правительство области" at home.
        own = set(lemma_list(region)) - {"область", "край", "республика", "город"}
        short = tuple(lem for lem in name.lemmas if lem not in own)
        if len(short) >= 2 and short != name.lemmas:
            variants.append((short, True))
    phrases = [lemmas for lemmas, _ in variants]
    terms = [
        (_phrase(lemmas), f' AND tags : "{region_tag(region)}"' if local else "")
        for lemmas, local in variants
        if region is not None or not local
    ]
    if not terms:
        return None, None, phrases
    # A text names it by its distinctive part, not by «НКО» alone.
    columns = "{addressees body}" if name.specific else "addressees"
    anywhere = " OR ".join(f"({columns} : {ph}{tail})" for ph, tail in terms)
    by_addressee = " OR ".join(f"(addressees : {ph}{tail})" for ph, tail in terms)
    return anywhere, by_addressee, phrases


def _segment_ids(
    reader: SearchReader,
    region: str,
    segments: list[tuple[str, int]],
    sizes: list[int],
    skip_ids: Iterable[int],
    limit: int,
    offset: int,
) -> list[int]:
    """Up to ``limit`` ids of a region's segments in order (``sizes``: what each adds),
    past the first ``offset``; each segment's part is cut in SQL."""
    ids: list[int] = []
    for at, size in enumerate(sizes):
        if len(ids) >= limit:
            break
        if offset >= size:
            offset -= size
            continue
        ids += reader.segment_page(region, segments, at, skip_ids, limit - len(ids), offset)
        offset = 0
    return ids


def _build_matches(page: list[tuple[int, _Cand]], rows: PageRows) -> list[Match]:
    details = {row["id"]: row for row in rows.details}
    addressees = _by_item(rows.addressees)
    matches = []
    for rec_id, c in page:
        row = details.get(rec_id)
        if row is None:
            continue
        matches.append(
            Match(
                recommendation_id=rec_id,
                document_id=row["document_id"],
                source=row["source"],
                number=row["number"],
                addressee=_addressee_label(c, addressees.get(rec_id, [])),
                score=round(c.score, 4),
                reasons=c.reasons,
                status=row["status"],
                deadline=row["deadline"],
                deadline_precision=row["deadline_precision"],
                text=row["text"],
                region=row["region"],
                reported=bool(row["reported"]),
            )
        )
    return matches


def _kind_candidates(rows: Iterable[sqlite3.Row], kind: str) -> dict[int, _Cand]:
    cands: dict[int, _Cand] = {}
    for row in rows:
        _add_facet(cands, row, kind)
    return cands


def _boost_named(cands: dict[int, _Cand], named: Iterable[int]) -> None:
    """Items that name the asker's organization count double."""
    for rec_id in set(named) & set(cands):
        c = cands[rec_id]
        c.score *= 2
        c.reasons.append("названа ваша организация")


def _by_item(addressees: Iterable[sqlite3.Row]) -> dict[int, list[sqlite3.Row]]:
    out: dict[int, list[sqlite3.Row]] = {}
    for row in addressees:
        out.setdefault(row["recommendation_id"], []).append(row)
    return out


def _names(addressee: sqlite3.Row, phrases: Iterable[tuple[str, ...]]) -> bool:
    """Whether an addressee's own name holds one of the phrases naming the organization."""
    canonical = lemma_list(addressee["canonical"])
    return any(contains_seq(canonical, ph) for ph in phrases)


def _named_hits(
    rows: PageRows, phrases: list[tuple[str, ...]]
) -> list[tuple[sqlite3.Row, sqlite3.Row | None]]:
    """The page's named items' keys and the addressee that names the organization (None:
    the text names it)."""
    addressees = _by_item(rows.addressees)
    hits: list[tuple[sqlite3.Row, sqlite3.Row | None]] = []
    for row in rows.named_keys:
        rec_id = row["recommendation_id"]
        named = next(
            (
                a
                for a in (addressees.get(rec_id, []) if rec_id in rows.by_addressee else [])
                if _names(a, phrases)
            ),
            None,
        )
        hits.append((row, named))
    return hits


def _as_phrase(words: list[Word]) -> list[Word]:
    """Kind words searched as one phrase, like an abbreviation ("органы … самоуправления")."""
    if not words:
        return []
    # The words as typed: an abbreviation ("СО НКО"), "некоммерческих организаций".
    typed = " ".join(dict.fromkeys(w.abbr or w.text for w in words))
    return [replace(w, abbr=words[0].abbr or typed, start=words[0].start) for w in words]


def _tokens(text: str) -> set[str]:
    r"""The lemmas of an indexed row: its text split at spaces and hyphens (as
    ``re.split(r"[\s-]+", text)`` would, an empty token at a separator on either end
    included), with str methods, several times faster for a question's whole pool."""
    tokens = set(text.replace("-", " ").split())
    if not text or text[0] == "-" or text[-1] == "-" or text[0].isspace() or text[-1].isspace():
        tokens.add("")
    return tokens


_NOT_ASCII = re.compile(r"[^\x00-\x7f]")


_Group = tuple[str, int] | str  # a word, or an abbreviation's words together


def _group(word: Word) -> _Group:
    return (word.abbr, word.start) if word.abbr is not None else word.lemma


def _word_tests(words: Sequence[Word]) -> list[tuple[tuple[str, ...], str | None]]:
    """How to tell each word in a row's lemmas: its parts (a hyphenated lemma), or else
    its stem for a word the dictionary does not know (see ``fts_term``); decided once per
    question, not once per candidate."""
    tests: list[tuple[tuple[str, ...], str | None]] = []
    for w in words:
        term = fts_term(w)
        tests.append((tuple(w.lemma.split("-")), term[1:-2] if term.endswith("*") else None))
    return tests


def _title_hits(
    seen: dict[str, set[_Group]],
    title: str,
    words: Sequence[Word],
    tests: Sequence[tuple[tuple[str, ...], str | None]],
) -> set[_Group]:
    """The question's word groups found in a document's title, worked out once per title."""
    found = seen.get(title)
    if found is None:
        found = seen[title] = {_group(w) for w in _hits(words, tests, _tokens(title))}
    return found


def _hits(
    words: Sequence[Word], tests: Sequence[tuple[tuple[str, ...], str | None]], present: set[str]
) -> list[Word]:
    """Words found in a row; an abbreviation counts only when all its words are there."""
    found = [
        all(p in present for p in parts)
        or (stem is not None and any(t.startswith(stem) for t in present))
        for parts, stem in tests
    ]
    missing_groups = {_group(w) for w, ok in zip(words, found, strict=True) if not ok}
    return [
        w
        for w, ok in zip(words, found, strict=True)
        if ok and (w.abbr is None or _group(w) not in missing_groups)
    ]


def _add(
    cands: dict[int, _Cand],
    keys: sqlite3.Row,
    rank: int,
    reason: str,
    addressee_id: int | None,
    partner: str | None = None,
) -> _Cand:
    rec_id = keys["recommendation_id"]
    c = cands.get(rec_id)
    if c is None:
        c = cands[rec_id] = _Cand(rank, _SCORES[rank], keys)
    if rank < c.rank:
        c.rank, c.score = rank, _SCORES[rank]
        c.addressee_id, c.partner = addressee_id, partner
    elif c.addressee_id is None and c.partner is None and rank == c.rank:
        c.addressee_id, c.partner = addressee_id, partner
    if reason not in c.reasons and not _said_by_name(c, rank, addressee_id):
        if rank == NAMED and addressee_id is not None:
            _drop_kind_reason(c, addressee_id)
        # Reasons read best first: keep them ordered by rank.
        at = sum(1 for r in c.reason_ranks if r <= rank)
        c.reasons.insert(at, reason)
        c.reason_ranks.insert(at, rank)
        c.reason_addressees.insert(at, addressee_id)
    return c


def _said_by_name(c: _Cand, rank: int, addressee_id: int | None) -> bool:
    """«адресовано вашей организации: …» already explains this addressee: its kind would
    say the same thing again."""
    return (
        rank == KIND
        and addressee_id is not None
        and any(
            r == NAMED and a == addressee_id
            for r, a in zip(c.reason_ranks, c.reason_addressees, strict=False)
        )
    )


def _drop_kind_reason(c: _Cand, addressee_id: int) -> None:
    ranked = len(c.reason_ranks)  # reasons past these were appended without a rank
    keep = [
        i
        for i, (r, a) in enumerate(zip(c.reason_ranks, c.reason_addressees, strict=True))
        if not (r == KIND and a == addressee_id)
    ]
    c.reasons = [c.reasons[i] for i in keep] + c.reasons[ranked:]
    c.reason_ranks = [c.reason_ranks[i] for i in keep]
    c.reason_addressees = [c.reason_addressees[i] for i in keep]


def my_segments(kind: str | None) -> list[tuple[str, int]]:
    """/my's facet segments (kind, relation), best first: addressed to the kind, the kind
    as a joint partner, all participants.  Participants' rows have relation 2 only and a
    kind's rows 0 or 1, so no two segments share a relation and each is one range of
    ``sort_key`` order."""
    own = [kind] if kind and kind != Kind.OTHER else []
    return [(k, 0) for k in own] + [(k, 1) for k in own] + [(ALL_PARTICIPANTS, 2)]


def _add_my_facet(cands: dict[int, _Cand], row: sqlite3.Row, region: str) -> None:
    rank = _FACET_RANK[row["relation"]]
    if rank == KIND:
        reason = reason_kind(row["kind"], region)
    elif rank == JOINT:
        reason = row["note"] or reason_joint(None)
    else:
        reason = reason_participants(region)
    _add(cands, row, rank, reason, row["addressee_id"], row["partner"])


def _apply_named(
    cands: dict[int, _Cand], hits: Iterable[tuple[sqlite3.Row, sqlite3.Row | None]]
) -> None:
    for row, named in hits:
        if named is not None:
            c = _add(cands, row, NAMED, reason_named_addressee(named["canonical"]), named["id"])
            c.score = max(c.score, _SCORES[NAMED])
        else:
            c = _add(cands, row, NAMED, REASON_NAMED_TEXT, None)
            c.score = max(c.score, _SCORES[NAMED] - 0.5) if c.rank == NAMED else c.score


def _add_facet(cands: dict[int, _Cand], row: sqlite3.Row, kind: str) -> None:
    """A candidate from a facet row: addressed to the kind, or joint with it."""
    rank = _FACET_RANK[row["relation"]]
    reason = (
        reason_kind(kind, row["region"]) if rank == KIND else (row["note"] or reason_joint(None))
    )
    _add(cands, row, rank, reason, row["addressee_id"], row["partner"])


def _addressee_label(c: _Cand, addressees: list[sqlite3.Row]) -> str:
    by_id = {a["id"]: a for a in addressees}
    if c.addressee_id in by_id:
        return str(by_id[c.addressee_id]["canonical"])
    if c.partner:
        return c.partner
    main = [a for a in addressees if not is_instrumental(a["name"])]
    if main:
        return str(main[0]["canonical"])
    return str(addressees[0]["canonical"]) if addressees else NO_ADDRESSEE


# ---------------------------------------------------------------------------------------
# What one recommendation contributes to the index (pure Python, off the event loop: on the
# database thread for one document's reindex, in a worker thread for a rebuild's batches).


class IndexLemmas:
    """``normalise`` for one indexing run, with each distinct word and name lemmatised once.

    Owned by one run (a rebuild, one document's reindex) and dropped with it, so nothing
    needs invalidating; the rows it gives are exactly ``normalise``'s."""

    def __init__(self) -> None:
        self._words: dict[str, str] = {}  # a word as written -> its lemma ("" for digits)
        self._names: dict[str, str] = {}  # short texts that recur: titles, names, labels
        self._tags: dict[str, str] = {}  # region -> its FTS token

    def text(self, text: str) -> str:
        found = WORD_RE.findall(text)
        firsts = abbreviation_first_words()
        if firsts is None or not firsts.isdisjoint(found):
            found = WORD_RE.findall(expand_abbreviations(text))
        words = self._words
        for word in set(found).difference(words):
            # ``tokens`` keeps words with a letter: WORD_RE's others are digits and hyphens
            words[word] = "" if word.replace("-", "").isdigit() else normal_form(word)
        return " ".join(filter(None, map(words.__getitem__, found)))

    def region_tag(self, region: str) -> str:
        found = self._tags.get(region)
        if found is None:
            found = self._tags[region] = region_tag(region)
        return found

    def name(self, name: str) -> str:
        found = self._names.get(name)
        if found is None:
            found = self._names[name] = self.text(name)
        return found


class IndexAddressee(NamedTuple):
    """An addressee as indexing sees it, its role worked out once per indexing batch."""

    id: int
    name: str
    canonical: str
    kind: str
    lemmas: str  # of the canonical name, for the row's ``addressees`` column
    joint: bool  # a joint partner ("совместно с …"), stored in the instrumental
    participants: bool  # all participants of the forum
    kinds: tuple[str, ...]  # the kinds it stands for


def build_rows(
    data: IndexSource, lemmas: IndexLemmas | None = None
) -> tuple[list[SearchDoc], list[Facet]]:
    """The index rows of a batch of documents (``SearchRepository.load_documents``)."""
    lemmas = lemmas or IndexLemmas()
    # What every item of a document or an addressee shares is worked out once.
    documents = {
        doc_id: (lemmas.name(title), region or "", adopted_on, lemmas.region_tag(region or ""))
        for doc_id, title, region, adopted_on in data.documents
    }
    addressees = {
        addressee_id: IndexAddressee(
            addressee_id,
            name,
            canonical,
            kind,
            lemmas.name(canonical),
            *_addressee_role(name, canonical, kind),
        )
        for addressee_id, name, canonical, kind in data.addressees
    }
    links: dict[int, list[IndexAddressee]] = {}
    for rec_id, addressee_id in data.links:
        if addressee_id in addressees:
            links.setdefault(rec_id, []).append(addressees[addressee_id])
    docs: list[SearchDoc] = []
    facets: list[Facet] = []
    no_addressees: list[IndexAddressee] = []
    for rec_id, document_id, position, text, deadline in data.recommendations:
        title, region, adopted_on, region_token = documents[document_id]
        addrs = links.get(rec_id, no_addressees)
        key = sort_key(deadline, adopted_on, document_id, position)
        rec_facets = recommendation_facets(rec_id, document_id, region, text, addrs, sort_key=key)
        facets += rec_facets
        kinds = sorted({f.kind for f in rec_facets if f.relation < 2})
        names = [a.lemmas for a in addrs]
        labels = [lemmas.name(kind_label(k)) for k in kinds if k != Kind.OTHER]
        tags = [region_token] + [kind_tag(k) for k in kinds]
        if any(f.relation == 2 for f in rec_facets):
            tags.append(kind_tag(ALL_PARTICIPANTS))
        docs.append(
            SearchDoc(
                recommendation_id=rec_id,
                document_id=document_id,
                region=region,
                body=lemmas.text(text),
                addressees=" ".join(names + labels),
                title=title,
                tags=" ".join(tags),
            )
        )
    return docs, facets


def sort_key(deadline: str | None, adopted_on: str | None, document_id: int, position: int) -> str:
    """Text that sorts like ``_sort_key``: deadline soonest, newest document, position."""
    adopted = int(adopted_on.replace("-", "")) if adopted_on else 0
    return (
        f"{deadline or '9999-12-31'}|{99_999_999 - adopted:08d}"
        f"|{999_999_999_999 - document_id:012d}|{position:06d}"
    )


# What recurs across items (one main addressee, the same partners) is inflected once.
_joint_note = lru_cache(maxsize=4096)(reason_joint)
_partner_nominative = lru_cache(maxsize=4096)(to_partner_nominative)


@lru_cache(maxsize=4096)
def _addressee_role(name: str, canonical: str, kind: str) -> tuple[bool, bool, tuple[str, ...]]:
    """(a joint partner, all participants, the kinds it stands for) of an addressee."""
    joint = is_instrumental(name)
    participants = not joint and kind == Kind.OTHER and is_participants(canonical)
    return joint, participants, addressee_kinds(canonical, kind)


def recommendation_facets(
    rec_id: int,
    document_id: int,
    region: str,
    text: str,
    addrs: Sequence[IndexAddressee],
    *,
    sort_key: str = "",
) -> list[Facet]:
    joint = [a for a in addrs if a.joint]
    main = [a for a in addrs if not a.joint]
    partners = joint_partners(text)
    # "совместно с <main addressee>", only for the rows that say it
    note = _joint_note(main[0].canonical if main else None) if joint or partners else None
    out: list[Facet] = []
    for a in main:
        if a.participants:
            out.append(
                Facet(region, ALL_PARTICIPANTS, 2, rec_id, document_id, a.id, sort_key=sort_key)
            )
            continue
        for kind in a.kinds:
            out.append(Facet(region, kind, 0, rec_id, document_id, a.id, sort_key=sort_key))
    # No addressee (a body's decision, a hearing, an appeal): nobody's, not "all participants'"
    # (a forum's such items carry its participants as an addressee).
    for a in joint:
        out.append(
            Facet(region, a.kind, 1, rec_id, document_id, a.id, note=note, sort_key=sort_key)
        )
    for piece in partners:
        kind = partner_kind(piece)
        if any(a.kind == kind for a in joint):
            continue
        out.append(
            Facet(
                region,
                kind,
                1,
                rec_id,
                document_id,
                partner=_partner_nominative(piece),
                note=note,
                sort_key=sort_key,
            )
        )
    return out

"""Who is writing to the bot: a person's consent, user record and subscribed regions, kept in
memory between their updates.

Every update reads its sender's consent and record (the registration middleware), and each /my
or question their profile and regions too, while these rows change seldom.  ``PeopleCache``
is the one in-memory copy of them, one per process (``bot/container.py``), and has one
invalidation rule: any write to ``users``, ``consents`` or ``subscriptions``, by whichever
repository, drops every copy (``Database.on_write`` tells it after the statement and again at
the end of the transaction).  A read that was under way when a write came is not kept, so a
copy is never older than the last write.  Only this process writes these tables while the bot
runs (a restore needs the bot stopped).  Roles are not kept here: a card reads them with its
own rows, so a role granted or revoked counts from the next update on.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from dataclasses import dataclass

from storage.db import Database
from storage.users import UserRecord, _record

TABLES = frozenset({"users", "consents", "subscriptions"})
CACHED_PEOPLE = 10_000


@dataclass(frozen=True)
class ConsentRow:
    user_id: int
    decision: str
    version: str
    decided_at: str

    @property
    def given(self) -> bool:
        return self.decision == "given"


@dataclass(frozen=True)
class Person:
    consent: ConsentRow | None
    user: UserRecord | None
    regions: tuple[str, ...]  # subscribed, oldest first


class PeopleCache:
    def __init__(self, db: Database, size: int = CACHED_PEOPLE) -> None:
        self.db = db
        self.size = size
        self._people: OrderedDict[int, Person] = OrderedDict()  # newest last
        self._generation = 0
        db.on_write(TABLES, self.clear)

    def clear(self) -> None:
        self._people.clear()
        self._generation += 1

    async def get(self, user_id: int) -> Person:
        cached = self._people.get(user_id)
        if cached is not None:
            self._people.move_to_end(user_id)
            return cached
        generation = self._generation
        person = await self.db.read_short(lambda conn: _person(conn, user_id))  # by keys
        if generation == self._generation:  # nothing written meanwhile
            self._people[user_id] = person
            while len(self._people) > self.size:
                self._people.popitem(last=False)
        return person


def _person(conn: sqlite3.Connection, user_id: int) -> Person:
    consent = conn.execute("SELECT * FROM consents WHERE user_id = ?", (user_id,)).fetchone()
    user = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    regions = conn.execute(
        "SELECT region FROM subscriptions WHERE user_id = ? ORDER BY created_at, region",
        (user_id,),
    )
    return Person(
        consent=ConsentRow(**dict(consent)) if consent else None,
        user=_record(user) if user else None,
        regions=tuple(r[0] for r in regions),
    )

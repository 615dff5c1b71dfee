"""The digest planner's reads of the window's activity use indexes, never a whole table."""

from storage.digests import DEADLINES_SQL


async def test_deadlines_in_the_window_are_read_by_index(db):
    plan = await db.fetchall(f"EXPLAIN QUERY PLAN {DEADLINES_SQL}", ("a", "b", "c"))
    steps = [row["detail"] for row in plan]
    assert any("recommendations_deadline" in step for step in steps)
    # A scan of recommendations costs a second at a million, on every digest run.
    assert [step for step in steps if step.startswith("SCAN r")] == []


async def test_deadlines_in_the_window_and_recurring_terms_are_read_once(db, services, clock):
    now = clock.iso()
    await db.execute(
        "INSERT INTO documents (id, doc_key, source, content_hash, title, region, created_at,"
        " updated_at) VALUES (1, 'k', 's', 'h', 'Резолюция', 'Амурская область', ?, ?)",
        (now, now),
    )
    rows = [
        (1, "2026-03-05", "once", 0, "not_started"),  # in the window
        (2, "2025-01-10", "recurring", 0, "in_progress"),  # a recurring term: its next one
        (3, "2026-03-06", "once", 1, "not_started"),  # removed
        (4, "2026-03-06", "once", 0, "done"),  # closed
        (5, "2026-06-01", "once", 0, "not_started"),  # later
        (6, "2026-03-05", "recurring", 0, "not_started"),  # both: once
    ]
    await db.executemany(
        "INSERT INTO recommendations (id, document_id, position, number, text, deadline,"
        " deadline_precision, deadline_kind, removed, status, created_at, updated_at)"
        " VALUES (?, 1, ?, ?, 'Текст', ?, 'day', ?, ?, ?, ?, ?)",
        [
            (i, i, str(i), day, kind, removed, status, now, now)
            for i, day, kind, removed, status in rows
        ],
    )
    found = await services.digests.repo.deadlines_between("2026-03-01", "2026-03-18")
    assert sorted(row["id"] for row in found) == [1, 2, 6]

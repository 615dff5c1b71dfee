"""A small document written straight into the database (hostile text, many items)."""

from __future__ import annotations

from bot.container import Services

NOW = "2026-01-10T00:00:00+00:00"


async def make_document(
    services: Services,
    *,
    title: str = "Резолюция форума",
    region: str = "Амурская область",
    items: list[str] | None = None,
    addressees: tuple[str, ...] = ("Правительство Амурской области",),
    deadline: str | None = "2026-12-31",
) -> tuple[int, list[int], list[int]]:
    """(document id, addressee ids, recommendation ids); every item goes to the first body."""
    db = services.db
    doc_id = await db.execute(
        "INSERT INTO documents (doc_key, source, content_hash, title, adopted_on, region,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (f"k-{title}-{region}", "t.txt", "h", title, "2025-11-20", region, NOW, NOW),
    )
    addressee_ids = []
    for position, name in enumerate(addressees):
        addressee_ids.append(
            await db.execute(
                "INSERT INTO addressees (document_id, position, name, canonical, kind, region)"
                " VALUES (?, ?, ?, ?, 'regional_government', ?)",
                (doc_id, position, name, name, region),
            )
        )
    rec_ids = []
    for position, text in enumerate(items or ["Разработать программу поддержки НКО."]):
        rec_id = await db.execute(
            "INSERT INTO recommendations (document_id, position, number, text, deadline,"
            " deadline_precision, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                doc_id,
                position,
                str(position + 1),
                text,
                deadline,
                "day" if deadline else None,
                NOW,
                NOW,
            ),
        )
        await db.execute(
            "INSERT INTO recommendation_addressees (recommendation_id, addressee_id) VALUES (?, ?)",
            (rec_id, addressee_ids[0]),
        )
        rec_ids.append(rec_id)
    return doc_id, addressee_ids, rec_ids

"""Migration 0012: reports made before it name their organization, so /forget can keep them."""

from storage import Database, apply_migrations
from storage.migrate import load_migrations

NOW = "2026-03-02T07:00:00+00:00"


async def test_existing_official_reports_get_their_organization(tmp_path):
    db = await Database.connect(tmp_path / "bot.sqlite3")
    try:
        migrations = load_migrations()
        await apply_migrations(db, [m for m in migrations if m.version < 12])
        await db.execute(
            "INSERT INTO users (id, first_name, created_at, updated_at) VALUES (5, 'Пётр', ?, ?)",
            (NOW, NOW),
        )
        await db.execute(
            "INSERT INTO documents (id, doc_key, source, content_hash, title, created_at,"
            " updated_at) VALUES (1, 'k', 's', 'h', 'Резолюция', ?, ?)",
            (NOW, NOW),
        )
        await db.execute(
            "INSERT INTO addressees (id, document_id, position, name, canonical, kind)"
            " VALUES (3, 1, 0, 'Правительству области', 'Правительство области',"
            " 'regional_government')"
        )
        await db.execute(
            "INSERT INTO recommendations (id, document_id, position, number, text, created_at,"
            " updated_at) VALUES (9, 1, 0, '1', 'Текст', ?, ?)",
            (NOW, NOW),
        )
        await db.execute("INSERT INTO recommendation_addressees VALUES (9, 3)")
        await db.execute(
            "INSERT INTO officials (user_id, addressee_id, created_at) VALUES (5, 3, ?)", (NOW,)
        )
        for role in ("official", "member"):
            await db.execute(
                "INSERT INTO history (recommendation_id, actor_id, actor_role, event, comment,"
                " created_at) VALUES (9, 5, ?, 'comment', 'Идёт работа', ?)",
                (role, NOW),
            )

        assert await apply_migrations(db) == [m.version for m in migrations if m.version >= 12]
        rows = await db.fetchall("SELECT actor_role, actor_org FROM history ORDER BY id")
        assert [tuple(r) for r in rows] == [
            ("official", "Правительство области"),
            ("member", None),
        ]
    finally:
        await db.close()

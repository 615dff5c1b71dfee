"""The rooms of the house: which package may import which (read from the code's AST).

* ``bot/`` is the domain: it imports no aiogram and no ``handlers``, except its Telegram
  plumbing ``bot/telegram/`` (assembly, runner, sender) and ``bot/tryout/`` (a channel of its
  own that drives the real dispatcher).
* ``storage/`` imports neither aiogram nor ``bot`` nor ``handlers``.
* SQL lives in ``storage/``: no SQL statement in a string in ``bot/``.
* Handlers call services only: no ``….repo``, ``services.db`` or ``services.documents`` (the
  repositories the container also holds) in ``handlers/``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# (package, what it must not import, its subpackages that may)
RULES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("bot", ("aiogram", "handlers"), ("bot/telegram", "bot/tryout")),
    ("storage", ("aiogram", "bot", "handlers"), ()),
)


SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|DROP|ALTER|PRAGMA)\s")
# Backups copy and check the database file through sqlite3 itself, outside the repositories.
SQL_ALLOWED = ("bot/backup.py",)


def imported_modules(source: str) -> list[tuple[int, str]]:
    """Every module an import statement names (anywhere: in functions, under TYPE_CHECKING)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module))
    return found


def violations(root: Path) -> list[str]:
    found = []
    for package, forbidden, allowed in RULES:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if any(relative.startswith(prefix + "/") for prefix in allowed):
                continue
            for line, module in imported_modules(path.read_text(encoding="utf-8")):
                top = module.split(".")[0]
                if top in forbidden:
                    found.append(f"{relative}:{line} imports {module}")
    return found


def sql_strings(root: Path) -> list[str]:
    found = []
    for path in sorted((root / "bot").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative in SQL_ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            parts = node.values if isinstance(node, ast.JoinedStr) else [node]
            first = parts[0] if parts else None
            text = first.value if isinstance(first, ast.Constant) else None
            if isinstance(text, str) and SQL.match(text):
                found.append(f"{relative}:{node.lineno}")
    return sorted(set(found))


def repository_reach(root: Path) -> list[str]:
    found = []
    for path in sorted((root / "handlers").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Attribute):
                continue
            on_services = isinstance(node.value, ast.Name) and node.value.id == "services"
            if node.attr == "repo" or (on_services and node.attr in ("db", "documents")):
                found.append(f"{relative}:{node.lineno} .{node.attr}")
    return found


def test_the_domain_and_storage_import_no_telegram_and_no_handlers():
    assert violations(ROOT) == []


def test_the_check_sees_an_import_anywhere_in_a_module(tmp_path):
    (tmp_path / "bot" / "telegram").mkdir(parents=True)
    (tmp_path / "storage").mkdir()
    (tmp_path / "bot" / "service.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from aiogram.types import Message\n"
        "def later():\n"
        "    import handlers.cards\n",
        encoding="utf-8",
    )
    (tmp_path / "bot" / "telegram" / "app.py").write_text(
        "from aiogram import Bot\nfrom handlers import get_routers\n", encoding="utf-8"
    )
    (tmp_path / "storage" / "repo.py").write_text(
        "from bot.clock import Clock\nfrom .db import Database\n", encoding="utf-8"
    )
    assert violations(tmp_path) == [
        "bot/service.py:3 imports aiogram.types",
        "bot/service.py:5 imports handlers.cards",
        "storage/repo.py:1 imports bot.clock",
    ]


def test_sql_lives_in_storage():
    assert sql_strings(ROOT) == []


def test_handlers_reach_no_repository():
    assert repository_reach(ROOT) == []


def test_the_sql_and_repository_checks_see_a_service_and_a_handler_doing_it(tmp_path):
    (tmp_path / "bot").mkdir()
    (tmp_path / "handlers").mkdir()
    (tmp_path / "bot" / "service.py").write_text(
        "async def f(db, table):\n"
        '    await db.execute("UPDATE users SET x = ? WHERE id = ?", (1, 2))\n'
        '    await db.fetchall(f"SELECT * FROM {table}")\n'
        '    return "Select a region"\n',
        encoding="utf-8",
    )
    (tmp_path / "handlers" / "feature.py").write_text(
        "async def on_event(services):\n"
        "    await services.announcements.repo.get(1)\n"
        "    await services.documents.list()\n"
        "    await services.announcements.get(1)\n",
        encoding="utf-8",
    )
    assert sql_strings(tmp_path) == ["bot/service.py:2", "bot/service.py:3"]
    assert repository_reach(tmp_path) == [
        "handlers/feature.py:2 .repo",
        "handlers/feature.py:3 .documents",
    ]

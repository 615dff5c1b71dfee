"""Every UserError raised in the code names a text that exists: read from the source itself.

A raise is found with the AST (``UserError("key", …)`` or any subclass, wherever it is
defined); its key is a string literal, or an item of a module-level dict of literals (as
``DENIED_TEXT[action]`` in bot/access.py). A key the test cannot read fails it: a key built
at run time is a text no test would ever check.
"""

from __future__ import annotations

import ast
from pathlib import Path

from bot.errors import UserError
from bot.paths import PROJECT_DIR
from bot.texts import Texts

SOURCES = ("bot", "handlers", "storage")


def _trees() -> dict[Path, ast.Module]:
    return {
        path: ast.parse(path.read_text(encoding="utf-8"), str(path))
        for folder in SOURCES
        for path in sorted((PROJECT_DIR / folder).rglob("*.py"))
    }


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """UserError and its subclasses by name: those of bot/errors.py and any defined elsewhere."""
    names = {UserError.__name__}
    grown = True
    while grown:
        grown = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names:
                    bases = {
                        b.id if isinstance(b, ast.Name) else getattr(b, "attr", "")
                        for b in node.bases
                    }
                    if bases & names:
                        names.add(node.name)
                        grown = True
    return names


def _literal_dicts(tree: ast.Module) -> dict[str, list[str]]:
    """Module-level ``NAME = {…: "literal", …}``: the literals a subscript of NAME can be."""
    found: dict[str, list[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            values = node.value.values
            if all(isinstance(v, ast.Constant) and isinstance(v.value, str) for v in values):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = [v.value for v in values]  # type: ignore[union-attr]
    return found


def raised_keys() -> tuple[dict[str, list[str]], list[str]]:
    """Text keys by where they are raised, and the raises whose key cannot be read."""
    trees = _trees()
    classes = _error_classes(trees)
    keys: dict[str, list[str]] = {}
    unreadable: list[str] = []
    for path, tree in trees.items():
        dicts = _literal_dicts(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = (
                node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            )
            if name not in classes:
                continue
            where = f"{path.relative_to(PROJECT_DIR)}:{node.lineno}"
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                keys.setdefault(first.value, []).append(where)
            elif (
                isinstance(first, ast.Subscript)
                and isinstance(first.value, ast.Name)
                and first.value.id in dicts
            ):
                for key in dicts[first.value.id]:
                    keys.setdefault(key, []).append(where)
            else:
                unreadable.append(where)
    return keys, unreadable


def test_every_raised_user_error_names_an_existing_text():
    keys, unreadable = raised_keys()
    assert not unreadable, f"a UserError whose key is not a literal: {unreadable}"
    names = set(Texts.load().names())
    missing = {key: where for key, where in keys.items() if key not in names}
    assert not missing, f"UserError keys missing in content/texts/ru.toml: {missing}"


def test_the_scan_sees_the_raises_it_is_meant_to_check():
    """The scan itself works: raises of the base, of subclasses and through a dict are found."""
    keys, _ = raised_keys()
    assert "corrections.stale" in keys  # Stale, in bot/ and in handlers/
    assert any(w.startswith("handlers/") for w in keys["corrections.stale"])
    assert "invite.bad_limits" in keys  # InvalidInput
    assert "access.own_work" in keys  # PermissionDenied(DENIED_TEXT[action])
    assert "documents.draft_gone" in keys  # NotFound
    assert "documents.refused.docx_dtd" in keys  # DocumentError, a subclass outside bot/errors.py

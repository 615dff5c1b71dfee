"""The command menu: which commands exist and who sees them. Descriptions are texts.

Setting it in Telegram is :mod:`bot.telegram.menu`.
"""

from __future__ import annotations

from bot.texts import Texts

# (command, roles that get it in their menu); "all" means everyone.
COMMANDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("start", frozenset({"all"})),
    ("my", frozenset({"all"})),
    ("tasks", frozenset({"official"})),
    ("profile", frozenset({"all"})),
    ("settings", frozenset({"all"})),
    ("pause", frozenset({"official"})),
    ("progress", frozenset({"coordinator"})),
    ("invite", frozenset({"coordinator"})),
    ("officials", frozenset({"coordinator"})),
    ("announce", frozenset({"coordinator"})),
    ("announcements", frozenset({"coordinator"})),
    ("coordinator", frozenset({"admin"})),
    ("privacy", frozenset({"all"})),
    ("mydata", frozenset({"all"})),
    ("forget", frozenset({"all"})),
    ("help", frozenset({"all"})),
)


def commands_for(texts: Texts, roles: set[str] | None = None) -> list[tuple[str, str]]:
    """(command, description) pairs for a set of roles; None means the public menu."""
    wanted = {"all"} | (roles or set())
    return [(name, texts(f"commands.{name}")) for name, who in COMMANDS if who & wanted]

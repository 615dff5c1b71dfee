"""Printing and reading lines: rich and prompt_toolkit on a terminal, plain text otherwise.

Both libraries are optional (the ``try`` extra).  Without them, or when the output is not a
terminal (a pipe, a file), lines are printed as plain text — no ANSI codes, no wrapping —
and input is read a line at a time without a prompt, so a scripted demo's transcript reads
cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

from bot.tryout.render import Span

if TYPE_CHECKING:
    from prompt_toolkit import PromptSession

RICH_STYLES = {
    "bold": "bold",
    "italic": "italic",
    "underline": "underline",
    "strike": "strike",
    "code": "cyan",
    "spoiler": "reverse",
    "link": "underline blue",
    "quote": "italic",
    "dim": "dim",
    "header": "bold magenta",
    "note": "dim italic",
    "alert": "bold yellow",
    "me": "bold green",
    "button": "cyan",
}


class Screen:
    """Where the terminal prints; ``styled`` when a person is watching a real terminal."""

    def __init__(self, out: TextIO | None = None, styled: bool | None = None) -> None:
        self.out = out or sys.stdout
        if styled is None:
            styled = _isatty(self.out) and not os.environ.get("NO_COLOR")
        self._console = None
        if styled:
            try:
                from rich.console import Console
            except ImportError:
                styled = False
            else:
                # file=None: rich writes to whatever sys.stdout is at the time, so
                # prompt_toolkit's patch_stdout can keep the prompt below the output.
                self._console = Console(
                    file=None if self.out is sys.stdout else self.out,
                    force_terminal=True,
                    highlight=False,
                    soft_wrap=True,
                )
        self.styled = styled

    def print(self, spans: list[Span], indent: str = "") -> None:
        if indent:
            spans = _indent(spans, indent)
        if self._console is not None:
            from rich.text import Text

            text = Text()
            for chunk, style in spans:
                text.append(chunk, style=_rich_style(style))
            self._console.print(text)
        else:
            self.out.write("".join(chunk for chunk, _ in spans) + "\n")
            self.out.flush()

    def line(self, text: str, style: str = "") -> None:
        self.print([(text, style)])


def _rich_style(style: str) -> str | None:
    parts = [RICH_STYLES[s] for s in style.split() if s in RICH_STYLES]
    return " ".join(parts) or None


def _indent(spans: list[Span], indent: str) -> list[Span]:
    """Every non-empty line starts with ``indent`` (empty lines stay empty)."""
    result: list[Span] = []
    at_line_start = True
    for chunk, style in spans:
        for i, piece in enumerate(chunk.split("\n")):
            if i:
                result.append(("\n", ""))
                at_line_start = True
            if piece:
                if at_line_start:
                    result.append((indent, ""))
                    at_line_start = False
                result.append((piece, style))
    return result


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Keyboard:
    """Reads what the person types; ``None`` at the end of input (EOF, Ctrl+D)."""

    def __init__(self, screen: Screen, stdin: TextIO | None = None) -> None:
        self.screen = screen
        self.stdin: TextIO = stdin or sys.stdin
        # A person typing at a terminal sees their own line; a pipe's lines are echoed.
        self.interactive = _isatty(self.stdin) and _isatty(screen.out)
        self._prompt: PromptSession[str] | None = None
        if self.interactive:
            try:
                from prompt_toolkit import PromptSession
            except ImportError:
                # input() then gets line editing and history from the standard library.
                with contextlib.suppress(ImportError):
                    importlib.import_module("readline")
            else:
                self._prompt = PromptSession()

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """While reading: the bot's messages arriving meanwhile are printed above the prompt."""
        if self._prompt is None:
            yield
            return
        from prompt_toolkit.patch_stdout import patch_stdout

        with patch_stdout(raw=True):
            yield

    async def read(self, prompt: str) -> str | None:
        # Ctrl+C drops the line being typed (as in a shell); Ctrl+D ends the session.
        if self._prompt is not None:
            try:
                return await self._prompt.prompt_async(prompt)
            except KeyboardInterrupt:
                return ""
            except EOFError:
                return None
        if self.interactive:
            try:
                return await asyncio.to_thread(input, prompt)
            except EOFError:
                return None
        line = await asyncio.to_thread(self.stdin.readline)
        if not line:
            return None
        return line.rstrip("\r\n")

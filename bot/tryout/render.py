"""A message as a person reads it: Telegram's HTML (or entities) turned into styled text.

Text is a list of ``(text, style)`` spans; the style is a space-separated set of ``bold``,
``italic``, ``underline``, ``strike``, ``code``, ``spoiler``, ``link`` or ``quote``.  Links
are shown plainly, the address in brackets after the words; keyboards become numbered
buttons.  Nothing here knows about the terminal: :mod:`bot.tryout.screen` prints the spans.
"""

from __future__ import annotations

import itertools
from html import unescape
from html.parser import HTMLParser
from typing import Any

Span = tuple[str, str]

_TAG_STYLES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strike",
    "strike": "strike",
    "del": "strike",
    "code": "code",
    "pre": "code",
    "tg-spoiler": "spoiler",
    "blockquote": "quote",
}

_ENTITY_STYLES = {
    "bold": "bold",
    "italic": "italic",
    "underline": "underline",
    "strikethrough": "strike",
    "code": "code",
    "pre": "code",
    "spoiler": "spoiler",
    "blockquote": "quote",
    "expandable_blockquote": "quote",
    "text_link": "link",
    "url": "link",
}


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.spans: list[Span] = []
        self.styles: list[str] = []
        self.links: list[str | None] = []
        self.link_text: list[str] = []

    def _style(self) -> str:
        return " ".join(dict.fromkeys(self.styles))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append(dict(attrs).get("href"))
            self.link_text.append("")
            self.styles.append("link")
        elif tag == "span" and ("class", "tg-spoiler") in attrs:
            self.styles.append("spoiler")
        elif tag == "br":
            self.spans.append(("\n", ""))
        else:
            self.styles.append(_TAG_STYLES.get(tag, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "br":
            return
        if self.styles:
            self.styles.pop()
        if tag == "a" and self.links:
            href, text = self.links.pop(), self.link_text.pop()
            if href and href != text.strip():
                self.spans.append((f" ({href})", "dim"))

    def handle_data(self, data: str) -> None:
        if self.link_text:
            self.link_text[-1] += data
        self.spans.append((data, self._style()))


def html_spans(text: str) -> list[Span]:
    """Telegram's HTML subset as styled spans; anything unparsable is shown as it is."""
    parser = _Html()
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # malformed markup: the words still matter more than the styling
        return [(unescape(text), "")]
    return _merge(parser.spans)


def entity_spans(text: str, entities: list[dict[str, Any]] | None) -> list[Span]:
    """Plain text with Telegram entities (offsets in UTF-16 code units) as styled spans."""
    if not entities:
        return [(text, "")]
    units = text.encode("utf-16-le")

    def cut(start: int, end: int) -> str:
        return units[start * 2 : end * 2].decode("utf-16-le", errors="replace")

    length = len(units) // 2
    bounds = sorted({0, length} | {e["offset"] for e in entities} | _ends(entities))
    spans: list[Span] = []
    for start, end in itertools.pairwise(bounds):
        covering = [e for e in entities if e["offset"] <= start and end <= _end(e)]
        style = " ".join(
            dict.fromkeys(
                _ENTITY_STYLES[e["type"]] for e in covering if e["type"] in _ENTITY_STYLES
            )
        )
        spans.append((cut(start, end), style))
        for e in covering:
            if e["type"] == "text_link" and _end(e) == end and e.get("url"):
                spans.append((f" ({e['url']})", "dim"))
    return _merge(spans)


def _end(entity: dict[str, Any]) -> int:
    return int(entity["offset"]) + int(entity["length"])


def _ends(entities: list[dict[str, Any]]) -> set[int]:
    return {_end(e) for e in entities}


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for text, style in spans:
        if not text:
            continue
        if merged and merged[-1][1] == style:
            merged[-1] = (merged[-1][0] + text, style)
        else:
            merged.append((text, style))
    return merged


def message_spans(message: dict[str, Any], parse_mode: str | None) -> list[Span]:
    """The words of a message (text or caption) the way its parse mode says to read them."""
    text = message.get("text") or message.get("caption") or ""
    entities = message.get("entities") or message.get("caption_entities")
    if parse_mode == "HTML" and not entities:
        return html_spans(text)
    return entity_spans(text, entities)


def plain(spans: list[Span]) -> str:
    return "".join(text for text, _ in spans)


# --- keyboards ---------------------------------------------------------------------------


def inline_buttons(markup: dict[str, Any] | None) -> list[list[dict[str, Any]]]:
    """The inline keyboard's rows (each button a dict as Telegram has it)."""
    if not isinstance(markup, dict):
        return []
    return [list(row) for row in markup.get("inline_keyboard") or []]


def reply_buttons(markup: dict[str, Any] | None) -> list[list[dict[str, Any]]]:
    """A reply keyboard's rows; buttons given as plain strings become ``{"text": …}``."""
    if not isinstance(markup, dict):
        return []
    return [
        [b if isinstance(b, dict) else {"text": str(b)} for b in row]
        for row in markup.get("keyboard") or []
    ]


def button_label(number: int, button: dict[str, Any]) -> str:
    label = f"[{number}] {button.get('text', '')}"
    if button.get("url"):
        label += f" → {button['url']}"
    return label

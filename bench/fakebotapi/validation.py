"""Telegram's text, caption and keyboard checks, with Telegram's error descriptions.

The HTML parser follows tdlib's ``parse_html`` (the code behind ``parse_mode=HTML``): the same
tag set, attribute grammar and error messages, byte offsets counted in UTF-8 like Telegram.
"""

from __future__ import annotations

import re
from typing import Any

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)

_SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_ENTITY_TYPE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPECIAL = re.compile(r"[<&]")
_ENTITY_RE = re.compile(r"&(?:#[xX]([0-9a-fA-F]*)|#([0-9]*)|([a-zA-Z]*))(;?)")
_NAME_TOKEN = re.compile(r"[A-Za-z0-9.\-]*")
# tdlib's is_space: the ASCII whitespace set
_SPACES = " \t\r\n\f\v"


class ApiError(Exception):
    """An error answer of the Bot API; ``str(exc)`` is the exact description."""

    def __init__(
        self,
        status: int,
        description: str,
        *,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def utf16_len(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, pos: int) -> int:
    return len(text[:pos].encode("utf-8"))


def _parse_error(text: str, message: str) -> ApiError:
    return bad_request(f"can't parse entities: {message}")


def _decode_entity(text: str, pos: int, strict: bool) -> tuple[str, int] | None:
    """Decode the character reference at ``text[pos] == '&'``; None if it is not one.

    Telegram itself keeps an undecodable ``&`` as a literal; in strict mode the fake only
    accepts well-formed ``&name;``/``&#N;`` so that a bot that forgot to escape user text
    fails in tests instead of showing mangled text in production.
    """
    m = _ENTITY_RE.match(text, pos)
    assert m is not None  # the pattern matches any "&"
    hex_digits, dec_digits, name, semicolon = m.groups()
    if strict and not semicolon:
        return None
    if hex_digits is not None or dec_digits is not None:
        digits = hex_digits if hex_digits is not None else dec_digits
        if not digits or len(digits) > 7:
            return None
        code = int(digits, 16 if hex_digits is not None else 10)
        if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        return chr(code), m.end()
    char = _NAMED_ENTITIES.get(name)
    if char is None:
        return None
    return char, m.end()


def parse_html(text: str, *, strict: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Return (plain text, entities) like Telegram, or raise ApiError 400 like Telegram."""
    if "<" not in text and "&" not in text:
        return text, []
    # Without astral characters a UTF-16 length is the plain length: skip the per-chunk encode.
    measure = len if len(text.encode("utf-16-le")) == 2 * len(text) else utf16_len
    out: list[str] = []
    utf16 = 0  # UTF-16 length of the text produced so far
    stack: list[tuple[str, str, int]] = []  # (tag, argument, utf16 offset)
    entities: list[dict[str, Any]] = []
    pos = 0
    size = len(text)
    while True:
        m = _SPECIAL.search(text, pos)
        end = m.start() if m else size
        if end > pos:
            chunk = text[pos:end]
            out.append(chunk)
            utf16 += measure(chunk)
        if m is None:
            break
        pos = end
        if text[pos] == "&":
            decoded = _decode_entity(text, pos, strict)
            if decoded is None:
                if strict:
                    raise _parse_error(
                        text,
                        f'unescaped "&" at byte offset {_byte_offset(text, pos)}; '
                        "use &amp; (the fake Bot API is stricter than Telegram here)",
                    )
                out.append("&")
                utf16 += 1
                pos += 1
            else:
                char, pos = decoded
                out.append(char)
                utf16 += 1 + (ord(char) > 0xFFFF)
            continue
        begin = pos
        pos += 1
        if pos < size and text[pos] == "/":
            pos = _close_tag(text, begin, pos + 1, stack, entities, utf16)
        else:
            pos = _open_tag(text, begin, pos, stack, utf16)
    if stack:
        raise _parse_error(text, f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _open_tag(
    text: str, begin: int, pos: int, stack: list[tuple[str, str, int]], utf16: int
) -> int:
    size = len(text)
    while pos < size and text[pos] not in _SPACES and text[pos] != ">":
        pos += 1
    if pos >= size:
        raise _parse_error(text, f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
    tag = text[begin + 1 : pos].lower()
    offset = _byte_offset(text, begin)
    if tag not in _SUPPORTED_TAGS:
        raise _parse_error(text, f'Unsupported start tag "{tag}" at byte offset {offset}')
    argument = ""
    expandable = False
    while text[pos] != ">":
        while pos < size and text[pos] in _SPACES:
            pos += 1
        if pos >= size:
            raise _parse_error(text, f'Unclosed start tag "{tag}" at byte offset {offset}')
        if text[pos] == ">":
            break
        name_start = pos
        while pos < size and text[pos] not in _SPACES and text[pos] not in "=>":
            pos += 1
        attribute = text[name_start:pos].lower()
        if not attribute:
            raise _parse_error(
                text, f'Empty attribute name in the tag "{tag}" at byte offset {offset}'
            )
        while pos < size and text[pos] in _SPACES:
            pos += 1
        if pos >= size:
            raise _parse_error(text, f'Unclosed start tag "{tag}" at byte offset {offset}')
        if text[pos] != "=":
            if tag == "blockquote" and attribute == "expandable":
                expandable = True
                continue
            raise _parse_error(
                text,
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {offset}',
            )
        pos += 1
        while pos < size and text[pos] in _SPACES:
            pos += 1
        if pos >= size:
            raise _parse_error(text, f'Unclosed start tag "{tag}" at byte offset {offset}')
        quote = text[pos]
        if quote not in "'\"":
            token = _NAME_TOKEN.match(text, pos)
            assert token is not None
            value = token.group().lower()
            token_start, pos = pos, token.end()
            if pos >= size or (text[pos] not in _SPACES and text[pos] != ">"):
                at = _byte_offset(text, token_start)
                raise _parse_error(text, f"Unexpected end of name token at byte offset {at}")
        else:
            pos += 1
            chars: list[str] = []
            while pos < size and text[pos] != quote:
                if text[pos] == "&":
                    decoded = _decode_entity(text, pos, strict=False)
                    if decoded is not None:
                        chars.append(decoded[0])
                        pos = decoded[1]
                        continue
                chars.append(text[pos])
                pos += 1
            if pos < size:
                pos += 1
            value = "".join(chars)
        if pos >= size:
            raise _parse_error(text, f"Unclosed start tag at byte offset {offset}")
        if tag == "a" and attribute == "href":
            argument = value
        elif tag == "code" and attribute == "class" and value.startswith("language-"):
            argument = value[len("language-") :]
        elif tag == "span" and attribute == "class" and value.startswith("tg-"):
            argument = value[len("tg-") :]
        elif tag == "tg-emoji" and attribute == "emoji-id":
            argument = value
    if tag == "span" and argument != "spoiler":
        raise _parse_error(text, f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    if tag == "blockquote" and expandable:
        argument = "expandable"
    stack.append((tag, argument, utf16))
    return pos + 1


def _close_tag(
    text: str,
    begin: int,
    pos: int,
    stack: list[tuple[str, str, int]],
    entities: list[dict[str, Any]],
    utf16: int,
) -> int:
    size = len(text)
    offset = _byte_offset(text, begin)
    if not stack:
        raise _parse_error(text, f"Unexpected end tag at byte offset {offset}")
    name_start = pos
    while pos < size and text[pos] not in _SPACES and text[pos] != ">":
        pos += 1
    end_name = text[name_start:pos].lower()
    while pos < size and text[pos] in _SPACES:
        pos += 1
    if pos >= size or text[pos] != ">":
        raise _parse_error(text, f"Unclosed end tag at byte offset {offset}")
    tag, argument, start = stack.pop()
    if end_name and end_name != tag:
        raise _parse_error(
            text,
            f'Unmatched end tag at byte offset {offset}, expected "</{tag}>", '
            f'found "</{end_name}>"',
        )
    length = utf16 - start
    if length > 0:
        entity: dict[str, Any] = {"type": _ENTITY_TYPE[tag], "offset": start, "length": length}
        if tag == "a":
            if argument:
                entity["url"] = argument
            else:
                entity = {}  # tdlib turns a hrefless <a> into no entity (or an auto-link)
        elif tag == "code" and argument and stack and stack[-1][0] == "pre":
            entity["language"] = argument  # moves to the enclosing <pre> when it closes
        elif tag == "pre":
            inner = entities[-1] if entities else None
            if (
                inner is not None
                and inner["type"] == "code"
                and inner["offset"] == start
                and inner["length"] == length
            ):
                entities.pop()
                if "language" in inner:
                    entity["language"] = inner["language"]
        elif tag == "blockquote" and argument == "expandable":
            entity["type"] = "expandable_blockquote"
        elif tag == "tg-emoji":
            entity["custom_emoji_id"] = argument
        if entity:
            entities.append(entity)
    return pos + 1


def _strip(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram trims surrounding whitespace from texts and captions; shift entities to match."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    if not entities:
        return stripped, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    kept = []
    for e in entities:
        start = max(e["offset"] - lead, 0)
        end = min(e["offset"] + e["length"] - lead, total)
        if end > start:
            kept.append({**e, "offset": start, "length": end - start})
    return stripped, kept


def prepare_text(
    text: Any,
    parse_mode: str | None,
    entities: list[dict[str, Any]] | None,
    *,
    strict_html: bool,
) -> tuple[str, list[dict[str, Any]]]:
    """Check a message text like sendMessage/editMessageText do and return (text, entities)."""
    if text is None or text == "":
        raise bad_request("message text is empty")
    text, entities = _format(str(text), parse_mode, entities, strict_html)
    if not text:
        raise bad_request("message text is empty")
    if utf16_len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    return text, entities


def prepare_caption(
    caption: Any,
    parse_mode: str | None,
    entities: list[dict[str, Any]] | None,
    *,
    strict_html: bool,
) -> tuple[str, list[dict[str, Any]]]:
    if caption is None or caption == "":
        return "", []
    caption, entities = _format(str(caption), parse_mode, entities, strict_html)
    if utf16_len(caption) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return caption, entities


def _format(
    text: str,
    parse_mode: str | None,
    entities: list[dict[str, Any]] | None,
    strict_html: bool,
) -> tuple[str, list[dict[str, Any]]]:
    if parse_mode and parse_mode.lower() == "html":
        text, entities = parse_html(text, strict=strict_html)
    elif parse_mode and parse_mode.lower() not in ("markdown", "markdownv2"):
        raise bad_request(f"unsupported parse_mode {parse_mode}")
    else:
        # Markdown is not parsed: the fake keeps the raw text (documented gap)
        entities = list(entities or [])
    return _strip(text, entities)


def check_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Validate reply_markup and return the part a Message carries (inline keyboards only)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        for row in markup.get("keyboard") or ():
            for button in row:
                label = button if isinstance(button, str) else button.get("text")
                if not label:
                    raise bad_request("keyboard button text must be non-empty")
        return None
    if not isinstance(rows, list):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    for row in rows:
        if not isinstance(row, list):
            raise bad_request(
                "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
            )
        for button in row:
            _check_inline_button(button)
    return {"inline_keyboard": rows}


_ACTION_KEYS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    if not button.get("text"):
        raise bad_request("BUTTON_TEXT_INVALID")  # tdlib's name for an empty label
    data = button.get("callback_data")
    if data is not None and (not data or len(str(data).encode("utf-8")) > MAX_CALLBACK_DATA):
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and not _valid_url(str(url)):
        raise bad_request("BUTTON_URL_INVALID")
    if not any(key in button for key in _ACTION_KEYS):
        raise bad_request("text buttons are unallowed in the inline keyboard")


_URL_RE = re.compile(r"^(?:(?:https?|tg)://)?[^\s/$.?#][^\s]*\.[^\s]+$|^tg://\S+$", re.IGNORECASE)


def _valid_url(url: str) -> bool:
    return bool(_URL_RE.match(url))

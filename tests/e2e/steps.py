"""Small steps a person takes in the chat, for end-to-end tests against the fake server."""

from __future__ import annotations

import re
from typing import Any

from bench.fakebotapi.server import FakeUser


async def expect(user: FakeUser, contains: str, timeout: float | None = None) -> dict[str, Any]:
    """Read the bot's messages in order until one contains ``contains`` (each wait: the
    server's patience unless told)."""
    seen = []
    while True:
        try:
            message = await user.next_message(timeout=timeout)
        except TimeoutError:
            raise AssertionError(f"no message with {contains!r}; saw {seen}") from None
        text = message.get("text") or message.get("caption") or ""
        if contains in text:
            return message
        seen.append(text[:80])


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


async def press(user: FakeUser, message: dict[str, Any], contains: str) -> None:
    for button in buttons(message):
        if contains in button["text"]:
            await user.click(message, button.get("callback_data") or button["text"])
            return
    raise AssertionError(f"no button {contains!r} in {[b['text'] for b in buttons(message)]}")


def invite_payload(text: str) -> str:
    match = re.search(r"\?start=(inv_[\w-]+)", text)
    assert match, text
    return match.group(1)

"""The in-process fake: an aiogram session that answers every Bot API call itself.

``FakeBotAPI`` (``server.py``) is the fake over HTTP, for a bot in another process; this is its
twin inside the bot's own process, with nothing on the network.  It is the one implementation
behind the handler-test harness (``tests/harness.py``), the terminal chat (``python -m bot try``)
and the delivery tests: aiogram's own value preparation (the parameters exactly as they would
go over the wire), uploads read back, a Message with a fresh id for every send, edits applied
to the stored message, File answers for downloads, getMe — and the server's checks of texts
and keyboards, so a bare ``&`` in HTML or a callback_data over 64 bytes fails here as it would
in Telegram.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.types import InputFile

from .validation import ApiError, check_reply_markup, prepare_caption, prepare_text

__all__ = ["EDITS", "SENDS", "LocalCall", "LocalSession", "method_name"]

SENDS = frozenset({"sendMessage", "sendDocument", "sendPhoto", "copyMessage"})
EDITS = frozenset({"editMessageText", "editMessageReplyMarkup", "editMessageCaption"})


@dataclass
class LocalCall:
    """One Bot API call: the method, its parameters as sent, its result (None if refused)."""

    method: str
    params: dict[str, Any]
    result: Any = None
    uploads: dict[str, bytes] = field(default_factory=dict)  # file name -> content
    error: ApiError | None = None


def method_name(method: TelegramMethod[Any]) -> str:
    """``SendMessage`` → ``sendMessage``, the Bot API's spelling."""
    name = type(method).__name__
    return name[0].lower() + name[1:]


class LocalSession(BaseSession):
    """Answers like Telegram would.  Subclasses hook in with :meth:`record` (every call, as
    answered) and may refuse a call by raising :class:`ApiError` from :meth:`answer`."""

    def __init__(
        self,
        *,
        bot_id: int,
        first_name: str,
        username: str,
        next_id: Callable[[], int] | None = None,
        first_message_id: int = 1,
        validate: bool = True,
    ) -> None:
        """
        :param next_id: where message ids come from (the terminal shares one counter between
            the person's messages and the bot's); by default a counter from ``first_message_id``.
        :param validate: check texts, captions and keyboards like the Bot API (strict HTML).
        """
        super().__init__()
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
        }
        ids = itertools.count(first_message_id)
        self.next_id: Callable[[], int] = next_id or (lambda: next(ids))
        self.validate = validate
        self.messages: dict[int, dict[str, Any]] = {}  # message id -> as sent or edited
        self.files: dict[str, tuple[str, bytes]] = {}  # file id -> (name, content)
        self._file_ids = itertools.count(1)

    # --- what tests and the terminal use -----------------------------------------------------

    def add_file(self, name: str, data: bytes, file_id: str | None = None) -> str:
        """Store a file the person sends (or the bot uploads); its id for getFile/download."""
        file_id = file_id or f"file-{next(self._file_ids)}"
        self.files[file_id] = (name, data)
        return file_id

    def record(self, call: LocalCall) -> None:
        """Called with every call once it is answered (or refused)."""

    def answer(self, name: str, params: dict[str, Any], uploads: dict[str, bytes]) -> Any:
        """The result of one call; raise :class:`ApiError` to refuse it."""
        if self.validate:
            _check(name, params)
        if name in SENDS:
            return self._send(name, params, uploads)
        if name in EDITS:
            return self._edit(name, params)
        if name == "getFile":
            file_id = str(params["file_id"])
            return {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_size": len(self.files.get(file_id, ("", b""))[1]),
                "file_path": f"documents/{file_id}",
            }
        if name == "getMe":
            return dict(self.bot_user)
        return True

    # --- aiogram's session interface ---------------------------------------------------------

    async def close(self) -> None:
        return None

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield self.files[url.rsplit("/", 1)[-1]][1]

    async def prepare(
        self, bot: Bot, method: TelegramMethod[Any]
    ) -> tuple[str, dict[str, Any], dict[str, bytes]]:
        """(name, parameters, uploads) after the value preparation aiogram does before
        sending: defaults resolved (parse_mode…), enums and models dumped, None dropped."""
        files: dict[str, InputFile] = {}
        params: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is not None:
                params[key] = prepared
        params = json.loads(json.dumps(params, default=str))
        uploads = {
            (f.filename or "file"): b"".join([chunk async for chunk in f.read(bot)])
            for f in files.values()
        }
        return method_name(method), params, uploads

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,
    ) -> Any:
        name, params, uploads = await self.prepare(bot, method)
        try:
            result = self.answer(name, params, uploads)
        except ApiError as error:
            self.record(LocalCall(name, params, None, uploads, error))
            body = json.dumps(error.payload())
            return self.check_response(bot, method, error.status, body).result
        self.record(LocalCall(name, params, result, uploads))
        body = json.dumps({"ok": True, "result": result})
        return self.check_response(bot, method, 200, body).result

    # --- messages ----------------------------------------------------------------------------

    def _message(self, params: dict[str, Any], message_id: int) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": int(params.get("chat_id") or 0), "type": "private"},
            "from": self.bot_user,
        }
        for key in ("text", "caption", "entities", "caption_entities", "reply_markup"):
            if params.get(key):
                message[key] = params[key]
        return message

    def _send(self, name: str, params: dict[str, Any], uploads: dict[str, bytes]) -> Any:
        message = self._message(params, self.next_id())
        upload = next(iter(uploads.items()), None)
        if name == "sendDocument":
            file_id = self._sent_file(params.get("document"), upload, "document")
            message["document"] = {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_name": self.files[file_id][0],
                "file_size": len(self.files[file_id][1]),
            }
        elif name == "sendPhoto":
            file_id = self._sent_file(params.get("photo"), upload, "photo.jpg")
            message["photo"] = [
                {"file_id": file_id, "file_unique_id": file_id, "width": 1, "height": 1}
            ]
        self.messages[message["message_id"]] = message
        if name == "copyMessage":
            return {"message_id": message["message_id"]}
        return message

    def _edit(self, name: str, params: dict[str, Any]) -> dict[str, Any]:
        message_id = int(params.get("message_id") or 0)
        message = dict(self.messages.get(message_id) or self._message(params, message_id))
        if name == "editMessageText":
            message["text"] = params.get("text", "")
            message.pop("entities", None)
        if name == "editMessageCaption":
            message["caption"] = params.get("caption", "")
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        else:
            message.pop("reply_markup", None)
        message["edit_date"] = int(time.time())
        self.messages[message_id] = message
        return message

    def _sent_file(self, value: Any, upload: tuple[str, bytes] | None, default: str) -> str:
        """The id of a file the bot sends: a new upload is stored, a known id is reused."""
        if upload is not None:
            return self.add_file(*upload)
        if isinstance(value, str) and value in self.files:
            return value
        return self.add_file(default, b"")


def _check(name: str, params: dict[str, Any]) -> None:
    """The server's checks (``validation.py``) of what a send or an edit carries."""
    parse_mode = params.get("parse_mode")
    if name in ("sendMessage", "editMessageText"):
        prepare_text(params.get("text"), parse_mode, params.get("entities"), strict_html=True)
    elif "caption" in params:
        prepare_caption(
            params.get("caption"), parse_mode, params.get("caption_entities"), strict_html=True
        )
    if "reply_markup" in params:
        check_reply_markup(params["reply_markup"])

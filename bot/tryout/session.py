"""A Bot API session that answers every call itself and hands what the bot sent to the terminal.

The bot's code cannot tell it from Telegram: each call gets a proper result (a Message with a
fresh id for sends and edits, a File for ``getFile``, ``True`` for the rest), uploaded files
are read back, and a person's own documents are served to ``bot.download``.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.types import InputFile

log = logging.getLogger(__name__)

BOT_ID = 4242
BOT_USERNAME = "tracker_try_bot"
BOT_TOKEN = f"{BOT_ID}:TRY-in-the-terminal"

SENDS = {"sendMessage", "sendDocument", "sendPhoto", "copyMessage"}
EDITS = {"editMessageText", "editMessageReplyMarkup", "editMessageCaption"}


@dataclass
class BotCall:
    """One Bot API call as the terminal sees it: the method, its parameters, its result."""

    method: str
    params: dict[str, Any]
    result: Any
    upload: tuple[str, bytes] | None = None  # (file name, content) of a file the bot sent


class TerminalSession(BaseSession):
    def __init__(self, on_call: Callable[[BotCall], None], next_id: Callable[[], int]) -> None:
        super().__init__()
        self.on_call = on_call
        self.next_id = next_id
        self.messages: dict[int, dict[str, Any]] = {}  # message id -> the Message as sent/edited
        self.files: dict[str, tuple[str, bytes]] = {}  # file id -> (name, content)
        self._file_ids = itertools.count(1)

    def add_file(self, name: str, data: bytes) -> str:
        file_id = f"file-{next(self._file_ids)}"
        self.files[file_id] = (name, data)
        return file_id

    async def close(self) -> None:
        return None

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 - BaseSession's signature
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield self.files[url.rsplit("/", 1)[-1]][1]

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,  # noqa: ASYNC109 - BaseSession's signature
    ) -> Any:
        files: dict[str, InputFile] = {}
        params: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is not None:
                params[key] = prepared
        params = json.loads(json.dumps(params, default=str))
        upload = None
        for input_file in files.values():
            data = b"".join([chunk async for chunk in input_file.read(bot)])
            upload = (input_file.filename or "file", data)
        name = type(method).__name__
        name = name[0].lower() + name[1:]
        call = BotCall(name, params, self._result(name, params, upload), upload)
        try:
            self.on_call(call)
        except Exception:  # the screen must never break the bot's request
            log.exception("could not show %s", name)
        response = self.check_response(
            bot, method, 200, json.dumps({"ok": True, "result": call.result})
        )
        return response.result

    def _message(self, params: dict[str, Any], message_id: int) -> dict[str, Any]:
        chat_id = int(params.get("chat_id") or 0)
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Трекер"},
        }
        for key in ("text", "caption", "entities", "caption_entities", "reply_markup"):
            if params.get(key):
                message[key] = params[key]
        return message

    def _result(self, name: str, params: dict[str, Any], upload: tuple[str, bytes] | None) -> Any:
        if name in SENDS:
            message = self._message(params, self.next_id())
            if name == "sendDocument":
                file_id = self._sent_file(params.get("document"), upload, "document")
                name_ = self.files[file_id][0] if file_id in self.files else "document"
                message["document"] = {
                    "file_id": file_id,
                    "file_unique_id": file_id,
                    "file_name": name_,
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
        if name in EDITS:
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
            self.messages[message_id] = message
            return message
        if name == "getFile":
            file_id = params["file_id"]
            size = len(self.files.get(file_id, ("", b""))[1])
            return {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_size": size,
                "file_path": file_id,
            }
        if name == "getMe":
            return {"id": BOT_ID, "is_bot": True, "first_name": "Трекер", "username": BOT_USERNAME}
        return True

    def _sent_file(self, value: Any, upload: tuple[str, bytes] | None, default: str) -> str:
        """The id of a file the bot sends: a new upload is stored, a known id is reused."""
        if upload is not None:
            return self.add_file(*upload)
        if isinstance(value, str) and value in self.files:
            return value
        return self.add_file(default, b"")

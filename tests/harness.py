"""Handler-layer harness: the real Dispatcher fed with updates, a session that records requests.

Nothing goes over the network: ``RecordingSession`` answers every Bot API call itself with a
plausible result and keeps the call, so a test reads exactly what the bot would have sent.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.methods import TelegramMethod
from aiogram.types import Update

from bot.container import Services
from bot.telegram.app import create_dispatcher
from bot.texts import Texts

BOT_ID = 42
BOT_TOKEN = f"{BOT_ID}:TEST-token"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    result: Any = None
    files: dict[str, bytes] = field(default_factory=dict)  # uploads by file name

    @property
    def text(self) -> str | None:
        return self.params.get("text") or self.params.get("caption")

    def buttons(self) -> list[tuple[str, str | None]]:
        """(text, callback_data or url) of every inline button, row by row."""
        markup = self.params.get("reply_markup") or {}
        rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
        return [
            (b["text"], b.get("callback_data") or b.get("url") or b.get("switch_inline_query"))
            for row in rows
            for b in row
        ]


@dataclass
class RecordingSession(BaseSession):
    calls: list[Call] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)  # file_id -> content for downloads
    # When set, every edit of a message fails with this Bot API error («message to edit not
    # found», «message is not modified»…), as it does for deleted or unchanged messages.
    fail_edits: str | None = None

    def __post_init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(1000)

    async def close(self) -> None:
        return None

    async def stream_content(
        self, url, headers=None, timeout=30, chunk_size=65536, raise_for_status=True
    ) -> AsyncGenerator[bytes, None]:
        file_id = url.rsplit("/", 1)[-1]
        yield self.files[file_id]

    async def make_request(self, bot: Bot, method: TelegramMethod, timeout: int | None = None):
        # The same value preparation aiogram does before sending (defaults resolved, enums…).
        files: dict[str, Any] = {}
        params = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is not None:
                params[key] = prepared
        params = json.loads(json.dumps(params, default=str))
        name = type(method).__name__
        name = name[0].lower() + name[1:]
        uploads = {f.filename: f.data for f in files.values() if hasattr(f, "data")}
        if self.fail_edits and name.startswith("editMessage"):
            self.calls.append(Call(name, params, None, uploads))
            error = {
                "ok": False,
                "error_code": 400,
                "description": f"Bad Request: {self.fail_edits}",
            }
            return self.check_response(bot, method, 400, json.dumps(error)).result
        call = Call(name, params, self._result(name, params), uploads)
        self.calls.append(call)
        response = self.check_response(
            bot, method, 200, json.dumps({"ok": True, "result": call.result})
        )
        return response.result

    def _result(self, name: str, params: dict[str, Any]) -> Any:
        if name in {"sendMessage", "sendDocument", "sendPhoto", "editMessageText", "copyMessage"}:
            chat_id = params.get("chat_id", 1)
            message = {
                "message_id": params.get("message_id") or next(self._ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Bot"},
                "text": params.get("text", ""),
            }
            if "reply_markup" in params:
                message["reply_markup"] = params["reply_markup"]
            if name == "copyMessage":
                return {"message_id": message["message_id"]}
            return message
        if name == "getFile":
            file_id = params["file_id"]
            return {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_size": len(self.files.get(file_id, b"")),
                "file_path": f"documents/{file_id}",
            }
        if name == "getMe":
            return {"id": BOT_ID, "is_bot": True, "first_name": "Bot", "username": "tracker_bot"}
        return True


class HandlerHarness:
    """Feeds updates to a real Dispatcher built by the application's own factory."""

    def __init__(self, services: Services, texts: Texts | None = None) -> None:
        self.services = services
        self.texts = texts or services.texts
        self.session = RecordingSession()
        self.bot = Bot(
            BOT_TOKEN,
            session=self.session,
            default=DefaultBotProperties(parse_mode=ParseMode.HTML),
        )
        self.dp: Dispatcher = create_dispatcher(services, self.texts)
        # Whoever writes in a test has consented to the processing of personal data, as a
        # real user does once with a button; tests of the consent step itself turn this off.
        self.auto_consent = True
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)

    @property
    def calls(self) -> list[Call]:
        return self.session.calls

    def clear(self) -> None:
        self.session.calls.clear()

    async def feed(self, update: dict[str, Any]) -> list[Call]:
        start = len(self.calls)
        update.setdefault("update_id", next(self._update_ids))
        if self.auto_consent:
            await self._consent(update)
        await self.dp.feed_update(
            self.bot, Update.model_validate(update, context={"bot": self.bot})
        )
        return self.calls[start:]

    async def _consent(self, update: dict[str, Any]) -> None:
        for event in update.values():
            sender = event.get("from") if isinstance(event, dict) else None
            if sender and not sender.get("is_bot"):
                privacy = self.services.privacy
                if (await privacy.repo.consent(sender["id"])) is None:
                    await privacy.repo.record_consent(
                        sender["id"], "given", privacy.policy.version, self.services.clock.iso()
                    )

    def user_dict(self, user_id: int, first_name: str = "Анна") -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "ru"}

    def message_dict(self, user_id: int, text: str | None = None, **extra: Any) -> dict[str, Any]:
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Анна"},
            "from": self.user_dict(user_id, extra.pop("first_name", "Анна")),
        }
        if "username" in extra:
            message["from"]["username"] = extra.pop("username")
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split(maxsplit=1)[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        message.update(extra)
        return message

    async def send(self, user_id: int, text: str, **extra: Any) -> list[Call]:
        return await self.feed({"message": self.message_dict(user_id, text, **extra)})

    async def send_document(
        self, user_id: int, data: bytes, file_name: str, caption: str | None = None
    ) -> list[Call]:
        file_id = f"file{len(self.session.files) + 1}"
        self.session.files[file_id] = data
        document = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": file_name,
            "file_size": len(data),
        }
        extra = {"document": document}
        if caption:
            extra["caption"] = caption
        return await self.feed({"message": self.message_dict(user_id, None, **extra)})

    async def click(
        self, user_id: int, data: str, message: dict[str, Any] | None = None
    ) -> list[Call]:
        message = message or self.message_dict(BOT_ID, "…")
        message["chat"] = {"id": user_id, "type": "private"}
        message["from"] = {"id": BOT_ID, "is_bot": True, "first_name": "Bot"}
        return await self.feed(
            {
                "callback_query": {
                    "id": str(next(self._update_ids)),
                    "from": self.user_dict(user_id),
                    "chat_instance": "ci-1",
                    "message": message,
                    "data": data,
                }
            }
        )

    async def press(self, user_id: int, call: Call, button_text: str) -> list[Call]:
        """Press the inline button whose text contains ``button_text`` on a sent message."""
        for text, data in call.buttons():
            if button_text in text:
                message = dict(call.result) if isinstance(call.result, dict) else None
                return await self.click(user_id, data, message)
        raise AssertionError(f"no button {button_text!r} in {call.buttons()}")

    async def reply(self, user_id: int, call: Call, text: str | None = None, **extra) -> list[Call]:
        """Reply (Telegram's reply) to a message the bot sent."""
        return await self.feed(
            {"message": self.message_dict(user_id, text, reply_to_message=call.result, **extra)}
        )

    def sent_texts(self, calls: list[Call]) -> list[str]:
        return [c.text for c in calls if c.text]

    async def close(self) -> None:
        await self.bot.session.close()

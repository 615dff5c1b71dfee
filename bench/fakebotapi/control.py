"""A small HTTP control API under /_test/ for humans and scripts driving a standalone server.

POST /_test/send      {"user_id": 1, "text": "/start", "first_name": "Анна"}
POST /_test/click     {"user_id": 1, "data": "..."} or {"user_id": 1, "text": "Кнопка"}
                      (optional "message_id"; default: the latest message with that button)
POST /_test/document  multipart: user_id, caption (optional), file
GET  /_test/messages?chat_id=1[&all=1]   what the bot sent (text, buttons), newest last
GET  /_test/requests?limit=50            recent Bot API calls
GET  /_test/stats
POST /_test/fail      {"method": "sendMessage", "status": 429, "retry_after": 3, "times": 1}
POST /_test/block     {"chat_id": 1}     /_test/unblock likewise
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from .server import FakeBotAPI, FakeUser


# readable Cyrillic for humans with curl
_dumps = functools.partial(json.dumps, ensure_ascii=False)


def _json(data: Any) -> web.Response:
    return web.json_response(data, dumps=_dumps)


def add_control_routes(app: web.Application, server: FakeBotAPI) -> None:
    async def read_json(request: web.Request) -> dict[str, Any]:
        try:
            data = await request.json()
        except ValueError:
            raise web.HTTPBadRequest(text="expected a JSON object body") from None
        if not isinstance(data, dict):
            raise web.HTTPBadRequest(text="expected a JSON object body")
        return data

    def user_from(data: dict[str, Any]) -> FakeUser:
        try:
            user_id = int(data["user_id"])
        except (KeyError, TypeError, ValueError):
            raise web.HTTPBadRequest(text="user_id (an integer) is required") from None
        return server.user(
            user_id,
            data.get("first_name"),
            username=data.get("username"),
            language_code=data.get("language_code", "ru"),
        )

    async def send(request: web.Request) -> web.Response:
        data = await read_json(request)
        text = data.get("text")
        if not isinstance(text, str) or not text:
            raise web.HTTPBadRequest(text="text is required")
        return _json(await user_from(data).send(text))

    async def click(request: web.Request) -> web.Response:
        data = await read_json(request)
        button = data.get("data") or data.get("text")
        if not button:
            raise web.HTTPBadRequest(text="data (callback_data) or text (button label) is required")
        try:
            update = await user_from(data).click(data.get("message_id"), str(button))
        except (LookupError, ValueError) as exc:
            raise web.HTTPNotFound(text=str(exc)) from None
        return _json(update)

    async def document(request: web.Request) -> web.Response:
        form = await request.post()
        upload = form.get("file") or form.get("document")
        if not isinstance(upload, web.FileField):
            raise web.HTTPBadRequest(text="a multipart file part named 'file' is required")
        try:
            content = upload.file.read()
        finally:
            upload.file.close()
        caption = form.get("caption")
        user = user_from(dict(form))
        update = await user.send_document(
            content,
            upload.filename or "document.bin",
            None if upload.content_type == "application/octet-stream" else upload.content_type,
            caption if isinstance(caption, str) and caption else None,
        )
        return _json(update)

    async def messages(request: web.Request) -> web.Response:
        try:
            chat_id = int(request.query["chat_id"])
        except (KeyError, ValueError):
            raise web.HTTPBadRequest(text="chat_id is required") from None
        found = (
            server.chat_history(chat_id)
            if request.query.get("all")
            else server.sent_messages(chat_id)
        )
        return _json([summarize(m) for m in found])

    async def requests(request: web.Request) -> web.Response:
        limit = int(request.query.get("limit", "50"))
        recent = server.requests[-limit:] if limit > 0 else []
        return _json(
            [
                {
                    "method": r.method,
                    "params": r.params,
                    "files": {k: [f.filename, len(f.data)] for k, f in r.files.items()},
                    "status": r.status,
                    "description": r.description,
                }
                for r in recent
            ]
        )

    async def stats(request: web.Request) -> web.Response:
        s = server.stats
        return _json(
            {
                "requests": dict(s.requests),
                "errors": dict(s.errors),
                "injected": {str(k): v for k, v in s.injected.items()},
                "sent": s.sent,
                "duplicates": s.duplicates(),
                "min_chat_interval": s.min_chat_interval(),
                "achieved_rate": s.achieved_rate(),
            }
        )

    async def fail(request: web.Request) -> web.Response:
        data = await read_json(request)
        try:
            server.fail(
                data.get("method"),
                data.get("chat_id"),
                status=int(data["status"]),
                description=data.get("description"),
                retry_after=data.get("retry_after"),
                times=data.get("times", 1),
            )
        except (KeyError, TypeError, ValueError):
            raise web.HTTPBadRequest(text="status (an integer) is required") from None
        return _json({"ok": True})

    async def block(request: web.Request) -> web.Response:
        data = await read_json(request)
        chat_id = int(data["chat_id"])
        if request.path.endswith("/unblock"):
            server.unblock(chat_id, notify=bool(data.get("notify")))
        else:
            server.block(chat_id, notify=bool(data.get("notify")))
        return _json({"ok": True})

    app.router.add_post("/_test/send", send)
    app.router.add_post("/_test/click", click)
    app.router.add_post("/_test/document", document)
    app.router.add_get("/_test/messages", messages)
    app.router.add_get("/_test/requests", requests)
    app.router.add_get("/_test/stats", stats)
    app.router.add_post("/_test/fail", fail)
    app.router.add_post("/_test/block", block)
    app.router.add_post("/_test/unblock", block)


def summarize(message: dict[str, Any]) -> dict[str, Any]:
    """A message as a human wants to read it: who, text or caption, buttons."""
    summary: dict[str, Any] = {
        "message_id": message["message_id"],
        "from_bot": message.get("from", {}).get("is_bot", False),
        "text": message.get("text", message.get("caption")),
    }
    if "edit_date" in message:
        summary["edited"] = True
    if "document" in message:
        summary["document"] = message["document"].get("file_name")
    rows = (message.get("reply_markup") or {}).get("inline_keyboard")
    if rows:
        summary["buttons"] = [
            [{k: v for k, v in b.items() if k in ("text", "callback_data", "url")} for b in row]
            for row in rows
        ]
    return summary

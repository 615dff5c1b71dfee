"""The chat in the terminal: people, their chats with the bot, and what the person types.

Every identity is a different Telegram user with a chat of their own.  The bot's messages to
the person at the keyboard are printed at once; messages to the others wait until the
person switches to them (``/as …``), with a one-line notice meanwhile.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
import re
import shlex
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.types import Update

from bot.clock import ShiftedClock
from bot.container import Services
from bot.jobs import plan_digests, plan_nudges
from bot.localtime import zone_for
from bot.telegram.app import create_dispatcher
from bot.telegram.delivery import WORKER_KEY, DeliveryWorker
from bot.tryout import roles
from bot.tryout.render import (
    Span,
    button_label,
    inline_buttons,
    message_spans,
    reply_buttons,
)
from bot.tryout.screen import Keyboard, Screen
from bot.tryout.session import BOT_TOKEN, BOT_USERNAME, BotCall, TerminalSession

log = logging.getLogger(__name__)

DEEP_LINK = re.compile(r"https?://t\.me/(\w+)\?start=([\w-]{1,64})")
DELTA = re.compile(r"^\+?\s*(\d{1,4})\s*(w|d|h|m|н|нед|д|дн|ч|мин)$", re.IGNORECASE)
DELTA_UNITS = {"w": "w", "н": "w", "нед": "w", "d": "d", "д": "d", "дн": "d", "h": "h", "ч": "h"}
DRAIN_SECONDS = 60  # a safety net: the outbox empties in milliseconds here

TERMINAL_COMMANDS = {"press", "reply", "send", "as", "time", "open", "quit", "exit"}
ROLE_ALIASES = {
    "member": "member",
    "участник": "member",
    "official": "official",
    "исполнитель": "official",
    "coordinator": "coordinator",
    "координатор": "coordinator",
    "admin": "admin",
    "админ": "admin",
    "администратор": "admin",
}


@dataclass
class Person:
    key: str  # member | official | coordinator | admin
    user_id: int
    first_name: str
    waiting: list[list[tuple[list[Span], str]]] = field(default_factory=list)
    keyboard_message: int | None = None  # the last message of theirs with buttons
    started: bool = False  # has written to the bot


PEOPLE = (
    Person("member", 1001, "Анна"),
    Person("official", 1002, "Пётр"),
    Person("coordinator", 1003, "Ольга"),
    Person("admin", 1004, "Ирина"),
)


class Terminal:
    def __init__(
        self,
        services: Services,
        screen: Screen,
        keyboard: Keyboard,
        files_dir: Path,
        region: str,
    ) -> None:
        self.services = services
        self.texts = services.texts
        self.screen = screen
        self.keyboard = keyboard
        self.files_dir = files_dir
        self.region = region
        self.people = {p.key: Person(p.key, p.user_id, p.first_name) for p in PEOPLE}
        self.by_id = {p.user_id: p for p in self.people.values()}
        self.current = self.people["member"]
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        self.session = TerminalSession(self.on_call, lambda: next(self._ids))
        self.bot = Bot(
            BOT_TOKEN,
            session=self.session,
            default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
        )
        self.dp: Dispatcher = create_dispatcher(services)
        self.links: list[str] = []  # deep links the bot has shown, newest last
        self.quit = False

    # --- lifecycle -----------------------------------------------------------------------

    def _workflow(self) -> dict[str, Any]:
        return {"dispatcher": self.dp, "bots": [self.bot], **self.dp.workflow_data}

    async def start(self) -> None:
        # The same start-up hooks as polling: command menu, delivery worker.
        await self.dp.emit_startup(bot=self.bot, **self._workflow())

    async def stop(self) -> None:
        await self.dp.emit_shutdown(bot=self.bot, **self._workflow())
        await self.bot.session.close()

    @property
    def worker(self) -> DeliveryWorker | None:
        return self.dp.workflow_data.get(WORKER_KEY)

    async def settle(self) -> None:
        """Wait until everything due in the outbox has reached its chat."""
        worker = self.worker
        if worker is not None:
            worker.wake()
            await worker.drain(within=DRAIN_SECONDS, horizon=0)

    async def run(self) -> None:
        with self.keyboard.active():
            while not self.quit:
                line = await self.keyboard.read(f"{self.current.first_name} › ")
                if line is None:
                    break
                if not self.keyboard.interactive and line.strip():
                    self.screen.line(f"{self.current.first_name} › {line}", "me")
                await self.handle(line)

    # --- what the person types -------------------------------------------------------------

    async def handle(self, line: str) -> None:
        text = line.strip()
        if not text:
            return
        try:
            await self._dispatch_input(text)
        except Exception as error:  # a bug in a handler must not end the session
            log.exception("the bot failed on an input")
            self.note(self.t("bot_failed", error=type(error).__name__), "alert")
        await self.settle()

    async def _dispatch_input(self, text: str) -> None:
        if text in {":help", ":h", ":?"}:
            self.note(self.t("help"))
            return
        match = re.fullmatch(r"(\d+)(?:\.(\d+))?", text)
        if match:
            if match.group(2):
                await self.press(int(match.group(2)), int(match.group(1)))
            else:
                await self.press(int(match.group(1)))
            return
        if DEEP_LINK.fullmatch(text):
            await self.open_link(text)
            return
        name, _, rest = text[1:].partition(" ")
        if text[0] in "/:" and name.lower() in TERMINAL_COMMANDS:
            await getattr(self, f"cmd_{name.lower()}")(rest.strip())
            return
        if text[0] == ":":
            self.note(self.t("help"))
            return
        await self.send_text(text)

    async def cmd_quit(self, rest: str) -> None:
        self.quit = True

    cmd_exit = cmd_quit

    async def cmd_press(self, rest: str) -> None:
        numbers = [int(n) for n in re.findall(r"\d+", rest)]
        if len(numbers) == 1:
            await self.press(numbers[0])
        elif len(numbers) == 2:
            await self.press(numbers[1], numbers[0])
        else:
            self.note(self.t("no_buttons"))

    async def cmd_reply(self, rest: str) -> None:
        match = re.fullmatch(r"(\d+)\s+(.+)", rest, re.DOTALL)
        if not match:
            self.note(self.t("usage_reply"))
            return
        target = self._message_here(int(match.group(1)))
        if target is None:
            return
        body = match.group(2).strip()
        if body.split(" ", 1)[0] in {"/send", ":send"}:
            await self.send_file(body.split(" ", 1)[1] if " " in body else "", reply_to=target)
        else:
            await self.send_text(body, reply_to=target)

    async def cmd_send(self, rest: str) -> None:
        await self.send_file(rest)

    async def cmd_open(self, rest: str) -> None:
        if rest:
            await self.open_link(rest)
        elif self.links:
            await self.open_link(self.links[-1])
        else:
            self.note(self.t("no_link"))

    async def cmd_as(self, rest: str) -> None:
        role, _, region = rest.partition(" ")
        key = ROLE_ALIASES.get(role.lower())
        if key is None:
            self.note(self.t("unknown_role", role=role))
            return
        if key == "coordinator":
            wanted = roles.resolve_region(region) if region.strip() else None
            if region.strip() and wanted is None:
                self.note(self.t("unknown_region", query=region.strip()))
                return
            await self.ensure_coordinator(wanted)
        await self.switch(key)

    async def cmd_time(self, rest: str) -> None:
        match = DELTA.fullmatch(rest.strip().lower())
        if not match:
            self.note(self.t("bad_time"))
            return
        n, unit = int(match.group(1)), DELTA_UNITS.get(match.group(2), "m")
        delta = {
            "w": dt.timedelta(weeks=n),
            "d": dt.timedelta(days=n),
            "h": dt.timedelta(hours=n),
            "m": dt.timedelta(minutes=n),
        }[unit]
        clock = self.services.clock
        # The scheduler runs every minute: it has seen the present before the clock jumps
        # (new users get their digest times), and catches up after it.
        await self.run_jobs()
        if isinstance(clock, ShiftedClock):
            clock.move(delta)
        # The time as the person at the keyboard reads it: in their region's zone.
        profile = await self.services.profiles.get(self.current.user_id)
        zone = zone_for(profile.region or self.region, self.services.settings.default_timezone)
        now = clock.now().astimezone(zone).strftime("%d.%m.%Y %H:%M")
        self.note(self.t("time_moved", delta=self.t(f"delta_{unit}", n=n), now=now))
        await self.run_jobs()

    async def run_jobs(self) -> None:
        """What the scheduler's interval jobs do at the clock's time."""
        await plan_digests(self.services)
        await plan_nudges(self.services)

    # --- acting as a Telegram user -----------------------------------------------------------

    def _user(self, person: Person) -> dict[str, Any]:
        return {
            "id": person.user_id,
            "is_bot": False,
            "first_name": person.first_name,
            "language_code": "ru",
        }

    def _new_message(self, **extra: Any) -> dict[str, Any]:
        person = self.current
        message = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": person.user_id, "type": "private", "first_name": person.first_name},
            "from": self._user(person),
            **extra,
        }
        self.session.messages[message["message_id"]] = message
        person.started = True
        return message

    async def feed(self, update: dict[str, Any]) -> None:
        update["update_id"] = next(self._update_ids)
        await self.dp.feed_update(
            self.bot, Update.model_validate(update, context={"bot": self.bot})
        )

    async def send_text(self, text: str, reply_to: dict[str, Any] | None = None) -> None:
        extra: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            extra["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if reply_to is not None:
            extra["reply_to_message"] = reply_to
        await self.feed({"message": self._new_message(**extra)})

    async def send_file(self, rest: str, reply_to: dict[str, Any] | None = None) -> None:
        try:
            parts = shlex.split(rest)
        except ValueError:
            parts = rest.split()
        if not parts:
            self.note(self.t("usage_send"))
            return
        caption = " ".join(parts[1:])
        try:
            path, data = await asyncio.to_thread(_read_file, parts[0])
        except OSError as error:
            self.note(self.t("no_file", path=parts[0], reason=error.strerror or error))
            return
        file_id = self.session.add_file(path.name, data)
        extra: dict[str, Any] = {
            "document": {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_name": path.name,
                "file_size": len(data),
            }
        }
        if caption:
            extra["caption"] = caption
        if reply_to is not None:
            extra["reply_to_message"] = reply_to
        await self.feed({"message": self._new_message(**extra)})

    async def open_link(self, link: str) -> None:
        match = DEEP_LINK.search(link)
        if not match:
            self.note(self.t("url", url=link))
            return
        self.note(self.t("opening", link=match.group(0)))
        await self.send_text(f"/start {match.group(2)}")

    def _message_here(self, message_id: int) -> dict[str, Any] | None:
        message = self.session.messages.get(message_id)
        if message is None:
            self.note(self.t("no_message", id=message_id))
            return None
        owner = self.by_id.get(message["chat"]["id"])
        if owner is not None and owner is not self.current:
            self.note(
                self.t(
                    "other_chat",
                    id=message_id,
                    name=owner.first_name,
                    role=self.role_label(owner),
                    who=owner.key,
                )
            )
            return None
        return message

    async def press(self, number: int, message_id: int | None = None) -> None:
        message_id = message_id or self.current.keyboard_message
        message = self._message_here(message_id) if message_id else None
        if message is None:
            if not message_id:
                self.note(self.t("no_buttons"))
            return
        markup = message.get("reply_markup")
        buttons = [b for row in inline_buttons(markup) for b in row]
        if not buttons:
            buttons = [b for row in reply_buttons(markup) for b in row]
            if 1 <= number <= len(buttons):
                await self.send_text(buttons[number - 1]["text"])
                return
        if not 1 <= number <= len(buttons):
            self.note(self.t("no_buttons"))
            return
        button = buttons[number - 1]
        if button.get("url"):
            await self.open_link(button["url"])
            return
        if button.get("callback_data") is None:
            self.note(self.t("no_buttons"))
            return
        await self.feed(
            {
                "callback_query": {
                    "id": str(next(self._update_ids)),
                    "from": self._user(self.current),
                    "chat_instance": f"chat-{self.current.user_id}",
                    "message": message,
                    "data": button["callback_data"],
                }
            }
        )

    # --- identities ----------------------------------------------------------------------------

    def role_label(self, person: Person) -> str:
        return self.t(f"role_{person.key}")

    async def describe(self, person: Person) -> str:
        label = self.role_label(person)
        found = await self.services.access.roles(person.user_id)
        if person.key == "coordinator" and found.coordinator_regions:
            return self.t(
                "role_with_regions",
                role=label,
                regions=", ".join(sorted(found.coordinator_regions)),
            )
        if person.key == "official" and found.official_addressees:
            bodies = []
            for addressee_id in sorted(found.official_addressees):
                addressee = await self.services.documents.get_addressee(addressee_id)
                if addressee is not None:
                    bodies.append(addressee.canonical)
            return self.t("role_with_body", role=label, body="; ".join(bodies))
        return label

    async def switch(self, key: str, *, quiet: bool = False) -> None:
        self.current = person = self.people[key]
        if not quiet:
            self.note(self.t("you_are", name=person.first_name, role=await self.describe(person)))
        if (
            person.key == "official"
            and not (await self.services.access.roles(person.user_id)).official_addressees
        ):
            self.note(self.t("not_official_yet", name=person.first_name))
        if person.waiting:
            self.note(self.t("while_away"))
            for block in person.waiting:
                self._print_block(block)
            person.waiting.clear()

    async def ensure_coordinator(self, region: str | None) -> None:
        person, admin = self.people["coordinator"], self.people["admin"]
        found = await self.services.access.roles(person.user_id)
        if region is None and found.coordinator_regions:
            return
        region = region or self.region
        if region in found.coordinator_regions:
            return
        await roles.appoint(self.services, admin, person, region)
        self.note(
            self.t("appointed", admin=admin.first_name, name=person.first_name, region=region)
        )

    async def ensure_official(self) -> None:
        await self.ensure_coordinator(None)
        coordinator, official = self.people["coordinator"], self.people["official"]
        if (await self.services.access.roles(official.user_id)).official_addressees:
            return
        regions = (await self.services.access.roles(coordinator.user_id)).coordinator_regions
        body = await roles.invite_official(self.services, coordinator, official, sorted(regions))
        if body is None:
            self.note(self.t("no_addressee", region=", ".join(sorted(regions))))
            return
        self.note(
            self.t(
                "invited", coordinator=coordinator.first_name, name=official.first_name, body=body
            )
        )

    # --- what the bot sends --------------------------------------------------------------------

    def t(self, key: str, **params: Any) -> str:
        return self.texts.plain(f"try.{key}", **params)

    def note(self, text: str, style: str = "note") -> None:
        self.screen.line(text, style)

    def on_call(self, call: BotCall) -> None:
        """The session's report of a Bot API call: show it in the right chat."""
        params, result = call.params, call.result
        if call.method in {"sendMessage", "sendDocument", "sendPhoto", "copyMessage"}:
            message_id = result["message_id"]
            message = self.session.messages[message_id]
            if call.method == "copyMessage":
                message = self._copied(params, message)
            block = [(self._header(message_id, int(params.get("chat_id") or 0)), "")]
            block += self._body(message, params, call)
            self._deliver(int(params.get("chat_id") or 0), message_id, message, block)
        elif call.method in {"editMessageText", "editMessageCaption"}:
            block = [([(self.t("edited", id=result["message_id"]), "header")], "")]
            block += self._body(result, params, call)
            self._deliver(int(params.get("chat_id") or 0), result["message_id"], result, block)
        elif call.method == "editMessageReplyMarkup":
            message_id = result["message_id"]
            key = "buttons_edited" if result.get("reply_markup") else "buttons_removed"
            block = [([(self.t(key, id=message_id), "header")], "")]
            block += self._buttons(result)
            self._deliver(int(params.get("chat_id") or 0), message_id, result, block)
        elif call.method == "deleteMessage":
            message_id = int(params.get("message_id") or 0)
            block = [([(self.t("deleted", id=message_id), "header")], "")]
            self._deliver(int(params.get("chat_id") or 0), message_id, None, block)
        elif call.method == "answerCallbackQuery" and params.get("text"):
            key = "alert" if params.get("show_alert") else "toast"
            self.screen.line(self.t(key, text=params["text"]), "alert")

    def _copied(self, params: dict[str, Any], message: dict[str, Any]) -> dict[str, Any]:
        source = self.session.messages.get(int(params.get("message_id") or 0)) or {}
        for key in ("text", "caption", "entities", "caption_entities"):
            if key in source:
                message[key] = source[key]
        return message

    def _header(self, message_id: int, chat_id: int) -> list[Span]:
        owner = self.by_id.get(chat_id)
        who = self.t("from_bot")
        if owner is not None and owner is not self.current:
            who = self.t("to_other", name=owner.first_name)
        return [(f"[{message_id}] {who}", "header")]

    def _body(
        self, message: dict[str, Any], params: dict[str, Any], call: BotCall
    ) -> list[tuple[list[Span], str]]:
        parse_mode = params.get("parse_mode")
        if call.method == "copyMessage":
            parse_mode = None
        lines: list[tuple[list[Span], str]] = []
        spans = message_spans(message, parse_mode)
        if spans:
            lines.append((spans, "  "))
        for kind in ("document", "photo"):
            if kind in message:
                lines.append(([(self._save_file(message, kind), "dim")], "  "))
        return lines + self._buttons(message)

    def _buttons(self, message: dict[str, Any]) -> list[tuple[list[Span], str]]:
        markup = message.get("reply_markup")
        lines: list[tuple[list[Span], str]] = []
        n = 0
        for rows, head in ((inline_buttons(markup), None), (reply_buttons(markup), "keyboard")):
            if not rows:
                continue
            if head:
                lines.append(([(self.t(head), "dim")], "  "))
            for row in rows:
                spans: list[Span] = []
                for button in row:
                    n += 1
                    if spans:
                        spans.append(("   ", ""))
                    spans.append((button_label(n, button), "button"))
                    url = button.get("url") or ""
                    for link in DEEP_LINK.finditer(url):
                        self.links.append(link.group(0))
                lines.append((spans, "  "))
            break  # a message has one keyboard or the other
        return lines

    def _save_file(self, message: dict[str, Any], kind: str) -> str:
        info = message["document"] if kind == "document" else message["photo"][-1]
        name, data = self.session.files.get(info["file_id"], ("file", b""))
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = self.files_dir / f"{message['message_id']}-{Path(name).name}"
        path.write_bytes(data)
        return self.t("file_saved", name=name, path=str(path))

    def _deliver(
        self,
        chat_id: int,
        message_id: int,
        message: dict[str, Any] | None,
        block: list[tuple[list[Span], str]],
    ) -> None:
        text = (message or {}).get("text") or (message or {}).get("caption") or ""
        for link in DEEP_LINK.finditer(text):
            if link.group(1) == BOT_USERNAME:
                self.links.append(link.group(0))
        owner = self.by_id.get(chat_id)
        if owner is not None and message is not None:
            markup = message.get("reply_markup")
            if inline_buttons(markup) or reply_buttons(markup):
                owner.keyboard_message = message_id
        if owner is None or owner is self.current:
            self._print_block(block)
            return
        owner.waiting.append(block)
        self.note(
            self.t(
                "waiting",
                name=owner.first_name,
                role=self.role_label(owner),
                n=len(owner.waiting),
                who=owner.key,
            )
        )

    def _print_block(self, block: list[tuple[list[Span], str]]) -> None:
        for spans, indent in block:
            self.screen.print(spans, indent)


def _read_file(raw: str) -> tuple[Path, bytes]:
    path = Path(raw).expanduser()
    return path, path.read_bytes()

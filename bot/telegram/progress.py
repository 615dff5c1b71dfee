"""The coordinator's progress message of a running announcement, edited in Telegram."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
)

from bot.announcements import (
    REPORT_KIND,
    AnnouncementService,
    left_of,
    progress_view,
)
from bot.buttons import Keyboard
from bot.clock import to_iso
from bot.outbox import OutboxService
from bot.ratelimit import RateLimiter
from bot.texts import Texts
from handlers.keyboards import to_markup
from storage.announcements import AnnouncementRow

if TYPE_CHECKING:
    from bot.container import Services

log = logging.getLogger(__name__)


class ProgressReporter:
    """Every few seconds: edit each running announcement's progress message when a figure
    changed, and report the end.  Edits take their turn in the shared rate limiter."""

    def __init__(self, services: Services, bot: Bot, limiter: RateLimiter) -> None:
        self.service: AnnouncementService = services.announcements
        self.outbox: OutboxService = services.outbox
        self.texts: Texts = services.texts
        self.bot = bot
        self.limiter = limiter

    async def tick(self) -> None:
        for announcement in await self.service.open_due():
            async with self.service.lock(announcement.id):
                await self._update(announcement.id)

    async def _update(self, announcement_id: int) -> None:
        service = self.service
        announcement = await service.repo.get(announcement_id)
        if announcement is None or announcement.finished_at:
            return
        counts = await service.counts(announcement_id)
        text, keyboard = progress_view(self.texts, service, announcement, counts)
        shown = await self.show(announcement, text, keyboard)
        if left_of(counts) or not shown:
            return
        # The end: the final figures are on screen; say so once in a new message too, so the
        # coordinator is notified (an edit makes no sound).
        now = service.clock.now()
        if await service.repo.mark_finished(announcement_id, to_iso(now)):
            report = self.texts(
                "announce.report",
                id=announcement.id,
                sent=counts.get("sent", 0),
                total=announcement.recipients,
            )
            recipient = announcement.progress_chat_id or announcement.author_id
            if not recipient:  # the author erased their data (/forget): no one to tell
                return
            await self.outbox.enqueue(
                recipient,
                REPORT_KIND,
                f"announce-report:{announcement.id}",
                report,
                ref_id=announcement.id,
            )

    async def show(
        self, announcement: AnnouncementRow, text: str, keyboard: Keyboard | None
    ) -> bool:
        """Edit the progress message if the text changed; False to try again next tick."""
        chat, message_id = announcement.progress_chat_id, announcement.progress_message_id
        if chat is None or message_id is None or text == announcement.progress_text:
            return True
        if self.limiter.chat_wait(chat) > 0:
            return False  # the coordinator's chat just got a message (they may be a recipient)
        await self.limiter.acquire()
        self.limiter.chat_begin(chat)
        try:
            await self.bot.edit_message_text(
                text=text,
                chat_id=chat,
                message_id=message_id,
                reply_markup=to_markup(keyboard) if keyboard else None,
            )
        except TelegramRetryAfter as exc:
            self.limiter.pause(exc.retry_after)
            return False
        except TelegramBadRequest as exc:
            if "not modified" not in exc.message:
                # Deleted, or too old to edit: stop editing it; the report still comes.
                log.info("announcement %d: progress message gone: %s", announcement.id, exc)
                await self.service.show_progress_in(announcement.id, None, None, None)
                return True
        except TelegramForbiddenError:
            await self.service.show_progress_in(announcement.id, None, None, None)
            return True
        except (TelegramAPIError, OSError, TimeoutError) as exc:
            log.info("announcement %d: progress edit failed: %s", announcement.id, type(exc))
            return False
        finally:
            self.limiter.chat_end(chat)
        await self.service.progress_shown(announcement.id, text)
        return True

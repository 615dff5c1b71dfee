"""/tasks: an official's recommendations grouped by urgency, with counts in the header."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.container import Services
from bot.tasks import GROUPS, TaskGroup, Tasks
from bot.texts import Texts
from handlers.editing import show_result
from handlers.events import sender_id
from handlers.listing import PAGE_SIZE, ListItem, PageCallback, page_keyboard, render_page
from storage.documents import RecommendationRow
from storage.users import UserRecord


def _item(rec: RecommendationRow, reported: frozenset[int]) -> ListItem:
    return ListItem(
        rec_id=rec.id,
        number=rec.number,
        text=rec.text,
        status=rec.status,
        deadline=rec.deadline,
        deadline_precision=rec.deadline_precision,
        reported=rec.id in reported,
    )


def _view(
    texts: Texts, tasks: Tasks, group: TaskGroup, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    counts = {g: len(tasks.groups[g]) for g in GROUPS}
    recs = tasks.groups[group]
    page = max(0, min(page, (len(recs) - 1) // PAGE_SIZE if recs else 0))
    items = [_item(r, tasks.reported) for r in recs[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]]
    header = texts(
        "tasks.header",
        total=tasks.total,
        **counts,
        group=texts(f"tasks.group_{group}"),
    )
    text = render_page(texts, header, items, page, len(recs))
    markup = page_keyboard(texts, items, page, len(recs), view="tasks", arg=group)
    switch = [
        InlineKeyboardButton(
            text=texts(f"tasks.button_{g}", n=counts[g]),
            callback_data=PageCallback(view="tasks", page=0, arg=g).pack(),
        )
        for g in GROUPS
        if counts[g] and g != group
    ]
    rows = list(markup.inline_keyboard)
    rows += [switch[i : i + 2] for i in range(0, len(switch), 2)]
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


async def cmd_tasks(
    message: Message, services: Services, texts: Texts, user: UserRecord | None
) -> None:
    tasks = await services.tasks.tasks(sender_id(message), user.region if user else None)
    if tasks.total == 0:
        roles = await services.access.roles(sender_id(message))
        await message.answer(texts("tasks.empty" if roles.is_official else "tasks.not_official"))
        return
    group = next(g for g in GROUPS if tasks.groups[g])
    text, markup = _view(texts, tasks, group, 0)
    await message.answer(text, reply_markup=markup)


async def on_page(
    callback: CallbackQuery,
    callback_data: PageCallback,
    services: Services,
    texts: Texts,
    user: UserRecord | None,
) -> None:
    await callback.answer()
    if callback_data.arg not in GROUPS:
        return
    tasks = await services.tasks.tasks(callback.from_user.id, user.region if user else None)
    text, markup = _view(texts, tasks, TaskGroup(callback_data.arg), callback_data.page)
    await show_result(callback, text, reply_markup=markup)


def create_router() -> Router:
    router = Router(name="tasks")
    router.message.register(cmd_tasks, Command("tasks"))
    router.callback_query.register(on_page, PageCallback.filter(F.view == "tasks"))
    return router

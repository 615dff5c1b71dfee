"""Paged lists of recommendations: five to a page, a button per card, ◀️ ▶️ between pages."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from bot.formatting import human_deadline, shorten
from bot.texts import Html, Texts, join_within
from bot.views import shown_state, status_label
from handlers.callbacks import CardCallback
from handlers.keyboards import arranged

PAGE_SIZE = 5
LINE_TEXT = 260


class PageCallback(CallbackData, prefix="pg"):
    view: str  # my | ask | tasks
    page: int
    arg: str = ""


@dataclass(frozen=True)
class ListItem:
    rec_id: int
    number: str
    text: str
    status: str
    deadline: str | None
    deadline_precision: str | None
    source: str = ""
    reasons: tuple[str, ...] = ()
    overdue: bool = False
    reported: bool = True  # someone reported on it; else its status reads «нет данных»


def render_item(texts: Texts, position: int, item: ListItem) -> Html:
    deadline = (
        human_deadline(item.deadline, item.deadline_precision)
        if item.deadline
        else texts("list.no_deadline")
    )
    if item.overdue:
        deadline = f"{deadline} · {texts('list.overdue')}"
    line: str = texts(
        "list.item",
        position=position,
        number=item.number,
        text=shorten(item.text, LINE_TEXT),
        status=status_label(texts, shown_state(item.status, item.reported)),
        deadline=deadline,
    )
    if item.reasons:
        line += "\n" + texts("list.reasons", reasons=shorten("; ".join(item.reasons), 200))
    return Html(line)


def render_page(texts: Texts, header: str, items: list[ListItem], page: int, total: int) -> Html:
    lines = [render_item(texts, page * PAGE_SIZE + i + 1, item) for i, item in enumerate(items)]
    return join_within([header, *lines])


def page_keyboard(
    texts: Texts, items: list[ListItem], page: int, total: int, view: str, arg: str = ""
) -> InlineKeyboardMarkup:
    buttons: list[tuple[str, CallbackData]] = [
        (str(page * PAGE_SIZE + i + 1), CardCallback(rec_id=item.rec_id))
        for i, item in enumerate(items)
    ]
    pages = max(1, -(-total // PAGE_SIZE))
    nav: list[tuple[str, CallbackData]] = []
    if page > 0:
        nav.append(("◀️", PageCallback(view=view, page=page - 1, arg=arg)))
    if pages > 1:
        nav.append(
            (
                texts("list.page", page=page + 1, pages=pages),
                PageCallback(view=view, page=page, arg=arg),
            )
        )
    if page + 1 < pages:
        nav.append(("▶️", PageCallback(view=view, page=page + 1, arg=arg)))
    return arranged(buttons + nav, *([len(items)] if items else []), len(nav) or 1)

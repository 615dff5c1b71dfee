"""/my, questions in free text and inline mode: which recommendations concern the user."""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import replace

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultUnion,
    InputTextMessageContent,
    Message,
)

from bot.access import Role
from bot.container import Services
from bot.formatting import human_date, human_deadline, shorten
from bot.localtime import zone_for
from bot.matching import inflect_name
from bot.search import AskResult, Match, Profile
from bot.smalltalk import asks_how_to_upload, is_greeting
from bot.texts import Html, Texts
from bot.titles import readable_title
from bot.views import is_overdue, shown_state, status_label
from bot.vocabulary import kind_dative, kind_label
from handlers.editing import show_result
from handlers.events import pressed_in, sender, sender_id
from handlers.listing import PAGE_SIZE, ListItem, PageCallback, page_keyboard, render_page
from handlers.profile import ask_missing_kind, start_onboarding

QUESTION_LIMIT = 300
KEPT_QUESTIONS = 20
INLINE_RESULTS = 10


def _today(services: Services, region: str | None) -> dt.date:
    """The reader's local date."""
    zone = zone_for(region, services.settings.default_timezone)
    return services.clock.now().astimezone(zone).date()


def _item(match: Match, today: dt.date) -> ListItem:
    return ListItem(
        rec_id=match.recommendation_id,
        number=match.number,
        text=match.text,
        status=match.status,
        deadline=match.deadline,
        deadline_precision=match.deadline_precision,
        reasons=tuple(match.reasons[:2]),
        overdue=is_overdue(match.status, match.deadline, today),
        reported=match.reported,
    )


async def _my_page(
    services: Services, texts: Texts, user_id: int, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    profile = await services.profiles.get(user_id)
    search_profile = Profile(region=profile.region, kind=profile.kind, org_name=profile.org_name)
    if not profile.complete:
        # An official's body and region are known from the invite.
        body = await services.invites.official_profile(user_id)
        if body is None:
            return texts("my.no_profile"), None
        search_profile = Profile(*body)
    matches, total = await services.search.my(
        search_profile, limit=PAGE_SIZE, offset=page * PAGE_SIZE
    )
    if total == 0:
        return texts(
            "my.empty",
            region=inflect_name(search_profile.region, "loct"),
            kind=kind_dative(search_profile.kind),
        ), None
    header = texts(
        "my.header",
        n=total,
        kind=kind_label(search_profile.kind),
        region=search_profile.region,
        org=f" · {search_profile.org_name}" if search_profile.org_name else "",
    )
    today = _today(services, search_profile.region)
    items = [_item(m, today) for m in matches]
    return (
        render_page(texts, header, items, page, total),
        page_keyboard(texts, items, page, total, view="my"),
    )


async def cmd_my(message: Message, state: FSMContext, services: Services, texts: Texts) -> None:
    await state.clear()
    text, markup = await _my_page(services, texts, sender_id(message), 0)
    if text == texts("my.no_profile"):
        # Carry on with the sign-up rather than leave a dead end, from the step missing.
        if (await services.profiles.get(sender_id(message))).region:
            await ask_missing_kind(message, state, texts)
            return
        await message.answer(text)
        await start_onboarding(message, state, texts)
        return
    await message.answer(text, reply_markup=markup)


def question_key(question: str) -> str:
    """A short id for a question, so each answer's page buttons turn its own pages."""
    return format(zlib.crc32(question.encode()), "08x")


def _asked_item(match: Match, home: str | None, today: dt.date) -> ListItem:
    """An answer's line; an item from outside the asker's region says where it is from."""
    item = _item(match, today)
    if home and match.region and match.region != home:
        return replace(item, reasons=(match.region, *match.reasons[:1]))
    return item


async def _ask_page(
    services: Services, texts: Texts, user_id: int, question: str, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    profile = await services.profiles.get(user_id)
    today = _today(services, profile.region)
    result = await services.search.ask(
        question,
        home_region=profile.region,
        today=today,
        limit=PAGE_SIZE,
        offset=page * PAGE_SIZE,
    )
    asked = shorten(question, 100)
    tips = Html("\n".join(texts("ask.tip", tip=tip) for tip in result.suggestions[:4]))
    if result.region_empty:
        return texts(
            "ask.region_empty", region=inflect_name(result.region, "datv"), tips=tips
        ), None
    if result.total == 0 and result.status is not None and result.unfiltered:
        bare = not (result.topic or result.kind or result.region)  # "что выполнено?"
        scope = "" if bare else texts("ask.status_scope", question=asked)
        return texts(f"ask.status_none.{result.status}", scope=scope, n=result.unfiltered), None
    if result.total == 0:
        return texts("ask.nothing", question=asked, tips=tips), None
    understood = [
        label
        for label in (
            result.region,
            result.kind and kind_label(result.kind),
            result.status and texts.plain(f"ask.status.{result.status}"),
        )
        if label
    ]
    over = {"count": f"{result.total:,}".replace(",", "\u00a0")} if result.total_over else {}
    header = texts(
        "ask.header_over" if over else "ask.header",
        **over,
        n=result.total,
        question=asked,
        understood=texts("ask.understood", what=", ".join(understood)) if understood else "",
        scope=_scope(texts, result),
    )
    if result.pages_of < result.total:
        header = Html(header + texts("ask.shown_of", shown=result.pages_of))
    items = [_asked_item(m, result.home_region, today) for m in result.matches]
    return (
        render_page(texts, header, items, page, result.pages_of),
        page_keyboard(texts, items, page, result.pages_of, view="ask", arg=question_key(question)),
    )


def _scope(texts: Texts, result: AskResult) -> str:
    """Which region the answer covers, when the question named none."""
    home = result.home_region
    if home is None:
        return ""
    if result.home_total == result.total:
        return texts("ask.scope_home", region=home)
    if result.home_total == 0:
        return texts("ask.scope_elsewhere", region=inflect_name(home, "loct"))
    if result.kind_first and result.kind:
        return texts(
            "ask.scope_kind_first", kind=kind_dative(result.kind), region=home, n=result.home_total
        )
    return texts("ask.scope_home_first", region=home, n=result.home_total)


async def on_question(
    message: Message, state: FSMContext, services: Services, texts: Texts
) -> None:
    question = (message.text or "").strip()
    if not question:
        await message.answer(texts("ask.empty"))
        return
    if is_greeting(question):
        await message.answer(texts("ask.greeting", name=sender(message).first_name or ""))
        return
    if len(question) > QUESTION_LIMIT:
        await message.answer(texts("ask.too_long", limit=QUESTION_LIMIT))
        return
    if asks_how_to_upload(question):
        roles = (await services.access.roles(sender_id(message))).names()
        who = Role.COORDINATOR if Role.COORDINATOR in roles else Role.MEMBER
        await message.answer(texts(f"ask.how_to_upload_{who}"))
        return
    # Kept so that the page buttons can turn pages of this answer later (the last few).
    questions = (await state.get_data()).get("questions", {})
    questions[question_key(question)] = question
    await state.update_data(questions=dict(list(questions.items())[-KEPT_QUESTIONS:]))
    text, markup = await _ask_page(services, texts, sender_id(message), question, 0)
    await message.answer(text, reply_markup=markup)


async def on_page(
    callback: CallbackQuery,
    callback_data: PageCallback,
    state: FSMContext,
    services: Services,
    texts: Texts,
) -> None:
    await callback.answer()
    if callback_data.view == "my":
        text, markup = await _my_page(
            services, texts, callback.from_user.id, max(0, callback_data.page)
        )
    else:
        question = (await state.get_data()).get("questions", {}).get(callback_data.arg)
        if not question:
            await pressed_in(callback).answer(texts("ask.expired"))
            return
        text, markup = await _ask_page(
            services, texts, callback.from_user.id, question, max(0, callback_data.page)
        )
    await show_result(callback, text, reply_markup=markup)


async def on_inline(query: InlineQuery, services: Services, texts: Texts) -> None:
    words = (query.query or "").strip()[:QUESTION_LIMIT]
    offset = int(query.offset) if (query.offset or "").isdigit() else 0
    if not words:
        await query.answer([], cache_time=5, is_personal=False)
        return
    # Inline answers are shared, not personal: "просрочено" is judged by the bot's clock in
    # the default time zone.
    zone = zone_for(None, services.settings.default_timezone)
    result = await services.search.ask(
        words,
        today=services.clock.now().astimezone(zone).date(),
        limit=INLINE_RESULTS,
        offset=offset,
    )
    articles: list[InlineQueryResultUnion] = []
    for match in result.matches:
        document = await services.reporting.document(match.document_id)
        card = texts(
            "inline.card",
            number=match.number,
            text=shorten(match.text, 3000),
            title=shorten(readable_title(document.title) if document else match.source, 200),
            date=human_date(document.adopted_on) if document else "",
            addressee=match.addressee,
            deadline=human_deadline(match.deadline, match.deadline_precision)
            if match.deadline
            else texts("card.no_deadline"),
            status=status_label(texts, shown_state(match.status, match.reported)),
        )
        articles.append(
            InlineQueryResultArticle(
                id=str(match.recommendation_id),
                title=shorten(f"п. {match.number} — {match.addressee}", 60),
                description=shorten(match.text, 120),
                input_message_content=InputTextMessageContent(message_text=card),
            )
        )
    more = offset + INLINE_RESULTS < result.pages_of
    await query.answer(
        articles,
        cache_time=30,
        is_personal=False,
        next_offset=str(offset + INLINE_RESULTS) if more else "",
    )


def create_router() -> Router:
    router = Router(name="my")
    router.message.register(cmd_my, Command("my"))
    router.callback_query.register(on_page, PageCallback.filter(F.view.in_({"my", "ask"})))
    router.inline_query.register(on_inline)
    return router


def create_question_router() -> Router:
    """Free text with no dialog waiting for it is a question; goes right before the fallback."""
    router = Router(name="questions")
    router.message.register(on_question, StateFilter(None), F.text, ~F.text.startswith("/"))
    return router

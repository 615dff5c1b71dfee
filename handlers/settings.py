"""/settings (digest frequency, day, hour; how to hear of changes; regions) and /pause."""

from __future__ import annotations

import datetime as dt

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.access import Action
from bot.clock import from_iso
from bot.container import Services
from bot.formatting import WEEKDAYS, human_date
from bot.localtime import local_date, zone_for
from bot.preferences import HOURS, hears_changes_at_once
from bot.regions import search_regions
from bot.texts import Texts
from handlers.callbacks import DigestSettingsCallback, SnoozeCallback
from handlers.editing import drop_buttons, show_result
from handlers.events import bot_of, pressed_in, registered, sender_id
from handlers.profile import _regions_by_key, region_key
from storage.users import UserRecord

PAUSES = (7, 14, 30)


class SettingsForm(StatesGroup):
    add_region = State()


class SettingsAction(CallbackData, prefix="set"):
    # freq | day | hour (pickers) | set_day | set_hour | back | notify | add | drop | ask_add
    action: str
    value: str = ""


class PauseAction(CallbackData, prefix="pause"):
    days: int  # 0 resumes


async def render_settings(
    services: Services, texts: Texts, user_id: int
) -> tuple[str, InlineKeyboardMarkup]:
    user = registered(await services.users.get(user_id))
    profile = await services.profiles.get(user_id)
    if user.digest_frequency == "off":
        digest = texts("settings.digest_off")
    elif user.digest_frequency == "daily":
        digest = texts("settings.digest_daily", hour=user.digest_hour)
    else:
        digest = texts(
            "settings.digest_weekly", day=WEEKDAYS[user.digest_weekday], hour=user.digest_hour
        )
    paused = user.nudges_paused_until
    notify = user.follow_notify if not hears_changes_at_once(user) else "immediate"
    text: str = texts(
        "settings.card",
        digest=digest,
        notify=texts(f"settings.notify_{notify}"),
        regions=", ".join(profile.subscriptions) or texts("profile.not_set"),
    )
    if (await services.access.roles(user_id)).is_official:
        nudges = (
            texts("settings.paused_until", until=_local_day(services, user, from_iso(paused)))
            if paused and paused > services.clock.iso()
            else texts("settings.nudges_on")
        )
        text += "\n" + texts("settings.nudges", state=nudges)
    kb = InlineKeyboardBuilder()
    for frequency in ("weekly", "daily", "off"):
        mark = "• " if frequency == user.digest_frequency else ""
        kb.button(
            text=mark + texts(f"settings.freq_{frequency}"),
            callback_data=SettingsAction(action="freq", value=frequency),
        )
    # Only what applies: a day for a weekly digest, an hour and «in the digest» for any.
    sizes = [3]
    if user.digest_frequency == "weekly":
        kb.button(
            text=texts("settings.day_button", day=WEEKDAYS[user.digest_weekday]),
            callback_data=SettingsAction(action="day"),
        )
    if user.digest_frequency != "off":
        kb.button(
            text=texts("settings.hour_button", hour=user.digest_hour),
            callback_data=SettingsAction(action="hour"),
        )
        sizes.append(2 if user.digest_frequency == "weekly" else 1)
        other = "digest" if user.follow_notify == "immediate" else "immediate"
        kb.button(
            text=texts(f"settings.switch_notify_{other}"),
            callback_data=SettingsAction(action="notify", value=other),
        )
        sizes.append(1)
    kb.button(text=texts("settings.add_region"), callback_data=SettingsAction(action="ask_add"))
    for region in profile.subscriptions:
        if region != profile.region:
            kb.button(
                text=texts("settings.drop_region", region=region),
                callback_data=SettingsAction(action="drop", value=region_key_by_name(region)),
            )
    kb.adjust(*sizes, 1)
    return text, kb.as_markup()


def region_key_by_name(name: str) -> str:
    return next(key for key, region in _regions_by_key().items() if region.name == name)


async def cmd_settings(
    message: Message, state: FSMContext, services: Services, texts: Texts
) -> None:
    await state.clear()
    text, markup = await render_settings(services, texts, sender_id(message))
    await message.answer(text, reply_markup=markup)


async def _redraw(
    callback: CallbackQuery, services: Services, texts: Texts, in_place: bool = True
) -> None:
    """The settings card again: in place of the card (or a picker on it) the button was on,
    or as a new message under anything else (a digest, a list of regions)."""
    text, markup = await render_settings(services, texts, callback.from_user.id)
    if in_place:
        await show_result(callback, text, reply_markup=markup)
        return
    await bot_of(callback).send_message(callback.from_user.id, text, reply_markup=markup)


async def on_frequency(
    callback: CallbackQuery, callback_data: DigestSettingsCallback, services: Services, texts: Texts
) -> None:
    """A frequency button under a digest (the card's own are SettingsAction "freq")."""
    await _set_frequency(callback, services, texts, callback_data.frequency, in_place=False)


async def _set_frequency(
    callback: CallbackQuery, services: Services, texts: Texts, frequency: str, in_place: bool
) -> None:
    await services.preferences.set_digest(callback.from_user.id, frequency=frequency)
    await callback.answer(texts.plain(f"settings.saved_{frequency}"))
    await _redraw(callback, services, texts, in_place)


async def on_action(
    callback: CallbackQuery,
    callback_data: SettingsAction,
    state: FSMContext,
    services: Services,
    texts: Texts,
) -> None:
    user = registered(await services.users.get(callback.from_user.id))
    action = callback_data.action
    if action == "freq":
        await _set_frequency(callback, services, texts, callback_data.value, in_place=True)
        return
    if action in {"day", "hour"}:
        await callback.answer()
        await show_result(callback, *_picker(texts, action, user))
        return
    if action in {"set_day", "set_hour"}:
        choice = int(callback_data.value) if callback_data.value.isdigit() else -1
        allowed = range(len(WEEKDAYS)) if action == "set_day" else HOURS
        if choice not in allowed:
            await callback.answer(texts.plain("settings.bad_value"), show_alert=True)
            return
        if action == "set_day":
            await services.preferences.set_digest(user.id, weekday=choice)
            await callback.answer(texts.plain("settings.saved_day", day=WEEKDAYS[choice]))
        else:
            await services.preferences.set_digest(user.id, hour=choice)
            await callback.answer(texts.plain("settings.saved_hour", hour=choice))
        await _redraw(callback, services, texts)
        return
    if action == "notify":
        await services.preferences.set_follow_notify(user.id, callback_data.value)
    elif action == "ask_add":
        await state.set_state(SettingsForm.add_region)
        await callback.answer()
        await pressed_in(callback).answer(texts("settings.ask_region"))
        return
    elif action in {"add", "drop"}:
        region = _regions_by_key().get(callback_data.value)
        if region is not None:
            if action == "add":
                await services.profiles.add_region(user.id, region.name)
            else:
                await services.profiles.remove_region(user.id, region.name)
    await callback.answer()
    # The regions to add are a message of their own: the card comes under it.
    await _redraw(callback, services, texts, in_place=action != "add")


def _picker(texts: Texts, action: str, user: UserRecord) -> tuple[str, InlineKeyboardMarkup]:
    """All the days or hours at once: one tap picks one."""
    kb = InlineKeyboardBuilder()
    if action == "day":
        for number, day in enumerate(WEEKDAYS):
            mark = "• " if number == user.digest_weekday else ""
            kb.button(
                text=mark + day, callback_data=SettingsAction(action="set_day", value=str(number))
            )
        sizes = [2, 2, 2, 1]
    else:
        for hour in HOURS:
            mark = "• " if hour == user.digest_hour else ""
            kb.button(
                text=f"{mark}{hour}:00",
                callback_data=SettingsAction(action="set_hour", value=str(hour)),
            )
        sizes = [5] * ((len(HOURS) + 4) // 5)
    kb.button(text=texts("settings.back"), callback_data=SettingsAction(action="back"))
    kb.adjust(*sizes, 1)
    return texts(f"settings.pick_{action}"), kb.as_markup()


async def on_region_text(message: Message, state: FSMContext, texts: Texts) -> None:
    regions = search_regions((message.text or "")[:100], limit=8)
    if not regions:
        await message.answer(texts("profile.region_not_found", query=(message.text or "")[:100]))
        return
    await state.clear()
    kb = InlineKeyboardBuilder()
    for region in regions:
        kb.button(
            text=region.name, callback_data=SettingsAction(action="add", value=region_key(region))
        )
    kb.adjust(1)
    await message.answer(texts("profile.pick_region"), reply_markup=kb.as_markup())


def _pause_keyboard(texts: Texts) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for days in PAUSES:
        kb.button(text=texts("pause.option", n=days), callback_data=PauseAction(days=days))
    kb.button(text=texts("pause.resume"), callback_data=PauseAction(days=0))
    kb.adjust(3, 1)
    return kb.as_markup()


def _local_day(services: Services, user: UserRecord | None, at: dt.datetime) -> str:
    """The day a UTC time falls on where the user lives."""
    zone = zone_for(user.region if user else None, services.settings.default_timezone)
    return human_date(local_date(at, zone))


async def cmd_pause(message: Message, texts: Texts) -> None:
    await message.answer(texts("pause.ask"), reply_markup=_pause_keyboard(texts))


async def on_pause(
    callback: CallbackQuery, callback_data: PauseAction, services: Services, texts: Texts
) -> None:
    days = callback_data.days if callback_data.days in PAUSES else None
    until = await services.preferences.pause_nudges(callback.from_user.id, days)
    user = await services.users.get(callback.from_user.id)
    await callback.answer()
    await show_result(
        callback,
        texts("pause.paused", until=_local_day(services, user, until))
        if until
        else texts("pause.resumed"),
    )


async def on_snooze(
    callback: CallbackQuery, callback_data: SnoozeCallback, services: Services, texts: Texts
) -> None:
    responsible = await services.reporting.can(
        callback.from_user.id, Action.REPORT_STATUS, callback_data.rec_id
    )
    if not responsible:  # reminders are for the body that reports; nothing to snooze
        await callback.answer(texts.plain("access.not_responsible"), show_alert=True)
        return
    snooze = await services.nudges.snooze(callback.from_user.id, callback_data.rec_id)
    if snooze.deadline_day:
        await callback.answer(
            texts.plain("nudge.snoozed_till_deadline", day=human_date(snooze.deadline_day))
        )
    else:
        await callback.answer(texts.plain("nudge.snoozed_ok"))
    await drop_buttons(callback)


def create_router() -> Router:
    router = Router(name="settings")
    router.message.register(cmd_settings, Command("settings"))
    router.message.register(cmd_pause, Command("pause"))
    router.message.register(on_region_text, StateFilter(SettingsForm.add_region), F.text)
    router.callback_query.register(on_frequency, DigestSettingsCallback.filter())
    router.callback_query.register(on_action, SettingsAction.filter())
    router.callback_query.register(on_pause, PauseAction.filter())
    router.callback_query.register(on_snooze, SnoozeCallback.filter())
    return router

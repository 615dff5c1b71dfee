"""Onboarding on the first /start and /profile: region, kind of organization, its name."""

from __future__ import annotations

import zlib
from functools import lru_cache

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InaccessibleMessage, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.container import Services
from bot.profiles import Profile
from bot.regions import Region, all_regions, search_regions
from bot.texts import Texts
from bot.vocabulary import KINDS, kind_dative
from handlers.editing import drop_buttons, show_result
from handlers.events import pressed_in, sender_id
from storage.users import UserRecord

REGION_CHOICES = 8


class ProfileForm(StatesGroup):
    region = State()
    kind = State()
    org_name = State()


class ProfileAction(CallbackData, prefix="pf"):
    action: str  # region | kind | name | skip | edit
    value: str = ""
    onboarding: bool = False


def region_key(region: Region) -> str:
    """A short stable id for callback data (Cyrillic names do not fit in 64 bytes)."""
    return format(zlib.crc32(region.name.encode()), "08x")


@lru_cache(maxsize=1)
def _regions_by_key() -> dict[str, Region]:
    table = {region_key(r): r for r in all_regions()}
    assert len(table) == len(all_regions()), "region keys collide"
    return table


def kind_one(texts: Texts, kind: str) -> str:
    """One organization's kind, as a person says it: "общественная палата"."""
    return texts.plain(f"kind_one.{kind}")


def kind_button(texts: Texts, kind: str) -> str:
    label = kind_one(texts, kind)
    return label[:1].upper() + label[1:]


def region_by_key(key: str) -> Region | None:
    """The region behind a ``region_key`` from callback data."""
    return _regions_by_key().get(key)


def describe(texts: Texts, profile: Profile) -> str:
    missing = texts("profile.not_set")
    return texts(
        "profile.card",
        region=profile.region or missing,
        kind=kind_one(texts, profile.kind) if profile.kind else missing,
        name=profile.org_name or missing,
        extra_regions=", ".join(r for r in profile.subscriptions if r != profile.region) or "—",
    )


def _profile_keyboard(texts: Texts) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for field in ("region", "kind", "name"):
        kb.button(
            text=texts(f"profile.edit_{field}"),
            callback_data=ProfileAction(action="edit", value=field),
        )
    kb.adjust(1)
    return kb.as_markup()


def _kind_keyboard(texts: Texts, onboarding: bool) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for kind in KINDS:
        kb.button(
            text=kind_button(texts, kind),
            callback_data=ProfileAction(action="kind", value=kind, onboarding=onboarding),
        )
    kb.adjust(2)
    return kb.as_markup()


async def start_onboarding(
    message: Message | InaccessibleMessage, state: FSMContext, texts: Texts
) -> None:
    await state.set_state(ProfileForm.region)
    await state.update_data(onboarding=True)
    await message.answer(texts("profile.ask_region"))


async def ask_missing_kind(
    message: Message | InaccessibleMessage, state: FSMContext, texts: Texts
) -> None:
    """Sign-up left after the region: only the kind is asked (then it is finished)."""
    await state.set_state(ProfileForm.kind)
    await state.update_data(onboarding=True, only_missing=True)
    await message.answer(texts("my.ask_kind"), reply_markup=_kind_keyboard(texts, onboarding=True))


async def cmd_profile(
    message: Message, state: FSMContext, services: Services, texts: Texts
) -> None:
    await state.clear()
    profile = await services.profiles.get(sender_id(message))
    await message.answer(describe(texts, profile), reply_markup=_profile_keyboard(texts))


async def on_region_text(message: Message, state: FSMContext, texts: Texts) -> None:
    query = (message.text or "").strip()
    regions = search_regions(query, limit=REGION_CHOICES) if len(query) <= 100 else []
    if not regions:
        await message.answer(texts("profile.region_not_found", query=query[:100]))
        return
    onboarding = bool((await state.get_data()).get("onboarding"))
    kb = InlineKeyboardBuilder()
    for region in regions:
        kb.button(
            text=region.name,
            callback_data=ProfileAction(
                action="region", value=region_key(region), onboarding=onboarding
            ),
        )
    kb.adjust(1)
    await message.answer(texts("profile.pick_region"), reply_markup=kb.as_markup())


async def on_region_pick(
    callback: CallbackQuery,
    callback_data: ProfileAction,
    state: FSMContext,
    services: Services,
    texts: Texts,
) -> None:
    region = _regions_by_key().get(callback_data.value)
    if region is None:
        await callback.answer(texts.plain("profile.unknown_region"), show_alert=True)
        return
    await services.profiles.set_region(callback.from_user.id, region.name)
    await callback.answer()
    await show_result(callback, texts("profile.region_saved", region=region.name))
    # The dialog says whether this is sign-up, not the button: an old sign-up button
    # pressed later must not start sign-up again.
    if (await state.get_data()).get("onboarding"):
        await state.set_state(ProfileForm.kind)
        await pressed_in(callback).answer(
            texts("profile.ask_kind"), reply_markup=_kind_keyboard(texts, onboarding=True)
        )
    else:
        await _show_profile(callback, state, services, texts)


async def on_kind_pick(
    callback: CallbackQuery,
    callback_data: ProfileAction,
    state: FSMContext,
    services: Services,
    texts: Texts,
) -> None:
    await services.profiles.set_kind(callback.from_user.id, callback_data.value)
    await callback.answer()
    await show_result(
        callback, texts("profile.kind_saved", kind=kind_one(texts, callback_data.value))
    )
    data = await state.get_data()
    if data.get("only_missing"):
        await _finish(pressed_in(callback), state, services, texts, user_id=callback.from_user.id)
    elif data.get("onboarding"):
        await state.set_state(ProfileForm.org_name)
        kb = InlineKeyboardBuilder()
        kb.button(
            text=texts("profile.skip_button"),
            callback_data=ProfileAction(action="skip", onboarding=True),
        )
        # The example is of the kind just chosen (an НКО is not shown a public chamber).
        example = texts(f"profile.name_example.{callback_data.value}")
        await pressed_in(callback).answer(
            texts("profile.ask_name", example=example), reply_markup=kb.as_markup()
        )
    else:
        await _show_profile(callback, state, services, texts)


async def on_name_text(
    message: Message, state: FSMContext, services: Services, texts: Texts
) -> None:
    await services.profiles.set_org_name(sender_id(message), message.text)
    await _finish(message, state, services, texts, user_id=sender_id(message))


async def on_skip_name(
    callback: CallbackQuery, state: FSMContext, services: Services, texts: Texts
) -> None:
    await callback.answer()
    await drop_buttons(callback)
    await _finish(pressed_in(callback), state, services, texts, user_id=callback.from_user.id)


async def _finish(
    message: Message | InaccessibleMessage,
    state: FSMContext,
    services: Services,
    texts: Texts,
    user_id: int,
) -> None:
    onboarding = bool((await state.get_data()).get("onboarding"))
    await state.clear()
    profile = await services.profiles.finish_onboarding(user_id)
    if onboarding:
        await message.answer(
            texts("profile.done", card=describe(texts, profile), kind=kind_dative(profile.kind))
        )
    else:
        await message.answer(describe(texts, profile), reply_markup=_profile_keyboard(texts))


async def _show_profile(
    callback: CallbackQuery, state: FSMContext, services: Services, texts: Texts
) -> None:
    await state.clear()
    profile = await services.profiles.get(callback.from_user.id)
    await pressed_in(callback).answer(
        describe(texts, profile), reply_markup=_profile_keyboard(texts)
    )


async def on_edit(
    callback: CallbackQuery, callback_data: ProfileAction, state: FSMContext, texts: Texts
) -> None:
    await callback.answer()
    await state.update_data(onboarding=False)
    if callback_data.value == "region":
        await state.set_state(ProfileForm.region)
        await pressed_in(callback).answer(texts("profile.ask_region_edit"))
    elif callback_data.value == "kind":
        await state.set_state(ProfileForm.kind)
        await pressed_in(callback).answer(
            texts("profile.ask_kind"), reply_markup=_kind_keyboard(texts, onboarding=False)
        )
    else:
        await state.set_state(ProfileForm.org_name)
        await pressed_in(callback).answer(texts("profile.ask_name_edit"))


async def on_stale_step(callback: CallbackQuery, texts: Texts) -> None:
    """A region, kind or «skip» button of a step that is over: it does nothing, and says so."""
    await callback.answer(texts.plain("profile.stale_step"), show_alert=True)
    await drop_buttons(callback)


async def remind_kind(message: Message, texts: Texts) -> None:
    await message.answer(texts("profile.use_buttons"))


def needs_onboarding(user: UserRecord | None) -> bool:
    return user is not None and user.onboarded_at is None


def create_router() -> Router:
    router = Router(name="profile")
    router.message.register(cmd_profile, Command("profile"))
    router.message.register(on_region_text, StateFilter(ProfileForm.region), F.text)
    router.message.register(on_name_text, StateFilter(ProfileForm.org_name), F.text)
    router.message.register(remind_kind, StateFilter(ProfileForm.kind), F.text)
    # Each step's buttons act only while the dialog is at that step.
    router.callback_query.register(
        on_region_pick, StateFilter(ProfileForm.region), ProfileAction.filter(F.action == "region")
    )
    router.callback_query.register(
        on_kind_pick, StateFilter(ProfileForm.kind), ProfileAction.filter(F.action == "kind")
    )
    router.callback_query.register(
        on_skip_name, StateFilter(ProfileForm.org_name), ProfileAction.filter(F.action == "skip")
    )
    router.callback_query.register(
        on_stale_step, ProfileAction.filter(F.action.in_({"region", "kind", "skip"}))
    )
    router.callback_query.register(on_edit, ProfileAction.filter(F.action == "edit"))
    return router

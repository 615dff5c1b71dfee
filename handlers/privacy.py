"""Personal data: the consent step, /privacy, /policy, /mydata and /forget.

This router comes right after the error handler: a person who has not consented (a new one,
one who refused, or one registered before consent was asked) reaches only /start, /help and
the commands here; anything else gets the consent question or, after a refusal, what the
bot cannot do without it.  Nothing is stored about them until they agree.
"""

from __future__ import annotations

import json
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart, Filter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InaccessibleMessage,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
)
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.clock import from_iso
from bot.container import Services
from bot.localtime import local_date, zone_for
from bot.privacy import ConsentState
from bot.telegram.menu import refresh_menu
from bot.texts import Html, Texts, escape
from bot.views import representative
from handlers.events import bot_of, pressed_in, pressed_message, sender, sender_id
from handlers.invites import INVITE_PREFIX, show_invite
from handlers.middlewares import identity_of
from handlers.profile import needs_onboarding, start_onboarding
from handlers.start import greet_staff
from storage.users import UserRecord

# Commands a person may use before consenting: none of them stores anything.
OPEN_COMMANDS = ("help", "privacy", "policy", "mydata", "forget")
POLICY_PART_LIMIT = 3800


class PrivacyAction(CallbackData, prefix="pd"):
    action: str  # agree | refuse | policy | forget | keep
    invite: str = ""  # an invite token to continue with after consent


class NeedsConsent(Filter):
    """True for a person who has not consented to the current policy."""

    async def __call__(self, event: TelegramObject, consent: ConsentState | None = None) -> bool:
        return consent is not None and not consent.given


# The invite a newcomer followed, kept in the dialog's data until they consent.
PENDING_INVITE = "pending_invite"


def _consent_keyboard(texts: Texts, url: str, invite: str = "") -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(
        text=texts("privacy.agree_button"),
        callback_data=PrivacyAction(action="agree", invite=invite),
    )
    kb.button(text=texts("privacy.refuse_button"), callback_data=PrivacyAction(action="refuse"))
    if url:
        kb.button(text=texts("privacy.policy_button"), url=url)
    else:
        kb.button(text=texts("privacy.policy_button"), callback_data=PrivacyAction(action="policy"))
    kb.adjust(2, 1)
    return kb.as_markup()


async def ask_consent(message: Message, services: Services, texts: Texts, invite: str = "") -> None:
    await message.answer(
        texts("privacy.consent_request"),
        reply_markup=_consent_keyboard(texts, services.settings.privacy_policy_url, invite),
    )


async def gate_start(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    services: Services,
    texts: Texts,
    user: UserRecord | None,
) -> None:
    payload = command.args or ""
    invite = payload.removeprefix(INVITE_PREFIX) if payload.startswith(INVITE_PREFIX) else ""
    if invite:  # kept until consent: another message first must not lose it
        await state.update_data({PENDING_INVITE: invite})
    name = sender(message).first_name or "коллега"
    if user is None:
        key = "start.greeting_new"
    else:  # asked again (an earlier user, or a new edition of the policy)
        key = "start.greeting_resume" if needs_onboarding(user) else "start.greeting_back"
    await message.answer(texts(key, name=name))
    await ask_consent(message, services, texts, invite)


async def gate_message(
    message: Message, state: FSMContext, services: Services, texts: Texts, consent: ConsentState
) -> None:
    if consent.refused:
        await message.answer(texts("privacy.without_consent"))
    else:
        invite = (await state.get_data()).get(PENDING_INVITE, "")
        await ask_consent(message, services, texts, invite)


async def gate_callback(callback: CallbackQuery, texts: Texts) -> None:
    await callback.answer(texts.plain("privacy.consent_first"), show_alert=True)


async def on_agree(
    callback: CallbackQuery,
    callback_data: PrivacyAction,
    state: FSMContext,
    services: Services,
    texts: Texts,
) -> None:
    await callback.answer()
    user, _ = await services.privacy.give_consent(identity_of(callback.from_user))
    await pressed_message(callback).edit_text(
        texts("privacy.consent_given", version=services.privacy.policy.version)
    )
    name = callback.from_user.first_name or "коллега"
    invite = callback_data.invite or (await state.get_data()).get(PENDING_INVITE, "")
    await state.update_data({PENDING_INVITE: ""})
    if invite:
        await show_invite(pressed_in(callback), callback.from_user.id, invite, services, texts)
    elif await greet_staff(pressed_in(callback), services, texts, callback.from_user.id, name):
        pass
    elif needs_onboarding(user):
        await start_onboarding(pressed_in(callback), state, texts)
    else:
        await pressed_in(callback).answer(texts("privacy.carry_on"))


async def on_refuse(
    callback: CallbackQuery, services: Services, texts: Texts, user: UserRecord | None
) -> None:
    await callback.answer()
    await services.privacy.refuse_consent(callback.from_user.id)
    if user is not None:  # known from before: their data went with the refusal
        await refresh_menu(bot_of(callback), texts, callback.from_user.id, {"member"})
    key = "privacy.refused_erased" if user is not None else "privacy.refused"
    await pressed_message(callback).edit_text(texts(key))


def _policy_parts(services: Services) -> list[Html]:
    """The policy as messages: ``# heading`` lines bold, everything else escaped."""
    parts: list[str] = []
    for paragraph in services.privacy.policy.text.split("\n\n"):
        lines = [
            f"<b>{escape(line.lstrip('#').strip())}</b>" if line.startswith("#") else escape(line)
            for line in paragraph.splitlines()
        ]
        block = "\n".join(lines)
        if parts and len(parts[-1]) + len(block) + 2 <= POLICY_PART_LIMIT:
            parts[-1] += "\n\n" + block
        else:
            parts.append(block)
    return [Html(part) for part in parts]


async def send_policy(
    message: Message | InaccessibleMessage, services: Services, texts: Texts
) -> None:
    for part in _policy_parts(services):
        await message.answer(part)
    if services.settings.privacy_policy_url:
        await message.answer(
            texts("privacy.policy_online", url=services.settings.privacy_policy_url)
        )


async def cmd_policy(message: Message, services: Services, texts: Texts) -> None:
    await send_policy(message, services, texts)


async def on_policy_button(callback: CallbackQuery, services: Services, texts: Texts) -> None:
    await callback.answer()
    await send_policy(pressed_in(callback), services, texts)


def _consent_line(
    texts: Texts, services: Services, consent: ConsentState | None, user: UserRecord | None
) -> Html:
    record = consent.record if consent else None
    if consent is not None and consent.given and record is not None:
        zone = zone_for(user.region if user else None, services.settings.default_timezone)
        day = local_date(from_iso(record.decided_at), zone).strftime("%d.%m.%Y")
        return texts("privacy.consent_status_given", day=day, version=record.version)
    if consent is not None and consent.refused:
        return texts("privacy.consent_status_refused")
    return texts("privacy.consent_status_none")


async def cmd_privacy(
    message: Message,
    services: Services,
    texts: Texts,
    consent: ConsentState | None = None,
    user: UserRecord | None = None,
) -> None:
    settings = services.settings
    await message.answer(
        texts(
            "privacy.about",
            outbox_days=settings.outbox_retention_days,
            draft_days=settings.draft_retention_days,
            consent=_consent_line(texts, services, consent, user),
        )
    )


def _has_data(data: dict[str, Any]) -> bool:
    skip = {"format", "exported_at", "user_id", "policy_version"}
    return any(value for key, value in data.items() if key not in skip)


async def cmd_mydata(message: Message, services: Services, texts: Texts) -> None:
    data = await services.privacy.export(sender_id(message))
    if not _has_data(data):
        await message.answer(texts("privacy.nothing_stored"))
        return
    body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    await message.answer_document(
        BufferedInputFile(body, filename=f"mydata-{sender_id(message)}.json"),
        caption=texts("privacy.mydata_caption"),
    )


async def cmd_forget(message: Message, services: Services, texts: Texts) -> None:
    data = await services.privacy.export(sender_id(message))
    if not _has_data(data):
        await message.answer(texts("privacy.nothing_stored"))
        return
    kb = InlineKeyboardBuilder()
    kb.button(text=texts("privacy.forget_button"), callback_data=PrivacyAction(action="forget"))
    kb.button(text=texts("privacy.keep_button"), callback_data=PrivacyAction(action="keep"))
    kb.adjust(1)
    if data["reports"]:
        orgs = [o["addressee"] for o in data["official_of"]]
        signature = representative(texts, orgs[0]) if orgs else texts("privacy.signature")
        text = texts("privacy.forget_confirm_official", signature=signature)
    else:
        text = texts("privacy.forget_confirm")
    await message.answer(text, reply_markup=kb.as_markup())


async def on_forget(callback: CallbackQuery, services: Services, texts: Texts) -> None:
    await callback.answer()
    await services.privacy.forget(callback.from_user.id)
    await refresh_menu(bot_of(callback), texts, callback.from_user.id, {"member"})
    await pressed_message(callback).edit_text(texts("privacy.forgotten"))


async def on_keep(callback: CallbackQuery, texts: Texts) -> None:
    await callback.answer()
    await pressed_message(callback).edit_text(texts("privacy.kept"))


def create_router() -> Router:
    router = Router(name="privacy")
    router.message.register(cmd_privacy, Command("privacy"))
    router.message.register(cmd_policy, Command("policy"))
    router.message.register(cmd_mydata, Command("mydata"))
    router.message.register(cmd_forget, Command("forget"))
    router.callback_query.register(on_agree, PrivacyAction.filter(F.action == "agree"))
    router.callback_query.register(on_refuse, PrivacyAction.filter(F.action == "refuse"))
    router.callback_query.register(on_policy_button, PrivacyAction.filter(F.action == "policy"))
    router.callback_query.register(on_forget, PrivacyAction.filter(F.action == "forget"))
    router.callback_query.register(on_keep, PrivacyAction.filter(F.action == "keep"))
    # The gate: everything else waits for consent.
    router.message.register(gate_start, NeedsConsent(), CommandStart())
    router.message.register(gate_message, NeedsConsent(), ~Command(*OPEN_COMMANDS))
    router.callback_query.register(gate_callback, NeedsConsent())
    return router

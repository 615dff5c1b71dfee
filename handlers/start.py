"""/start (also with an invite deep link) and /help."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import InaccessibleMessage, Message

from bot.access import Roles
from bot.commands import commands_for
from bot.container import Services
from bot.texts import Html, Texts
from handlers.events import sender_id
from handlers.invites import INVITE_PREFIX, show_invite
from handlers.profile import needs_onboarding, start_onboarding
from storage.users import UserRecord


async def cmd_start(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    services: Services,
    texts: Texts,
    user: UserRecord,
    is_new_user: bool,
) -> None:
    await state.clear()
    payload = command.args or ""
    if payload.startswith(INVITE_PREFIX):
        # An official following an invite: the invite first, the organization profile later.
        await show_invite(
            message, sender_id(message), payload.removeprefix(INVITE_PREFIX), services, texts
        )
        return
    name = user.first_name or "коллега"
    if await greet_staff(message, services, texts, sender_id(message), name):
        return
    if not needs_onboarding(user):
        await message.answer(texts("start.greeting_back", name=name))
        return
    key = "start.greeting_new" if is_new_user else "start.greeting_resume"
    await message.answer(texts(key, name=name))
    await start_onboarding(message, state, texts)


async def greet_staff(
    message: Message | InaccessibleMessage,
    services: Services,
    texts: Texts,
    user_id: int,
    name: str,
) -> bool:
    """Staff are not an NGO: say what they can do instead of starting the sign-up.
    False for everyone else."""
    roles = await services.access.roles(user_id)
    if not (roles.is_coordinator or roles.is_official):
        return False
    lines = await _role_lines(services, texts, roles)
    await message.answer(texts("start.greeting_staff", name=name, roles=Html("\n\n".join(lines))))
    return True


async def _role_lines(services: Services, texts: Texts, roles: Roles) -> list[str]:
    lines: list[str] = []
    if roles.is_admin:
        lines.append(texts("start.role_admin"))
    if roles.coordinator_regions:
        regions = ", ".join(sorted(roles.coordinator_regions))
        lines.append(texts("start.role_coordinator", regions=regions))
    if roles.official_addressees:
        names = []
        for addressee_id in sorted(roles.official_addressees):
            addressee = await services.invites.addressee(addressee_id)
            if addressee is not None:
                names.append(addressee.canonical)
        lines.append(texts("start.role_official", addressees="; ".join(names)))
    return lines


async def cmd_help(message: Message, services: Services, texts: Texts) -> None:
    roles = await services.access.roles(sender_id(message))
    lines = [
        texts("help.command_line", command=command, description=description)
        for command, description in commands_for(texts, roles.names())
    ]
    names = roles.names()
    hints = [texts(f"help.hint_{role}") for role in ("coordinator", "official") if role in names]
    body = texts("help.body", commands=Html("\n".join(lines)))
    await message.answer(Html("\n\n".join([body, *hints])))


def create_router() -> Router:
    router = Router(name="start")
    router.message.register(cmd_start, CommandStart())
    router.message.register(cmd_help, Command("help"))
    return router

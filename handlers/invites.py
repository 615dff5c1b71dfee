"""/invite and /officials for coordinators; the invite deep link for officials."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InaccessibleMessage, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.access import Action
from bot.container import Services
from bot.errors import PermissionDenied, UserError
from bot.formatting import human_date, shorten
from bot.invites import InviteInfo
from bot.public import web_form_url
from bot.telegram.menu import refresh_menu
from bot.texts import Html, Texts
from bot.titles import readable_title
from handlers.editing import drop_buttons, show_result
from handlers.events import bot_of, pressed_in, sender_id

INVITE_PREFIX = "inv_"
USES_CHOICES = (1, 5, 20)
DOCUMENTS_SHOWN = 20


class InviteCallback(CallbackData, prefix="iv"):
    # doc | addr | make | web | webrevoke | revoke | unbind | unbind_yes | unbind_no | join
    # | decline
    action: str
    id: int = 0
    n: int = 0
    token: str = ""


async def cmd_invite(message: Message, services: Services, texts: Texts) -> None:
    documents = await services.invites.documents_for(sender_id(message))
    if not documents:
        await message.answer(texts("invite.no_documents"))
        return
    kb = InlineKeyboardBuilder()
    for document in documents[:DOCUMENTS_SHOWN]:
        title = shorten(readable_title(document.title), 50)
        label = f"{human_date(document.adopted_on) or '—'} · {title}"
        kb.button(text=label, callback_data=InviteCallback(action="doc", id=document.id))
    kb.adjust(1)
    await message.answer(texts("invite.pick_document"), reply_markup=kb.as_markup())


async def on_document(
    callback: CallbackQuery, callback_data: InviteCallback, services: Services, texts: Texts
) -> None:
    addressees = await services.invites.addressees_for(callback.from_user.id, callback_data.id)
    await callback.answer()
    if not addressees:
        await pressed_in(callback).answer(texts("invite.no_addressees"))
        return
    kb = InlineKeyboardBuilder()
    for addressee in addressees:
        kb.button(
            text=shorten(addressee.canonical, 60),
            callback_data=InviteCallback(action="addr", id=addressee.id),
        )
    kb.adjust(1)
    if callback_data.action == "more":  # under a link: the link stays, to be forwarded
        await pressed_in(callback).answer(
            texts("invite.pick_addressee"), reply_markup=kb.as_markup()
        )
        return
    await show_result(callback, texts("invite.pick_addressee"), reply_markup=kb.as_markup())


async def on_addressee(
    callback: CallbackQuery, callback_data: InviteCallback, services: Services, texts: Texts
) -> None:
    addressee = await services.invites.addressee_for(callback.from_user.id, callback_data.id)
    await callback.answer()
    kb = InlineKeyboardBuilder()
    for n in USES_CHOICES:
        kb.button(
            text=texts("invite.uses_button", n=n),
            callback_data=InviteCallback(action="make", id=callback_data.id, n=n),
        )
    if services.settings.web_enabled:  # an official without Telegram: the web form
        kb.button(
            text=texts("invite.web_button"),
            callback_data=InviteCallback(action="web", id=callback_data.id),
        )
    kb.button(
        text=texts("invite.back_button"),
        callback_data=InviteCallback(action="doc", id=addressee.document_id),
    )
    kb.adjust(len(USES_CHOICES), 1)
    await show_result(
        callback,
        texts("invite.pick_uses", addressee=addressee.canonical),
        reply_markup=kb.as_markup(),
    )


def _made_keyboard(
    texts: Texts, revoke_text: str, revoke_action: str, link_id: int, document_id: int
) -> InlineKeyboardMarkup:
    """Under a new link: revoke it, or invite another body of the same resolution."""
    kb = InlineKeyboardBuilder()
    kb.button(
        text=texts(revoke_text), callback_data=InviteCallback(action=revoke_action, id=link_id)
    )
    kb.button(
        text=texts("invite.more_button"),
        callback_data=InviteCallback(action="more", id=document_id),
    )
    kb.adjust(1)
    return kb.as_markup()


async def on_make(
    callback: CallbackQuery,
    callback_data: InviteCallback,
    bot: Bot,
    services: Services,
    texts: Texts,
) -> None:
    invite = await services.invites.create(
        callback.from_user.id, callback_data.id, max_uses=callback_data.n
    )
    await callback.answer()
    me = await bot.me()
    addressee = await services.invites.addressee(invite.addressee_id)
    link = f"https://t.me/{me.username}?start={INVITE_PREFIX}{invite.token}"
    kb = _made_keyboard(texts, "invite.revoke_button", "revoke", invite.id, addressee.document_id)
    await show_result(
        callback,
        texts(
            "invite.created",
            addressee=addressee.canonical,
            link=link,
            until=human_date(invite.expires_at),
            n=invite.max_uses,
        ),
        reply_markup=kb,
    )


async def on_make_web(
    callback: CallbackQuery, callback_data: InviteCallback, services: Services, texts: Texts
) -> None:
    """A personal link to the web form, for an official who does not use Telegram."""
    made = await services.weblinks.create(callback.from_user.id, callback_data.id)
    link = web_form_url(services.settings, made.token)
    if link is None:  # the page was switched off meanwhile
        await callback.answer(texts.plain("web.not_found"), show_alert=True)
        return
    await callback.answer()
    addressee = await services.invites.addressee_for(callback.from_user.id, made.link.addressee_id)
    kb = _made_keyboard(
        texts, "invite.web_revoke_button", "webrevoke", made.link.id, addressee.document_id
    )
    await show_result(
        callback,
        texts(
            "invite.web_created",
            addressee=addressee.canonical,
            link=link,
            until=human_date(made.link.expires_at),
        ),
        reply_markup=kb,
    )


async def on_revoke_web(
    callback: CallbackQuery, callback_data: InviteCallback, services: Services, texts: Texts
) -> None:
    done = await services.weblinks.revoke(callback.from_user.id, callback_data.id)
    await callback.answer(
        texts.plain("invite.web_revoked_short" if done else "invite.already_closed")
    )
    if callback_data.n:  # from /officials: the list without it
        text, markup = await officials_view(services, texts, callback.from_user.id)
        await show_result(callback, text, reply_markup=markup)
    else:
        await drop_buttons(callback)


async def on_revoke_invite(
    callback: CallbackQuery, callback_data: InviteCallback, services: Services, texts: Texts
) -> None:
    done = await services.invites.revoke_invite(callback.from_user.id, callback_data.id)
    await callback.answer(texts.plain("invite.revoked_short" if done else "invite.already_closed"))
    await drop_buttons(callback)


async def officials_view(
    services: Services, texts: Texts, actor: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The officials and open invites of the coordinator's regions, with revoke buttons."""
    officials, invites = await services.invites.listing(actor)
    web_links = await services.weblinks.listing(actor)
    if not officials and not invites and not web_links:
        return texts("officials.none"), None
    lines = []
    kb = InlineKeyboardBuilder()
    for user_id, addressee_id in officials[:30]:
        person = await services.users.get(user_id)
        addressee = await services.invites.addressee(addressee_id)
        name = (person.first_name if person else "") or str(user_id)
        lines.append(texts("officials.line", name=name, addressee=addressee.canonical))
        kb.button(
            text=texts("officials.unbind_button", name=shorten(name, 20)),
            callback_data=InviteCallback(action="unbind", id=user_id, n=addressee_id),
        )
    for invite in invites[:20]:
        addressee = await services.invites.addressee(invite.addressee_id)
        lines.append(
            texts(
                "officials.invite_line",
                addressee=addressee.canonical,
                left=invite.max_uses - invite.uses,
                until=human_date(invite.expires_at),
            )
        )
        kb.button(
            text=texts("officials.revoke_invite_button", id=invite.id),
            callback_data=InviteCallback(action="revoke", id=invite.id),
        )
    for web_link in web_links[:20]:
        addressee = await services.invites.addressee(web_link.addressee_id)
        lines.append(
            texts(
                "officials.web_line",
                addressee=addressee.canonical,
                until=human_date(web_link.expires_at),
            )
        )
        kb.button(
            text=texts("officials.revoke_web_button", id=web_link.id),
            callback_data=InviteCallback(action="webrevoke", id=web_link.id, n=1),
        )
    kb.adjust(1)
    return texts("officials.list", lines=Html("\n".join(lines))), kb.as_markup()


async def cmd_officials(message: Message, services: Services, texts: Texts) -> None:
    text, markup = await officials_view(services, texts, sender_id(message))
    await message.answer(text, reply_markup=markup)


async def on_unbind_ask(
    callback: CallbackQuery, callback_data: InviteCallback, services: Services, texts: Texts
) -> None:
    """ "Отключить: <name>" first asks; nothing changes until the coordinator confirms."""
    addressee = await services.invites.addressee_for(
        callback.from_user.id, callback_data.n, Action.REVOKE
    )
    person = await services.users.get(callback_data.id)
    await callback.answer()
    name = (person.first_name if person else "") or str(callback_data.id)
    kb = InlineKeyboardBuilder()
    kb.button(
        text=texts("officials.unbind_yes_button"),
        callback_data=InviteCallback(action="unbind_yes", id=callback_data.id, n=callback_data.n),
    )
    kb.button(
        text=texts("officials.unbind_no_button"),
        callback_data=InviteCallback(action="unbind_no"),
    )
    kb.adjust(2)
    await show_result(
        callback,
        texts("officials.unbind_confirm", name=name, addressee=addressee.canonical),
        reply_markup=kb.as_markup(),
    )


async def on_unbind_no(callback: CallbackQuery, services: Services, texts: Texts) -> None:
    await callback.answer()
    try:
        text, markup = await officials_view(services, texts, callback.from_user.id)
    except PermissionDenied as denied:  # no longer a coordinator: the list makes way for why
        await show_result(callback, texts(denied.key, **denied.params))
        return
    await show_result(callback, text, reply_markup=markup)


async def on_unbind(
    callback: CallbackQuery, callback_data: InviteCallback, services: Services, texts: Texts
) -> None:
    done = await services.invites.revoke_official(
        callback.from_user.id, callback_data.id, callback_data.n
    )
    await callback.answer(texts.plain("officials.unbound" if done else "officials.already_unbound"))
    if done:
        roles = await services.access.roles(callback_data.id)
        await refresh_menu(bot_of(callback), texts, callback_data.id, roles.names())
        addressee = await services.invites.addressee(callback_data.n)
        await services.outbox.enqueue(
            callback_data.id,
            "notice",
            f"unbound:{callback_data.n}:{services.clock.iso()}",
            texts("officials.you_are_unbound", addressee=addressee.canonical),
        )
    text, markup = await officials_view(services, texts, callback.from_user.id)
    await show_result(callback, text, reply_markup=markup)


async def show_invite(
    message: Message | InaccessibleMessage,
    user_id: int,
    token: str,
    services: Services,
    texts: Texts,
) -> None:
    """The deep link was opened: say what it is for and ask to confirm."""
    info = await services.invites.inspect(token)
    roles = await services.access.roles(user_id)
    if info.addressee.id in roles.official_addressees:
        await message.answer(texts("invite.already_joined", addressee=info.addressee.canonical))
        return
    kb = InlineKeyboardBuilder()
    kb.button(
        text=texts("invite.join_button"), callback_data=InviteCallback(action="join", token=token)
    )
    kb.button(text=texts("invite.decline_button"), callback_data=InviteCallback(action="decline"))
    await message.answer(
        texts(
            "invite.offer",
            addressee=info.addressee.canonical,
            title=shorten(readable_title(info.document.title), 200),
            region=info.document.region or "—",
        ),
        reply_markup=kb.as_markup(),
    )


async def on_join(
    callback: CallbackQuery, callback_data: InviteCallback, services: Services, texts: Texts
) -> None:
    await callback.answer()
    if callback_data.action == "decline":
        await show_result(callback, texts("invite.declined"))
        return
    try:
        info = await services.invites.accept(callback.from_user.id, callback_data.token)
    except UserError as error:  # the offer makes way for why it no longer stands
        await show_result(callback, texts(error.key, **error.params))
        return
    roles = await services.access.roles(callback.from_user.id)
    await refresh_menu(bot_of(callback), texts, callback.from_user.id, roles.names())
    await _tell_inviter(services, texts, info, callback.from_user.first_name)
    profile = await services.profiles.get(callback.from_user.id)
    if profile.region is None and info.document.region:
        # Local time for nudges comes from the region: take the body's own.
        await services.profiles.set_region(callback.from_user.id, info.document.region)
    if profile.kind is None:
        # The body is the official's organization: /my works without a sign-up.
        await services.profiles.set_kind(callback.from_user.id, info.addressee.kind)
        if profile.org_name is None:
            await services.profiles.set_org_name(callback.from_user.id, info.addressee.canonical)
    await show_result(callback, texts("invite.joined", addressee=info.addressee.canonical))


async def _tell_inviter(services: Services, texts: Texts, info: InviteInfo, name: str) -> None:
    """The coordinator who made the link learns who joined (through the delivery path)."""
    await services.outbox.enqueue(
        info.invite.created_by,
        "notice",
        f"joined:{info.invite.id}:{info.invite.uses + 1}",
        texts("invite.someone_joined", name=name, addressee=info.addressee.canonical),
    )


def create_router() -> Router:
    router = Router(name="invites")
    router.message.register(cmd_invite, Command("invite"))
    router.message.register(cmd_officials, Command("officials"))
    router.callback_query.register(
        on_document, InviteCallback.filter(F.action.in_({"doc", "more"}))
    )
    router.callback_query.register(on_addressee, InviteCallback.filter(F.action == "addr"))
    router.callback_query.register(on_make, InviteCallback.filter(F.action == "make"))
    router.callback_query.register(on_revoke_invite, InviteCallback.filter(F.action == "revoke"))
    router.callback_query.register(on_make_web, InviteCallback.filter(F.action == "web"))
    router.callback_query.register(on_revoke_web, InviteCallback.filter(F.action == "webrevoke"))
    router.callback_query.register(on_unbind_ask, InviteCallback.filter(F.action == "unbind"))
    router.callback_query.register(on_unbind, InviteCallback.filter(F.action == "unbind_yes"))
    router.callback_query.register(on_unbind_no, InviteCallback.filter(F.action == "unbind_no"))
    router.callback_query.register(
        on_join, InviteCallback.filter(F.action.in_({"join", "decline"}))
    )
    return router

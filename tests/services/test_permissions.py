"""The permission matrix, enforced by the services themselves (not only by the buttons)."""

import datetime as dt

import pytest

from bot.correction_service import Ref
from bot.errors import PermissionDenied
from bot.reporting import Letter, SheetChange
from storage.exports import Scope
from tests.conftest import ADMIN_ID

MEMBER, OFFICIAL_THIS, OFFICIAL_OTHER, COORD_THIS, COORD_OTHER = 11, 12, 13, 14, 15
ACTORS = {
    "member": MEMBER,
    "official of this addressee": OFFICIAL_THIS,
    "official of another": OFFICIAL_OTHER,
    "coordinator of this region": COORD_THIS,
    "coordinator of another region": COORD_OTHER,
    "admin": ADMIN_ID,
}
ACTIONS = (
    "report status",
    "comment",
    "assess",
    "set deadline",
    "invite",
    "revoke",
    "correct",
    "export report",
    "record letter",
    "bulk update",
)
Y, N = True, False
MATRIX = {
    "member": (N, N, Y, N, N, N, N, N, N, N),
    "official of this addressee": (Y, Y, N, N, N, N, N, N, N, N),
    "official of another": (N, N, Y, N, N, N, N, N, N, N),
    "coordinator of this region": (Y, Y, Y, Y, Y, Y, Y, Y, Y, Y),
    "coordinator of another region": (N, N, Y, N, N, N, N, N, N, N),
    "admin": (Y, Y, Y, Y, Y, Y, Y, Y, Y, Y),
}


@pytest.fixture
async def world(services, seeded):
    from bot.users import TelegramIdentity

    for user_id in (*ACTORS.values(), 99):
        await services.users.touch(TelegramIdentity(user_id, f"U{user_id}"))
    amur = seeded["002"]
    addressees = await services.documents.addressees(amur.document_id)
    government = next(a for a in addressees if a.canonical == "Правительство области")
    legislature = next(a for a in addressees if a.kind == "legislature")
    rec_id = next(
        r
        for r, a in (
            await services.documents.addressee_ids_by_recommendation(amur.document_id)
        ).items()
        if a == [government.id]
    )
    await services.access.appoint_coordinator(ADMIN_ID, COORD_THIS, "Амурская область")
    await services.access.appoint_coordinator(ADMIN_ID, COORD_OTHER, "Камчатский край")
    invite = await services.invites.create(ADMIN_ID, government.id, max_uses=5)
    await services.invites.accept(OFFICIAL_THIS, invite.token)
    other = await services.invites.create(ADMIN_ID, legislature.id)
    await services.invites.accept(OFFICIAL_OTHER, other.token)
    return {"rec_id": rec_id, "government": government.id, "document": amur.document_id}


async def perform(services, world, actor: int, action: str):
    rec_id = world["rec_id"]
    if action == "report status":
        return await services.reporting.report_status(actor, rec_id, "in_progress", "идёт")
    if action == "comment":
        return await services.reporting.comment(actor, rec_id, "Провели встречу")
    if action == "assess":
        return await services.reporting.assess(actor, rec_id, "disagree", "Не видим работы")
    if action == "set deadline":
        return await services.reporting.set_deadline(actor, rec_id, dt.date(2026, 12, 31))
    if action == "invite":
        return await services.invites.create(actor, world["government"])
    if action == "revoke":
        return await services.invites.revoke_official(actor, OFFICIAL_THIS, world["government"])
    if action == "export report":
        return await services.reports.export(actor, Scope("Амурская область"), "csv")
    if action == "record letter":
        letter = Letter("01-12/345", dt.date(2026, 2, 27))
        return await services.reporting.report_status(
            actor, rec_id, "done", "Выполнено, письмо", letter=letter
        )
    if action == "bulk update":
        change = SheetChange(rec_id, "in_progress", "из таблицы", "not_started")
        return await services.reporting.apply_sheet(actor, [change])
    if action == "correct":
        ref = Ref("doc", world["document"])
        return await services.corrections.set_kind(actor, ref, 0, "other")
    raise AssertionError(action)


@pytest.mark.parametrize("actor", list(ACTORS))
@pytest.mark.parametrize("action", ACTIONS)
async def test_matrix(services, world, actor, action):
    expected = MATRIX[actor][ACTIONS.index(action)]
    before = await services.db.fetchval("SELECT count(*) FROM history")
    corrections = await services.db.fetchval("SELECT count(*) FROM document_corrections")
    if expected:
        assert await perform(services, world, ACTORS[actor], action) is not None
    else:
        with pytest.raises(PermissionDenied):
            await perform(services, world, ACTORS[actor], action)
        # A refused action leaves no trace.
        assert await services.db.fetchval("SELECT count(*) FROM history") == before
        assert (
            await services.db.fetchval("SELECT count(*) FROM document_corrections") == corrections
        )
        bound = await services.reporting.reporting.official_addressees(OFFICIAL_THIS)
        assert world["government"] in bound


async def test_revoked_official_loses_the_right_to_report(services, world):
    await services.invites.revoke_official(COORD_THIS, OFFICIAL_THIS, world["government"])
    with pytest.raises(PermissionDenied):
        await services.reporting.report_status(OFFICIAL_THIS, world["rec_id"], "done")


async def test_only_admins_appoint_coordinators(services, world):
    for actor in (MEMBER, OFFICIAL_THIS, COORD_THIS):
        with pytest.raises(PermissionDenied):
            await services.access.appoint_coordinator(actor, 99, "Амурская область")
    assert await services.access.appoint_coordinator(ADMIN_ID, 99, "Амурская область")


@pytest.mark.parametrize("actor", list(ACTORS))
async def test_personal_data_is_ones_own_only(services, world, actor):
    """/mydata and /forget: everyone acts on their own data, nobody (not an admin) on another's."""
    actor_id = ACTORS[actor]
    assert (await services.privacy.export(actor_id))["user_id"] == actor_id
    other = MEMBER if actor_id != MEMBER else OFFICIAL_THIS
    with pytest.raises(PermissionDenied):
        await services.privacy.export(actor_id, other)
    with pytest.raises(PermissionDenied):
        await services.privacy.forget(actor_id, other)
    assert await services.users.get(other) is not None


@pytest.mark.parametrize("actor", [MEMBER, OFFICIAL_THIS])
async def test_only_coordinators_list_documents_to_invite_to(services, world, actor):
    with pytest.raises(PermissionDenied) as denied:
        await services.invites.documents_for(actor)
    assert denied.value.key == "access.coordinators_only"


async def test_a_coordinator_invites_to_their_regions_documents_only(services, world):
    mine = await services.invites.documents_for(COORD_THIS)
    assert world["document"] in {d.id for d in mine}
    assert {d.region for d in mine} == {"Амурская область"}
    everything = await services.invites.documents_for(ADMIN_ID)
    assert len({d.region for d in everything}) > 1


MISSING = 10**9  # an id nothing has: what a forged button may carry
# A coordinator's actions, each on an object that is not there.
COORDINATOR_CALLS = {
    "set deadline": lambda s, a: s.reporting.set_deadline(a, MISSING, dt.date(2026, 12, 31)),
    "read deadline": lambda s, a: s.reporting.read_deadline(a, MISSING, "31.12.2026"),
    "read letter": lambda s, a: s.reporting.read_letter(a, MISSING, "№ 1 от 01.02.2026"),
    "record letter": lambda s, a: s.reporting.report_status(
        a, MISSING, "done", "Выполнено", letter=Letter("1", dt.date(2026, 2, 1))
    ),
    "bulk update": lambda s, a: s.reporting.apply_sheet(
        a, [SheetChange(MISSING, "in_progress", "из таблицы", "not_started")]
    ),
    "view corrections": lambda s, a: s.corrections.view(a, Ref("doc", MISSING)),
    "correct": lambda s, a: s.corrections.set_kind(a, Ref("doc", MISSING), 0, "other"),
    "correct a draft": lambda s, a: s.corrections.view(a, Ref("draft", MISSING)),
    "progress list": lambda s, a: s.progress.items(a, MISSING, "all"),
    "invite": lambda s, a: s.invites.create(a, MISSING),
    "revoke an official": lambda s, a: s.invites.revoke_official(a, OFFICIAL_THIS, MISSING),
    "web link": lambda s, a: s.weblinks.create(a, MISSING),
}


@pytest.mark.parametrize("action", list(COORDINATOR_CALLS))
@pytest.mark.parametrize("actor", [MEMBER, OFFICIAL_THIS])
async def test_a_coordinators_action_is_refused_by_role_before_any_lookup(
    services, world, actor, action
):
    """Someone who coordinates nowhere hears that the action is for coordinators, not that
    the thing a forged button names is missing."""
    with pytest.raises(PermissionDenied) as denied:
        await COORDINATOR_CALLS[action](services, actor)
    assert denied.value.key == "access.coordinators_only"


async def test_nobody_assesses_their_own_entry(services, world):
    """A coordinator who entered a body's letter has no report of someone else to agree or
    disagree with; a member does."""
    rec_id = world["rec_id"]
    letter = Letter("01-12/345", dt.date(2026, 2, 27))
    await services.reporting.report_status(COORD_THIS, rec_id, "done", "Выполнено", letter=letter)
    card = await services.reporting.card(COORD_THIS, rec_id)
    assert not card.can_assess
    with pytest.raises(PermissionDenied) as denied:
        await services.reporting.assess(COORD_THIS, rec_id, "agree")
    assert denied.value.key == "assess.own_entry"
    assert (await services.reporting.card(MEMBER, rec_id)).can_assess
    assert await services.reporting.assess(MEMBER, rec_id, "agree") is not None
    # Once the body's official reports, the coordinator may assess that report.
    await services.reporting.report_status(OFFICIAL_THIS, rec_id, "in_progress", "Доработка")
    assert (await services.reporting.card(COORD_THIS, rec_id)).can_assess

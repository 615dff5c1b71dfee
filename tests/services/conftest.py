"""Fixtures shared by the report and bulk-update service tests."""

from __future__ import annotations

import pytest

from bot.reporting import Evidence
from storage.users import UserRepository
from tests.conftest import ADMIN_ID

AMUR = "Амурская область"
COORD, OFFICIAL, MEMBER, KAMCHATKA_COORD = 41, 42, 43, 44
GOVERNMENT = "Правительство области"


@pytest.fixture
async def amur_official(services, seeded) -> tuple[int, int]:
    """Amur's coordinator, a member, Kamchatka's coordinator and an official of the regional
    government: (the Amur resolution's id, the government's addressee id)."""
    repo = UserRepository(services.db)
    for user_id in (COORD, OFFICIAL, MEMBER, KAMCHATKA_COORD):
        await repo.upsert(
            user_id,
            first_name="Ольга",
            last_name=None,
            username=None,
            language_code="ru",
            now=services.clock.iso(),
        )
    await services.access.appoint_coordinator(ADMIN_ID, COORD, AMUR)
    await services.access.appoint_coordinator(ADMIN_ID, KAMCHATKA_COORD, "Камчатский край")
    document_id = seeded["002"].document_id
    government = next(
        a for a in await services.documents.addressees(document_id) if a.canonical == GOVERNMENT
    )
    invite = await services.invites.create(COORD, government.id)
    await services.invites.accept(OFFICIAL, invite.token)
    return document_id, government.id


@pytest.fixture
async def report_world(services, amur_official):
    document_id, government_id = amur_official
    items = await services.progress.items(COORD, document_id, "all", government_id, limit=50)
    first, second = items.items[0].id, items.items[1].id
    await services.reporting.report_status(OFFICIAL, first, "in_progress", "Создана рабочая группа")
    await services.reporting.comment(
        OFFICIAL, second, "=1+1 план", Evidence("link", "https://example.org/plan")
    )
    await services.reporting.assess(MEMBER, first, "disagree", "Группа не собиралась")
    return {"document": document_id, "government": government_id, "first": first, "second": second}

from tests.conftest import ADMIN_ID
from tests.texts import expect, matches


async def test_admin_appoints_lists_and_dismisses(harness, services):
    await harness.send(401, "/start", username="olga")
    await harness.send(ADMIN_ID, "/start")
    calls = await harness.send(ADMIN_ID, "/coordinator @olga амурская")
    assert calls[0].text == matches("coordinator.appointed", region="Амурская область")
    # The new coordinator is told what they can now do.
    assert calls[1].params["chat_id"] == 401
    assert calls[1].text == expect("coordinator.you_are_appointed", region="Амурская область")
    assert (await services.access.roles(401)).coordinator_regions == {"Амурская область"}

    calls = await harness.send(ADMIN_ID, "/coordinator")
    assert calls[0].text == matches("coordinator.list")
    assert matches("coordinator.line", user_id=401, region="Амурская область").within(calls[0].text)

    calls = await harness.send(ADMIN_ID, "/coordinator 401 Амурская область")
    assert calls[0].text == matches("coordinator.already", region="Амурская область")

    calls = await harness.send(ADMIN_ID, "/coordinator снять 401 Амурская область")
    assert calls[0].text == matches("coordinator.dismissed", region="Амурская область")
    assert not (await services.access.roles(401)).coordinator_regions


async def test_bad_input_is_explained(harness):
    await harness.send(ADMIN_ID, "/start")
    calls = await harness.send(ADMIN_ID, "/coordinator 999999 Амурская область")
    assert calls[0].text == expect("coordinator.user_not_found", who="999999")
    await harness.send(402, "/start")
    calls = await harness.send(ADMIN_ID, "/coordinator 402 Атлантида")
    assert calls[0].text == expect("coordinator.region_not_found", query="Атлантида")
    calls = await harness.send(ADMIN_ID, "/coordinator 402 область")
    assert calls[0].text == matches("coordinator.region_ambiguous", query="область")
    calls = await harness.send(ADMIN_ID, "/coordinator 402")
    assert calls[0].text == expect("coordinator.usage")


async def test_non_admin_cannot_appoint(harness, services):
    await harness.send(403, "/start")
    calls = await harness.send(403, "/coordinator 403 Амурская область")
    assert calls[0].text == expect("access.admins_only")
    assert not (await services.access.roles(403)).coordinator_regions

from tests.conftest import ADMIN_ID


async def test_admin_appoints_lists_and_dismisses(harness, services):
    await harness.send(401, "/start", username="olga")
    await harness.send(ADMIN_ID, "/start")
    calls = await harness.send(ADMIN_ID, "/coordinator @olga амурская")
    assert "— координатор региона «Амурская область»" in calls[0].text
    # The new coordinator is told what they can now do.
    assert calls[1].params["chat_id"] == 401 and "координатором" in calls[1].text
    assert (await services.access.roles(401)).coordinator_regions == {"Амурская область"}

    calls = await harness.send(ADMIN_ID, "/coordinator")
    assert "Амурская область" in calls[0].text

    calls = await harness.send(ADMIN_ID, "/coordinator 401 Амурская область")
    assert "уже координатор" in calls[0].text

    calls = await harness.send(ADMIN_ID, "/coordinator снять 401 Амурская область")
    assert "больше не координатор" in calls[0].text
    assert not (await services.access.roles(401)).coordinator_regions


async def test_bad_input_is_explained(harness):
    await harness.send(ADMIN_ID, "/start")
    calls = await harness.send(ADMIN_ID, "/coordinator 999999 Амурская область")
    assert "не найден" in calls[0].text
    await harness.send(402, "/start")
    calls = await harness.send(ADMIN_ID, "/coordinator 402 Атлантида")
    assert "не найден" in calls[0].text
    calls = await harness.send(ADMIN_ID, "/coordinator 402 область")
    assert "уточните" in calls[0].text
    calls = await harness.send(ADMIN_ID, "/coordinator 402")
    assert "Назначить:" in calls[0].text


async def test_non_admin_cannot_appoint(harness, services):
    await harness.send(403, "/start")
    calls = await harness.send(403, "/coordinator 403 Амурская область")
    assert "только администраторы" in calls[0].text
    assert not (await services.access.roles(403)).coordinator_regions

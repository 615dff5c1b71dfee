"""«Ваша организация названа в тексте» only when the text names the organization by the
distinctive part of its name, never by a generic word of it (НКО, организация, фонд)."""

from __future__ import annotations

import pytest

from bot.matching import REASON_NAMED_TEXT, org_name
from bot.search import Profile


def named(matches) -> list[str]:
    return [m.number for m in matches if REASON_NAMED_TEXT in m.reasons]


@pytest.mark.parametrize(
    "name",
    [
        "НКО",
        "Союз НКО",
        "Региональная общественная организация",
        "Общественная палата",
        # «поддержки гражданских инициатив» is said of many things: the fund is «фонд …»
        "Фонд поддержки гражданских инициатив",
    ],
)
@pytest.mark.parametrize("region", ["Амурская область", "Камчатский край", "Севастополь"])
async def test_a_generic_name_is_not_named_in_a_text(services, seeded, name, region):
    profile = Profile(region=region, kind="ngo", org_name=name)
    matches, _ = await services.search.my(profile, limit=100)
    assert named(matches) == []


@pytest.mark.parametrize(
    "name", ["Госкорпорация «Росатом»", "Центр поддержки общественных инициатив «Единение»"]
)
async def test_a_distinctive_name_is_still_found(services, seeded, name):
    profile = Profile(region="Камчатский край", kind="ngo", org_name=name)
    matches, _ = await services.search.my(profile, limit=100)
    assert named(matches)


def test_a_fund_keeps_its_noun_unless_its_name_is_quoted():
    assert org_name("Фонд поддержки гражданских инициатив").lemmas[0] == "фонд"
    assert org_name("Госкорпорация «Росатом»").lemmas == ("росатом",)
    assert not org_name("Союз НКО").specific

"""Free questions: the words a reason names and what they weigh (a word found only in the
document's title, the kind asked about, the words as they were typed).

The shipped resolutions are imported once per module (see ``test_matching_table``).
"""

from __future__ import annotations

from bot.morph import normal_form, tokens
from tests.test_matching_table import AMUR, label, seeded, seeded_template  # noqa: F401

WORDS = "совпали слова: "


def named_words(match) -> list[str]:
    """The words of a match's «совпали слова: …» reason, split into single words."""
    said = [r[len(WORDS) :] for r in match.reasons if r.startswith(WORDS)]
    return [w for r in said for piece in r.split(", ") for w in piece.split()]


def named_lemmas(match) -> set[str]:
    return {normal_form(w) for w in named_words(match)}


def lemmas(text: str) -> set[str]:
    return {normal_form(t) for t in tokens(text)}


async def test_a_word_only_in_the_title_is_not_named_as_matched(seeded):  # noqa: F811
    # «успех» is in the title of the Amur resolution, in none of its items.
    result = await seeded.ask("успех", limit=50)
    assert result.matches
    for m in result.matches:
        assert "успех" not in named_lemmas(m), (label(m), m.reasons)
        assert "успех" not in lemmas(m.text)


async def test_named_words_are_in_the_item_itself(seeded):  # noqa: F811
    result = await seeded.ask("поддержка некоммерческих организаций", limit=50)
    by_label = {label(m): m for m in result.matches}
    # «Коммерческим организациям …»: «некоммерческих» is only in the document's title.
    commercial = by_label.get("002 7.9")
    if commercial is not None:
        assert "некоммерческий" not in named_lemmas(commercial), commercial.reasons


async def test_a_title_only_word_does_not_rank_an_item_with_those_that_have_it(seeded):  # noqa: F811
    result = await seeded.ask("поддержка некоммерческих организаций", limit=50)
    counts = [len(named_lemmas(m) & {"поддержка", "некоммерческий"}) for m in result.matches]
    # Items that have both words come before those that have one of them.
    assert 2 in counts and 1 in counts
    assert counts.index(1) > max(i for i, n in enumerate(counts) if n == 2)


async def test_the_kind_asked_about_comes_before_the_generic_word(seeded):  # noqa: F811
    # At home (Amur) «поддержка» alone finds a dozen items; none is about resource centres.
    result = await seeded.ask("поддержка ресурсных центров", home_region=AMUR, limit=50)
    assert result.kind == "resource_center"
    on_kind = [
        any(r.startswith("адресовано ресурсным") or "Ресурсные центры" in r for r in m.reasons)
        or "ресурсный" in named_lemmas(m)
        for m in result.matches
    ]
    assert on_kind[0]
    assert False in on_kind
    first_off = on_kind.index(False)
    assert not any(on_kind[first_off:]), [label(m) for m in result.matches]
    # Other regions' items come before some of the asker's own: the answer says so.
    assert result.kind_first
    assert result.home_total and result.matches[0].region != AMUR


async def test_the_home_region_alone_comes_first_without_a_kind(seeded):  # noqa: F811
    result = await seeded.ask("молодёжная политика", home_region=AMUR, limit=50)
    assert result.home_total and not result.kind_first
    regions = [m.region for m in result.matches]
    assert regions[: result.home_total] == [AMUR] * result.home_total


async def test_matched_words_read_as_typed(seeded):  # noqa: F811
    result = await seeded.ask("поддержка некоммерческих организаций")
    reason = next(r for r in result.matches[0].reasons if r.startswith(WORDS))
    assert reason == "совпали слова: поддержка некоммерческих организаций"
    youth = await seeded.ask("молодёжная политика в Амурской области")
    assert youth.matches[0].reasons[0] == "совпали слова: молодёжная политика"

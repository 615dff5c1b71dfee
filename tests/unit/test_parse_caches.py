"""The parser's per-line caches (tokens, dates, nominatives) change nothing it gives: a
document parsed with every cache warm reads the same as one parsed with them emptied."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import morph
from bot.importer import parse_path, parsed_to_dict
from bot.ingest import addressees, deadlines
from bot.paths import CONTENT_DIR

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
CACHES = (addressees.tokenize, deadlines._find_dates, morph.to_nominative, morph.pos_cases)


def _cold(path: Path) -> dict:
    for cached in CACHES:
        cached.cache_clear()
    return parsed_to_dict(parse_path(path))


def test_warm_caches_parse_every_document_as_cold_ones():
    paths = sorted((CONTENT_DIR / "resolutions").iterdir()) + sorted(CORPUS.glob("*.txt"))[:20]
    cold = [_cold(path) for path in paths]
    warm = [parsed_to_dict(parse_path(path)) for path in reversed(paths)][::-1]
    assert warm == cold
    assert all(cached.cache_info().hits for cached in CACHES)


def test_tokens_are_immutable_so_a_cached_line_cannot_be_changed():
    tokens = addressees.tokenize("Правительству «Фонда» и НКО")
    assert tokens is addressees.tokenize("Правительству «Фонда» и НКО")
    assert [t.kind for t in tokens] == ["word", "quote", "word", "word"]
    with pytest.raises(AttributeError):
        tokens[0].text = "другое"  # type: ignore[misc]
    assert tokens[0].text == "Правительству"

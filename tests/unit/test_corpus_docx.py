"""Corpus documents built as .docx (Word numbering, not typed numbers) read as their .txt."""

import json

import pytest

from bench.accuracy import CORPUS_DIR, score_document
from bot.ingest.parser import parse_file
from tests.unit.test_extract import to_docx


@pytest.mark.parametrize(
    "name",
    [
        "03_chamber_postanovlyaet",
        "13_deadline_in_lead",
        "16_preamble_signature",
        "30_resolution_headings_no_colon",
    ],
)
def test_docx_version_scores_like_the_txt(name):
    text = (CORPUS_DIR / f"{name}.txt").read_text(encoding="utf-8")
    expected = json.loads((CORPUS_DIR / f"{name}.expected.json").read_text(encoding="utf-8"))
    from_txt = score_document(parse_file(text.encode(), f"{name}.txt"), expected)
    from_docx = score_document(parse_file(to_docx(text), f"{name}.docx"), expected)
    assert from_docx == from_txt
    assert from_docx["matched_addressees"] == from_docx["expected_addressees"]
    assert from_docx["items_found"] == from_docx["items_expected"]

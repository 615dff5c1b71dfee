"""A history line reads as sentences: a quoted comment, then the file or link after a stop."""

import zoneinfo

from bot.texts import Texts
from bot.views import describe_entry
from storage.reporting import HistoryRow
from tests.texts import expect

ZONE = zoneinfo.ZoneInfo("Asia/Yakutsk")


def entry(**over) -> HistoryRow:
    fields = dict(
        id=1,
        recommendation_id=1,
        actor_id=5,
        actor_role="official",
        event="status",
        old_status="not_started",
        new_status="partially_done",
        comment=None,
        evidence_kind=None,
        evidence=None,
        evidence_name=None,
        old_deadline=None,
        new_deadline=None,
        verdict=None,
        created_at="2026-11-30T16:00:00+00:00",
        actor_org="Правительство области",
    )
    fields.update(over)
    return HistoryRow(**fields)


def test_a_comment_and_a_file_are_two_sentences():
    line = describe_entry(
        Texts.load(),
        entry(comment="Утверждённый план", evidence_kind="document", evidence_name="plan.txt"),
        ZONE,
    )
    comment = expect("history.comment_text", text="Утверждённый план")
    assert f"{comment} {expect('history.evidence_document', name='plan.txt')}" in line
    # and dated in the reader's zone: 16:00 UTC is already 1 December in Amur
    assert line.startswith("<b>01.12.2026</b>")


def test_a_comment_alone_ends_with_its_quote_and_a_stop():
    line = describe_entry(Texts.load(), entry(comment="План утверждён"), ZONE)
    assert line.endswith(expect("history.comment_text", text="План утверждён"))


def test_a_comment_that_ends_its_sentence_gets_no_second_stop():
    """«…на другие цели.». read twice: a quote ending in . ! ? or … closes the sentence."""
    for comment in ("Средства направлены на другие цели.", "Когда начнёте?", "Ждём…"):
        line = describe_entry(Texts.load(), entry(comment=comment), ZONE)
        assert line.endswith(expect("history.comment_quote", text=comment)), line
        assert not line.endswith("»."), line

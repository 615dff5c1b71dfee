"""The test helpers of ``tests/texts.py`` render and match texts as the bot does."""

from bot.texts import Texts
from tests.texts import expect, fragments, matches, matches_plain, plain


def test_expect_renders_as_the_bot_does():
    texts = Texts.load()
    assert expect("start.greeting_new", name="<Анна>") == texts("start.greeting_new", name="<Анна>")
    assert "&lt;Анна&gt;" in expect("start.greeting_new", name="<Анна>")
    assert expect("digest.new_document", title="Т", n=2).endswith("2 рекомендации</i>")
    assert plain("digest.head_daily") == "📬 Сводка за день"


def test_matches_leaves_unknown_params_open_and_checks_the_known_ones():
    sent = expect("digest.new_document", title="Резолюция", n=5)
    assert sent == matches("digest.new_document")
    assert sent == matches("digest.new_document", n=5)
    assert sent != matches("digest.new_document", n=1)  # «1 рекомендация» is another text
    assert sent != matches("digest.more")
    assert not matches("digest.new_document").within("что-то другое")
    assert matches("digest.new_document").within("до\n" + sent + "\nпосле")
    assert plain("digest.new_document", title="Т", n=1) == matches_plain("digest.new_document")


def test_fragments_are_the_literal_pieces_in_order():
    pieces = fragments("digest.new_document")
    assert pieces[0].startswith("<i>") and pieces[-1].endswith("</i>")
    assert all(piece in expect("digest.new_document", title="x", n=3) for piece in pieces[:2])


def test_a_matcher_can_sit_inside_another():
    status = expect("history.status", new="в работе", old="не начато")
    line = expect("history.line", day="01.03.2026", role="координатор", what=status)
    assert line == matches("history.line", what=matches("history.status", new="в работе"))
    assert line != matches("history.line", what=matches("history.status", new="выполнено"))

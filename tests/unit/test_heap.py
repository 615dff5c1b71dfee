"""Start-up objects are frozen out of the garbage collector's full collections."""

import gc
import weakref

from bot.heap import freeze_start_up


class Node:
    pass


def test_start_up_is_frozen_and_its_garbage_freed_first():
    kept = Node()
    garbage = Node()
    vars(garbage)["itself"] = garbage  # a cycle: only the collector frees it
    dead = weakref.ref(garbage)
    del garbage
    frozen_before = gc.get_freeze_count()
    try:
        freeze_start_up()
        assert dead() is None  # collected, not kept for ever
        assert gc.get_freeze_count() > frozen_before
        # Out of every generation: a full collection no longer walks it.
        assert not any(o is kept for o in gc.get_objects())
    finally:
        gc.unfreeze()
    assert any(o is kept for o in gc.get_objects())

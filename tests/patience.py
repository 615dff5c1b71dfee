"""How long a test waits for something that should happen: a safety net, never a speed check.

Tests wait on events (a message arrives, the bot polls, a row changes); a timeout only ends a
test that would otherwise hang.  It grows with the machine's load, so a busy 2-core machine
that runs several suites at once does not turn a slow answer into a failure, and
``TEST_PATIENCE=3`` multiplies it further.
"""

from __future__ import annotations

import os


def patience(seconds: float) -> float:
    """``seconds`` on an idle machine; more when the load average exceeds the cores."""
    try:
        load = os.getloadavg()[0] / (os.cpu_count() or 1)
    except OSError:  # no load average on this platform
        load = 1.0
    return seconds * max(1.0, load) * float(os.environ.get("TEST_PATIENCE", "1"))

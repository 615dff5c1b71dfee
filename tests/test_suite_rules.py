"""Rules that keep the quick part of the suite quick (see ``tests/conftest.py``)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_a_quick_test_cannot_start_a_program_of_the_project():
    for module in ("bot", "bench"):
        with pytest.raises(pytest.fail.Exception, match=r"mark it @pytest\.mark\.slow"):
            subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True)


def test_other_children_still_run():
    done = subprocess.run([sys.executable, "-c", "print('ok')"], capture_output=True, text=True)
    assert done.stdout.strip() == "ok"


@pytest.mark.slow
def test_a_slow_test_may_start_the_bot():
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0 and "run" in done.stdout

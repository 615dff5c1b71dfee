"""Test double on PYTHONPATH: the parsing child (``-m bot.ingest.guard``) announces itself in
``SLOW_PARSE_MARK`` and then hangs, as a parse of a hostile file would; other processes are
untouched."""

import os
import sys
import time

if "bot.ingest.guard" in getattr(sys, "orig_argv", ()) and os.environ.get("SLOW_PARSE_MARK"):
    with open(os.environ["SLOW_PARSE_MARK"], "w") as mark:
        mark.write(str(os.getpid()))
    while True:
        time.sleep(3600)

"""Before and after side by side: one benchmark of this tree run, in turns, against this
tree's code and another checkout's (``git worktree add /tmp/base main`` or ``git archive``).

    python -m bench.compare --base /tmp/base --repeats 3 ingest --docs 200
    python -m bench.compare --base /tmp/base index --recommendations 200k

Each run is a fresh child process that imports ``bot`` and ``storage`` (and ``bench``'s
helpers) from its tree but runs *this* tree's benchmark module, so new figures are measured
for the old code too.  Runs alternate (base, this, base, this …) so the machine's load falls
on both alike; the medians and the ratio this/base of every number are printed, with
``--json`` as one object on the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import bench

HERE = Path(__file__).resolve().parent
_CHILD = """
import importlib.util, json, sys
sys.path.insert(0, sys.argv[1])
spec = importlib.util.spec_from_file_location("bench_under_test", sys.argv[2])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(json.dumps(module.run(**json.loads(sys.argv[3]))))
"""


def _once(tree: Path, name: str, options: dict[str, Any]) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(tree), str(HERE / f"{name}.py"), json.dumps(options)],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare")
    parser.add_argument("--base", type=Path, required=True, help="the other checkout")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("name", help="a benchmark of this tree")
    parser.add_argument("options", nargs=argparse.REMAINDER, help="its options: --docs 200 …")
    args = parser.parse_args(argv)
    # The benchmark's own options, parsed as ``python -m bench NAME`` parses them.
    given = vars(bench.options_parser(args.name, bench.load(args.name)).parse_args(args.options))
    options = {k: v for k, v in given.items() if k not in ("json", "out")}
    trees = {"base": args.base.resolve(), "this": HERE.parent}
    runs: dict[str, list[dict[str, Any]]] = {"base": [], "this": []}
    for i in range(args.repeats):
        for label, tree in trees.items():
            runs[label].append(_once(tree, args.name, options))
            print(f"{args.name} {label} run {i + 1}: {runs[label][-1]}", file=sys.stderr)
    figures: dict[str, Any] = {"benchmark": args.name, "repeats": args.repeats, **options}
    for key, value in runs["this"][0].items():
        if not isinstance(value, int | float) or isinstance(value, bool) or key in options:
            continue
        base = (
            statistics.median(r[key] for r in runs["base"] if key in r)
            if key in runs["base"][0]
            else None
        )
        this = statistics.median(r[key] for r in runs["this"])
        figures[f"{key}_base"] = base
        figures[f"{key}_this"] = this
        figures[f"{key}_ratio"] = round(this / base, 2) if base else None
    print(
        json.dumps(figures, ensure_ascii=False) if args.json else bench.render("compare", figures)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

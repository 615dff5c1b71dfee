"""Benchmarks on seeded synthetic data: ``python -m bench`` lists them, ``python -m bench NAME``
runs one.

A benchmark is a module ``bench/NAME.py`` with ``run(**kwargs) -> dict``; its keyword
arguments become the command's options (``docs=1000`` → ``--docs N``), so a new benchmark
needs no wiring here.  The list is read from the modules' source without importing them, and
a benchmark is imported only when it runs: a broken or half-written module breaks only its own
name.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import contextlib
import importlib
import inspect
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
# The benchmarks DESIGN.md names: listed even before their module exists, so a missing one
# says so instead of looking like a typo.
EXPECTED = ("ingest", "query", "digest", "broadcast", "accuracy")


@dataclass(frozen=True)
class Entry:
    name: str
    description: str
    available: bool


def _describe(path: Path) -> Entry | None:
    """The entry for a module that defines ``run``; None for helpers such as ``corpus``."""
    name = path.stem
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    except (SyntaxError, UnicodeDecodeError, OSError) as exc:
        return Entry(name, f"(cannot be read: {exc.__class__.__name__}: {exc})", False)
    has_run = any(
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == "run"
        for node in tree.body
    )
    if not has_run:
        return None
    return Entry(name, _summary(ast.get_docstring(tree), name), True)


def _summary(doc: str | None, name: str) -> str:
    """The docstring's first line, without a lead-in that repeats the name in the listing
    ("Digest benchmark: …", "Benchmark ``query``: …")."""
    line = doc.strip().splitlines()[0] if doc and doc.strip() else ""
    lead = rf"^(?:{name}\s+benchmark|benchmark\s+`*{name}`*)\s*:\s*"
    return re.sub(lead, "", line, count=1, flags=re.IGNORECASE)


def discover(directory: Path = BENCH_DIR) -> list[Entry]:
    found = {}
    for path in sorted(directory.glob("*.py")):
        if path.stem.startswith("_"):
            continue
        entry = _describe(path)
        if entry is not None:
            found[entry.name] = entry
    for name in EXPECTED:
        found.setdefault(name, Entry(name, "(not written yet)", False))
    order = {name: i for i, name in enumerate(EXPECTED)}
    return sorted(found.values(), key=lambda e: (order.get(e.name, len(order)), e.name))


# A benchmark's ``run``: keyword options in, a dict of figures out (or a coroutine of one).
Run = Callable[..., Any]


def load(name: str) -> Run:
    """The benchmark's ``run``; raises LookupError with a readable reason."""
    if name in EXPECTED and not (BENCH_DIR / f"{name}.py").is_file():
        raise LookupError(f"benchmark {name!r} is not written yet (bench/{name}.py)")
    if not (BENCH_DIR / f"{name}.py").is_file() or name.startswith("_"):
        known = ", ".join(e.name for e in discover() if e.available)
        raise LookupError(f"no benchmark {name!r} (available: {known})")
    module = importlib.import_module(f"bench.{name}")
    run: object = getattr(module, "run", None)
    if not callable(run):
        raise LookupError(f"bench/{name}.py has no run()")
    return run


def _int(text: str) -> int:
    """Accepts 200000, 200_000, 200k and 1.5m."""
    raw = text.strip().lower()
    scale = {"k": 1000, "m": 1_000_000}.get(raw[-1:], 1)
    number = raw[:-1] if scale > 1 else raw
    try:
        value = float(number.replace("_", "")) * scale
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value.is_integer():
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}")
    return int(value)


def _option_type(param: inspect.Parameter) -> type | None:
    """int, float, bool or str: the annotation when it is one of them, else the default's."""
    if param.annotation in (int, float, bool, str):
        annotation: type = param.annotation
        return annotation
    if param.default is not param.empty and param.default is not None:
        return type(param.default) if type(param.default) in (int, float, bool) else str
    return None


def options_parser(name: str, run: Run) -> argparse.ArgumentParser:
    """An option per keyword argument of ``run``, typed by its annotation or default."""
    parser = argparse.ArgumentParser(
        prog=f"python -m bench {name}",
        description=_summary(inspect.getdoc(sys.modules[run.__module__]), name) or None,
    )
    try:
        # Resolves string annotations (``from __future__ import annotations``): ``rate: float
        # = 30`` must parse --rate 2.5 as a float although its default is an int.
        signature = inspect.signature(run, eval_str=True)
    except Exception:
        signature = inspect.signature(run)
    for param in signature.parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        flag = "--" + param.name.replace("_", "-")
        kind = _option_type(param)
        required = param.default is param.empty
        extra: dict[str, Any] = {"required": True} if required else {"default": param.default}
        if not required:
            extra["help"] = f"default {param.default}"
        if kind is bool:
            parser.add_argument(
                flag, dest=param.name, action=argparse.BooleanOptionalAction, **extra
            )
        else:
            converters: dict[type | None, Callable[[str], Any]] = {int: _int, float: float}
            converter = converters.get(kind, str)
            parser.add_argument(flag, dest=param.name, type=converter, **extra)
    parser.add_argument("--json", action="store_true", help="print one JSON object as last line")
    parser.add_argument("--out", metavar="FILE", help="also write the results as JSON to FILE")
    return parser


def _format(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".").replace(",", " ")
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def render(name: str, results: dict[str, Any]) -> str:
    width = max((len(str(k)) for k in results), default=0)
    lines = [f"{name}:"]
    lines += [f"  {key:<{width}}  {_format(value)}" for key, value in results.items()]
    return "\n".join(lines)


def listing() -> str:
    entries = discover()
    width = max(len(e.name) for e in entries)
    lines = ["usage: python -m bench NAME [--json] [--out FILE] [options]", "", "benchmarks:"]
    lines += [f"  {e.name:<{width}}  {e.description}" for e in entries]
    lines += ["", "python -m bench NAME --help lists a benchmark's options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "list"):
        print(listing())
        return 0
    name, rest = argv[0], argv[1:]
    try:
        run = load(name)
    except LookupError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a half-written module: report it, the others still work
        print(f"bench: cannot load {name}: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 1
    args = vars(options_parser(name, run).parse_args(rest))
    as_json, out = args.pop("json"), args.pop("out")
    print(f"{name}: " + ", ".join(f"{k}={v}" for k, v in args.items()), file=sys.stderr)
    # Whatever the benchmark prints goes to stderr, so stdout carries only the figures.
    with contextlib.redirect_stdout(sys.stderr):
        results = run(**args)
        if inspect.iscoroutine(results):
            results = asyncio.run(results)
    if not isinstance(results, dict):
        print(f"bench: {name}.run() returned {type(results).__name__}, not dict", file=sys.stderr)
        return 1
    encoded = json.dumps(results, ensure_ascii=False)
    if out:
        Path(out).write_text(encoded + "\n", encoding="utf-8")
    print(encoded if as_json else render(name, results))
    return 0

"""Smoke tests for ``bench``: every benchmark runs at a tiny size and reports sane figures.

Nothing here asserts on speed: timings on a shared CI machine say nothing.  The point is that
``python -m bench NAME`` keeps working as the code under it changes.
"""

from __future__ import annotations

import json

import pytest

import bench


def _assert_numbers(results: dict, keys: set[str]) -> None:
    assert keys <= results.keys(), f"missing keys: {keys - results.keys()}"
    for key in keys:
        value = results[key]
        assert isinstance(value, int | float) and not isinstance(value, bool), (key, value)
        assert value >= 0, (key, value)


def test_ingest_tiny():
    from bench.ingest import run

    results = run(docs=5)
    _assert_numbers(results, {"docs", "per_doc_ms_p50", "per_doc_ms_p95", "docs_per_s"})
    assert results["docs"] == 5
    assert 0 < results["per_doc_ms_p50"] <= results["per_doc_ms_p95"]
    assert results["import_db_trips_per_doc"] > 0


def test_index_tiny():
    from bench.index import run

    results = run(recommendations=300, documents=20)
    _assert_numbers(results, {"recommendations", "indexed", "facets", "rebuild_seconds"})
    assert results["indexed"] == 300 and results["facets"] > 0


@pytest.mark.slow  # plans in a child process pinned to one CPU
def test_digest_tiny():
    from bench.digest import run

    results = run(users=200, recommendations=2000)
    _assert_numbers(
        results,
        {"users", "recommendations", "seconds", "peak_rss_mb", "queued", "empty", "per_user_ms"},
    )
    assert results["users"] == 200
    assert results["recommendations"] == 2000
    assert results["small_users"] == 20
    # Users with digests off are not due; every due user is either queued or empty.
    assert 0 < results["due"] <= 200
    assert results["queued"] + results["empty"] == results["due"]
    assert results["queued"] > 0
    assert results["peak_rss_mb"] >= results["baseline_rss_mb"] > 0
    assert isinstance(results["rss_growth_mb"], float)


def test_query_tiny():
    query = pytest.importorskip("bench.query", reason="bench/query.py is being written")
    results = query.run(recommendations=2000, documents=100, samples=20)
    _assert_numbers(
        results,
        {"recommendations", "my_p50_ms", "my_p95_ms", "ask_p50_ms", "ask_p95_ms", "peak_rss_mb"},
    )
    assert results["recommendations"] == 2000
    assert results["my_p50_ms"] <= results["my_p95_ms"]
    assert results["ask_p50_ms"] <= results["ask_p95_ms"]


def test_hotpath_tiny():
    from bench import hotpath

    results = hotpath.run(recommendations=300, documents=10, updates=3, rounds=1, users=2)
    paths = ("bare", "card", "my", "ask")
    keys = {
        f"{stage}_{p}_{f}"
        for stage in ("seeds", "large")
        for p in paths
        for f in ("per_s", "trips", "loop_reads", "cpu_ms")
    }
    ratios = {f"large_{p}_{r}" for p in paths[1:] for r in ("ratio", "cpu_ratio")}
    _assert_numbers(results, keys | ratios)
    assert results["large_recommendations"] == results["seeds_recommendations"] + 300
    assert results["seeds_bare_trips"] == results["seeds_bare_loop_reads"] == 0
    # A card reads its rows: on the database's thread or, being short, in the loop.
    assert results["seeds_card_trips"] + results["seeds_card_loop_reads"] > 0


def test_web_tiny():
    from bench.web import run

    results = run(recommendations=2000, documents=100, samples=3)
    keys = {
        f"{page}_{q}_ms"
        for page in (
            "index",
            "region",
            "resolution",
            "recommendation",
            "official_list",
            "region_ics",
            "addressee_ics",
        )
        for q in ("p50", "p95")
    }
    _assert_numbers(results, keys | {"recommendations", "worst_p95_ms"})
    assert results["recommendations"] == 2000
    assert results["resolution_p50_ms"] <= results["resolution_p95_ms"] <= results["worst_p95_ms"]


def test_broadcast_tiny():
    broadcast = pytest.importorskip("bench.broadcast", reason="bench/broadcast.py is being written")
    results = broadcast.run(recipients=10, rate=30)
    _assert_numbers(
        results,
        {"recipients", "configured_rate", "achieved_rate", "duplicates", "lost", "ceiling_rate"},
    )
    assert results["recipients"] == 10
    assert results["duplicates"] == 0
    assert results["lost"] == 0


def test_listing_names_every_benchmark(capsys):
    assert bench.main([]) == 0
    out = capsys.readouterr().out
    for name in ("ingest", "query", "digest", "broadcast", "accuracy"):
        assert f"\n  {name} " in out
    assert "\n  corpus " not in out  # a helper module without run(), not a benchmark
    assert "\n  compare " not in out


def test_options_follow_the_signature():
    # rate's default is an int, as in broadcast.run: the annotation decides that it is a float.
    def run(users: int = 100_000, rate: float = 30, label: str = "x", verbose: bool = False):
        return {}

    parser = bench.options_parser("fake", run)
    args = vars(parser.parse_args(["--users", "2k", "--rate", "2.5", "--verbose"]))
    assert args == {
        "users": 2000,
        "rate": 2.5,
        "label": "x",
        "verbose": True,
        "json": False,
        "out": None,
    }
    assert vars(parser.parse_args(["--users", "200_000"]))["users"] == 200_000
    with pytest.raises(SystemExit):
        parser.parse_args(["--users", "2.5"])  # a count is whole, not silently rounded


def test_cli_json_is_the_last_line_and_out_file(capsys, tmp_path):
    out_file = tmp_path / "ingest.json"
    assert bench.main(["ingest", "--docs", "2", "--json", "--out", str(out_file)]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    results = json.loads(last)
    assert results["docs"] == 2
    assert json.loads(out_file.read_text(encoding="utf-8")) == results


def test_cli_unknown_name(capsys):
    assert bench.main(["no_such_bench"]) == 2
    assert "no benchmark 'no_such_bench'" in capsys.readouterr().err


@pytest.mark.slow  # starts `python -m bot run` and the fake server as processes
def test_soak_tiny():
    from bench.soak import run

    results = run(updates=60, users=20, rate=30, recipients=20, digest_users=5)
    _assert_numbers(
        results,
        {"updates", "users", "p50_ms", "p95_ms", "p99_ms", "rss_start_mb", "rss_end_mb", "errors"},
    )
    assert results["updates"] == 60 and results["users"] == 20
    assert results["errors"] == 0 and results["unanswered"] == 0
    assert 0 < results["p50_ms"] <= results["p95_ms"] <= results["p99_ms"]
    assert results["rss_end_mb"] > 0 and results["rss_start_mb"] > 0
    assert results["broadcast_sent"] + results["broadcast_left"] == 25  # 20 + 5 digest readers
    assert results["stop_exit_code"] == 0


@pytest.mark.slow  # builds a small corpus, starts the bot and the fake server as processes
def test_soak_with_a_corpus_and_the_web_page(tmp_path):
    from bench.soak import run

    corpus = tmp_path / "corpus.sqlite3"
    results = run(
        updates=50, users=10, rate=25, recipients=5, digest_users=3,
        recommendations=2000, database=str(corpus), web=1,
    )  # fmt: skip
    assert results["errors"] == 0 and results["unanswered"] == 0
    assert results["recommendations"] > 2000  # the corpus and the shipped resolutions
    assert results["web_requests"] > 0 and results["card_views"] > 0
    assert results["rss_peak_mb"] >= results["rss_end_mb"] > 0
    assert corpus.exists()  # kept for the next run, which copies it again
    again = run(updates=10, users=5, rate=25, recipients=0, digest_users=0, database=str(corpus))
    assert again["build_seconds"] == 0 and again["recommendations"] == results["recommendations"]


def test_accuracy_on_the_corpus():
    from bench.accuracy import GROUPS, HEADLINE, run

    results = run()
    keys = set(HEADLINE)
    assert "deadline_recall" in keys and "false_deadlines" in keys
    _assert_numbers(results, keys)
    # Every held-out round is reported apart with the same figures.
    assert set(results["groups"]) == set(GROUPS)
    for figures in results["groups"].values():
        _assert_numbers(figures, keys)
    assert results["documents"] >= 25
    for key in keys - {"documents", "false_deadlines"}:
        assert results[key] <= 1, (key, results[key])
    assert set(results["per_document"]) and all(
        "addressee_recall" in d for d in results["per_document"].values()
    )


def test_accuracy_cli_prints_the_keys(capsys):
    assert bench.main(["accuracy", "--json"]) == 0
    results = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert {"documents", "addressee_recall", "false_deadlines"} <= results.keys()


def test_report_tiny():
    from bench.report import run

    results = run(recommendations=300, documents=10, formats="xlsx,csv")
    keys = {"recommendations", "history_rows", "baseline_rss_mb"}
    keys |= {f"{fmt}_{k}" for fmt in ("xlsx", "csv") for k in ("seconds", "peak_rss_mb", "rows")}
    _assert_numbers(results, keys)
    assert results["xlsx_rows"] == results["csv_rows"] == 300
    assert results["history_rows"] > 0

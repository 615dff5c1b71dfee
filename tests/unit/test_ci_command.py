"""CI runs exactly the README's command, and it checks lint, format, types and dead code."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_shows_the_command_ci_runs():
    command = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert command in (ROOT / "README.md").read_text(encoding="utf-8")
    steps = [step.strip() for step in command.split("&&")]
    for check in (
        ".venv/bin/ruff check .",
        ".venv/bin/ruff format --check .",
        ".venv/bin/mypy",
        ".venv/bin/vulture",
    ):
        assert check in steps
    assert steps[-1] == ".venv/bin/python -m pytest"  # the tests last: the quick checks first

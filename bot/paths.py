"""Where the data lives: ``content/`` sits beside the packages in the repository."""

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
CONTENT_DIR = PROJECT_DIR / "content"

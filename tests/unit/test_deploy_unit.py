"""The systemd unit agrees with the code: exit codes, stop time, paths it may write."""

from __future__ import annotations

import configparser
from pathlib import PurePosixPath

from bot.cli import EXIT_ALREADY_RUNNING, EXIT_CONFIG
from bot.paths import CONTENT_DIR
from bot.settings import Settings

UNIT = CONTENT_DIR / "deploy" / "resolution-tracker.service"


def service() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(UNIT, encoding="utf-8")
    return parser["Service"]


def test_no_restart_after_a_settings_error_or_a_second_instance():
    prevented = {int(code) for code in service()["RestartPreventExitStatus"].split()}
    assert {EXIT_CONFIG, EXIT_ALREADY_RUNNING} <= prevented
    assert service()["Restart"] == "on-failure"


def test_stop_time_covers_the_bots_own_10_seconds_and_files_are_private():
    assert int(service()["TimeoutStopSec"]) > 10
    assert service()["UMask"] == "0077"


def test_the_default_database_and_backups_are_writable_under_the_unit():
    home = PurePosixPath(service()["WorkingDirectory"])
    writable = [PurePosixPath(p) for p in service()["ReadWritePaths"].split()]
    defaults = Settings.model_fields
    for setting in ("database_path", "backup_dir"):
        path = home / defaults[setting].default
        assert any(path.is_relative_to(w) for w in writable), (setting, path)
    assert service()["ExecStart"].startswith(str(home / ".venv" / "bin" / "python") + " -m bot run")
    assert service()["EnvironmentFile"] == str(home / ".env")

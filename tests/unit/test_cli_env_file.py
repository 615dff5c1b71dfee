"""A `.env` the bot cannot read is a settings error: one Russian line and code 2, no traceback."""

from __future__ import annotations

from bot.cli import EXIT_CONFIG, main


def test_an_env_file_not_in_utf8_is_one_line_and_code_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    # Saved by an editor in Windows-1251: a Russian comment is not UTF-8.
    (tmp_path / ".env").write_bytes("# Токен бота\nBOT_TOKEN=1:x\n".encode("cp1251"))
    assert main(["migrate"]) == EXIT_CONFIG
    err = capsys.readouterr().err.strip()
    assert err.startswith("Ошибка в настройках: ") and ".env" in err and "UTF-8" in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_an_env_file_the_service_user_cannot_read_is_one_line_and_code_2(
    tmp_path, monkeypatch, capsys
):
    import bot.cli

    def unreadable():
        raise PermissionError(13, "Permission denied", ".env")

    monkeypatch.setattr(bot.cli, "Settings", unreadable)
    assert main(["migrate"]) == EXIT_CONFIG
    err = capsys.readouterr().err.strip()
    assert err.startswith("Ошибка в настройках: ") and ".env" in err
    assert len(err.splitlines()) == 1

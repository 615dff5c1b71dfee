import pytest
from pydantic import ValidationError

from bot.settings import MissingTokenError, Settings, describe_error
from bot.texts import Html, Texts, plural, render


def make(**env):
    return Settings(_env_file=None, **env)


def test_settings_defaults_and_lists():
    s = make(bot_token="123456:TEST", admin_ids="1, 2 3")
    assert s.admin_ids == [1, 2, 3]
    assert s.default_timezone == "Europe/Moscow"
    assert s.database_path.startswith("data/")
    assert s.telegram_api_url == ""
    assert s.is_admin(2) and not s.is_admin(4)


def test_settings_from_environment(monkeypatch):
    monkeypatch.setenv("BOT_TOKEN", "123456:TEST")
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081/")
    monkeypatch.setenv("ADMIN_IDS", "77")
    s = Settings(_env_file=None)
    assert s.telegram_api_url == "http://127.0.0.1:8081"
    assert s.admin_ids == [77]


@pytest.mark.parametrize("token", ["bad", "123456", ":abc", "12 3:abc", "123:a b"])
def test_malformed_token_is_rejected_without_echoing_it(token):
    with pytest.raises(ValidationError) as info:
        make(bot_token=token)
    line = describe_error(info.value)
    assert line.startswith("BOT_TOKEN")
    assert token not in line.replace("BOT_TOKEN", "")


def test_missing_token_only_matters_when_needed():
    s = make()
    with pytest.raises(MissingTokenError):
        s.token()


def test_bad_timezone_and_level():
    with pytest.raises(ValidationError):
        make(bot_token="1:a", default_timezone="Mars/Olympus")
    with pytest.raises(ValidationError):
        make(bot_token="1:a", log_level="LOUD")


def _cyrillic(text: str) -> bool:
    return any("а" <= ch.lower() <= "я" for ch in text)


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"default_timezone": "Mars/Olympus"}, "DEFAULT_TIMEZONE"),
        ({"log_level": "LOUD"}, "LOG_LEVEL"),
        ({"admin_ids": "12, @anna"}, "ADMIN_IDS"),
        ({"webhook_port": "eighty"}, "WEBHOOK_PORT"),
        ({"delivery_concurrency": "0"}, "DELIVERY_CONCURRENCY"),
        ({"telegram_api_url": "ftp://x"}, "TELEGRAM_API_URL"),
        ({"webhook_url": "https://example.org"}, "WEBHOOK_SECRET"),
    ],
)
def test_configuration_errors_are_said_in_russian(env, name):
    with pytest.raises(ValidationError) as info:
        make(bot_token="1:a", **env)
    line = describe_error(info.value)
    assert line.startswith(name) and _cyrillic(line) and "\n" not in line
    assert "Value error" not in line and "Input should" not in line


def test_missing_token_is_said_in_russian_and_names_the_example_file():
    with pytest.raises(MissingTokenError) as info:
        make(bot_token="").token()
    assert "BOT_TOKEN" in str(info.value) and "cp .env.example .env" in str(info.value)


def test_the_unchanged_placeholder_of_env_example_is_no_token():
    from bot.settings import example_token

    placeholder = example_token()
    assert placeholder  # .env.example shows what a token looks like
    with pytest.raises(ValidationError) as info:
        make(bot_token=placeholder)
    line = describe_error(info.value)
    assert line.startswith("BOT_TOKEN") and ".env.example" in line and placeholder not in line


@pytest.mark.parametrize(
    ("url", "path", "full"),
    [
        (
            "https://bot.example.org",
            "/telegram/webhook",
            "https://bot.example.org/telegram/webhook",
        ),
        (
            "https://bot.example.org/",
            "/telegram/webhook",
            "https://bot.example.org/telegram/webhook",
        ),
        (
            "https://bot.example.org/telegram/webhook",
            "/telegram/webhook",
            "https://bot.example.org/telegram/webhook",
        ),
        ("https://x.org/base", "hook", "https://x.org/base/hook"),
    ],
)
def test_webhook_url_gets_the_path_once(url, path, full):
    s = make(bot_token="1:a", webhook_url=url, webhook_secret="s", webhook_path=path)
    assert s.webhook_full_url() == full


@pytest.mark.parametrize(
    ("n", "word"),
    [
        (1, "рекомендация"),
        (2, "рекомендации"),
        (4, "рекомендации"),
        (5, "рекомендаций"),
        (11, "рекомендаций"),
        (12, "рекомендаций"),
        (14, "рекомендаций"),
        (21, "рекомендация"),
        (22, "рекомендации"),
        (25, "рекомендаций"),
        (101, "рекомендация"),
        (111, "рекомендаций"),
        (0, "рекомендаций"),
    ],
)
def test_plural(n, word):
    assert plural(n, "рекомендация|рекомендации|рекомендаций") == word


def test_render_escapes_values_but_not_html_fragments():
    out = render(
        "<b>{name}</b> {n} {n:день|дня|дней} {frag}", name="<script>&", n=3, frag=Html("<i>ok</i>")
    )
    assert out == "<b>&lt;script&gt;&amp;</b> 3 дня <i>ok</i>"


def test_every_text_renders_with_placeholders_filled():
    texts = Texts.load()
    assert texts.names()
    import string

    for key in texts.names():
        fields = {f for _, f, _, _ in string.Formatter().parse(texts.raw(key)) if f}
        texts(key, **{f.split(".")[0]: 1 for f in fields})

"""`python -m bot channel-setup`: registering the Telegram webhook with the secret token, publishing the WeChat
menu, and clear errors (exit 2) for missing configuration or a non-https address."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.cli import main
from bot.commands.channel_setup import run_channel_setup, telegram_webhook_url
from bot.settings import Settings
from integrations.wechat.menus import official_menu
from tests.fakes.telegram import TOKEN, FakeTelegram
from tests.fakes.wechat import threaded_fake_wechat


def test_the_webhook_url_is_https_and_ends_with_the_channel_path() -> None:
    assert telegram_webhook_url("https://bot.example.com/") == "https://bot.example.com/webhooks/telegram/webhook"
    assert telegram_webhook_url("https://bot.example.com/webhooks/telegram/webhook").count("/webhooks/") == 1
    for bad in ("http://bot.example.com", "bot.example.com", "https://"):
        with pytest.raises(ValueError, match="https"):
            telegram_webhook_url(bad)


def test_telegram_webhook_is_registered_with_the_secret(capsys: pytest.CaptureFixture[str]) -> None:
    fake = FakeTelegram()
    with fake.run_in_thread() as base_url:
        settings = replace(Settings.from_env({}), telegram_token=TOKEN, telegram_secret_token="s3cret-header",
                           telegram_api_base_url=base_url)
        assert run_channel_setup(settings, "telegram-webhook", "https://bot.example.com") == 0
    [call] = fake.recorded("setWebhook")
    assert call.params["url"] == "https://bot.example.com/webhooks/telegram/webhook"
    assert call.params["secret_token"] == "s3cret-header"
    assert set(call.params["allowed_updates"]) == {"message", "edited_message", "callback_query"}
    printed = capsys.readouterr().out
    assert "https://bot.example.com/webhooks/telegram/webhook" in printed
    assert TOKEN not in printed and "s3cret-header" not in printed


def test_wechat_menu_is_published() -> None:
    with threaded_fake_wechat() as fake:
        settings = replace(Settings.from_env({}), wechat_app_id=fake.app_id, wechat_app_secret=fake.app_secret,
                           wechat_api_base_url=fake.base_url)
        assert run_channel_setup(settings, "wechat-menu", None) == 0
    assert fake.menus == [official_menu()]


@pytest.mark.parametrize("argv", [["channel-setup", "telegram-webhook", "--public-url", "https://bot.example.com"],
                                  ["channel-setup", "wechat-menu"]])
def test_missing_credentials_are_a_clear_error(argv: list[str], monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("TELEGRAM_TOKEN", "TELEGRAM_SECRET_TOKEN", "WECHAT_APP_ID", "WECHAT_APP_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert main(argv) == 2
    assert "set " in capsys.readouterr().out


def test_a_refusing_platform_is_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    fake = FakeTelegram(failures={"setWebhook": [{"ok": False, "error_code": 400, "description": "bad webhook"}]})
    with fake.run_in_thread() as base_url:
        settings = replace(Settings.from_env({}), telegram_token=TOKEN, telegram_secret_token="s",
                           telegram_api_base_url=base_url)
        assert run_channel_setup(settings, "telegram-webhook", "https://bot.example.com") == 1
    assert TOKEN not in capsys.readouterr().out

"""Telegram customer channel: a Rasa input/output channel built on python-telegram-bot 22.

Its `telegram.Bot` makes the Bot API calls, behind our small `client.BotApiClient`; its types parse the updates.

Add `integrations.telegram.channel.TelegramInput:` to the Rasa credentials file; the token and webhook secret come
from the environment (TELEGRAM_TOKEN, TELEGRAM_SECRET_TOKEN, TELEGRAM_API_BASE_URL, TELEGRAM_MODE).
"""

"""The provider bot: a second Telegram bot, run by our aiohttp service (not by Rasa), for outlets' group chats.

It posts routed tickets in outlets' group chats with Accept / Reject buttons and carries out the presses.

`PROVIDER_TELEGRAM_TOKEN` turns it on, `PROVIDER_TELEGRAM_SECRET_TOKEN` authenticates its webhook
(`POST /api/v1/telegram/provider-webhook`), `TELEGRAM_API_BASE_URL` is shared with the customer bot. The outbox is
`bot.services.providers.notifications`, the presses `bot.services.providers.group_actions`.
"""

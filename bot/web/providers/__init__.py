"""Service providers' HTTP surface: the provider API, its portal and the provider bot's Telegram webhook."""

"""How the bot meets the outside: customer channels (REST, Telegram, WeChat), Rasa's HTTP API and outbound webhooks."""

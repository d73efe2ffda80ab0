"""Our aiohttp service: app factory, sub-apps and views (thin adapters over `bot.services`)."""

"""The public program on the web (PRODUCT §8): pages, calendar feed and health check, served
by aiohttp in the bot's own process and event loop, reading the bot's database."""

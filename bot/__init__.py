"""Rückenbot's runtime code: `bot.server` runs inside the Rasa server, `bot.content` inside the action server."""

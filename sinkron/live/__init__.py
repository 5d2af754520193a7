"""The Socket.IO side: authenticate connections, dispatch commands to the
writer, broadcast committed events, replay, presence and rate limits.
It may use the meeting rules, models and imports, never the web/ blueprints."""

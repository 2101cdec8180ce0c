"""Moderation: reports, the queue of every kind of content, decisions and the public log."""

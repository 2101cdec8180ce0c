"""Discussions: threaded contributions on commitments, actions and any later target."""

"""consult: the public side of an open-government action plan."""

from consult.app import create_app

__all__ = ["create_app"]

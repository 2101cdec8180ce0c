"""What the app knows of the client's network address."""

from flask import request


def client_address() -> str:
    """The client's IP as the WSGI server (or ProxyFix, when configured) reports it."""
    return request.remote_addr or "unknown"

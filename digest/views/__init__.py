"""Web pages of the newsletter: the editors' desk, the public archive, the login, /healthz."""

__all__ = ["archive", "desk", "health", "login"]

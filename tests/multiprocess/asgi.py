"""``tests.asgi`` for a server process: there, unlike under pytest, Django
must be set up before the websocket routing (auth middleware) is imported."""

import django

django.setup()

from tests.asgi import application  # noqa: E402

__all__ = ["application"]

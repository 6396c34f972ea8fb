"""Path converters shared by the API's URLs and the websocket routes."""

from __future__ import annotations

from django.urls import register_converter


class IdConverter:
    """Positive ids that fit a 64-bit column; longer numbers are not ids, so
    a huge one is an unknown path rather than an overflow in the database."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

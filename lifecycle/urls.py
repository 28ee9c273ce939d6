"""URL helpers shared by the blueprints: the id converter and safe "next" targets."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.routing import IntegerConverter
from werkzeug.routing import Map

#: the largest id the database's integer columns hold; larger numbers in a URL are simply not found
MAX_ID = 2**31 - 1
_CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")
_DIGITS = re.compile(r"[0-9]{1,10}")


class IdConverter(IntegerConverter):
    """`<id:name>`: a positive database id; anything else in the URL is a 404, never a database error."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


def register_converters(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter


def parse_id(value: str | None) -> int | None:
    """Return a query-string id as an int, or None when it is not a plain, in-range number."""
    if value is None or not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def safe_next(target: str | None, default: str) -> str:
    """Return `target` if it is a path on this site, else `default`: no open redirects, no header tricks."""
    if not target or _CONTROL.search(target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target

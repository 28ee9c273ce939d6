"""Messages kept in the database and shown later, in the language of whoever reads them.

An import's report is stored when the file is checked and read later, perhaps by someone who uses the
other language. So the report keeps each message as language-neutral JSON (`StoredText.data`: the
English msgid and its parameters, nested when a parameter is itself translatable), and `render`
translates it in the reader's language. A `StoredText` is also the text in the language active when it
was made, so code that only shows it at once (the command line, tests) treats it as the string it is.

The msgids reach the catalogue through `pybabel extract -k deferred -k deferred_plural:1,2` (Makefile).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from collections.abc import Mapping
from typing import TypeAlias

from flask_babel import LazyString
from flask_babel import gettext
from flask_babel import ngettext

from lifecycle.i18n import localized_value

logger = logging.getLogger(__name__)

#: a stored message: plain text (also every report kept before messages were stored neutrally), a
#: number, a list of parts to put together, {"msgid", "params"[, "plural", "num"]} or {"localized": {sv, en}}
Json: TypeAlias = str | int | float | list["Json"] | dict[str, "Json"] | None


class StoredText(str):
    """Text in the current language that can be translated again later from its `data`."""

    data: Json

    def __new__(cls, data: Json) -> StoredText:
        text = super().__new__(cls, render(data))
        text.data = data
        return text


def deferred(msgid: str, **params: object) -> StoredText:
    """Like `gettext(msgid, **params)`, but kept as msgid and parameters to translate again when shown."""
    data: dict[str, Json] = {"msgid": msgid}
    if params:
        data["params"] = {name: stored(value) for name, value in params.items()}
    return StoredText(data)


def deferred_plural(singular: str, plural: str, num: int, **params: object) -> StoredText:
    """Like `ngettext(singular, plural, num, **params)`, kept to translate again when shown."""
    data: dict[str, Json] = {"msgid": singular, "plural": plural, "num": num}
    if params:
        data["params"] = {name: stored(value) for name, value in params.items()}
    return StoredText(data)


def localized_text(texts: Mapping[str, str]) -> StoredText:
    """A text kept in both languages, such as a pillar's name: {"sv": ..., "en": ...}."""
    return StoredText({"localized": dict(texts)})


def joined(separator: str, items: Iterable[object]) -> StoredText:
    """`separator.join(items)`, where items may be translatable."""
    parts: list[Json] = []
    for item in items:
        if parts:
            parts.append(separator)
        parts.append(stored(item))
    return StoredText(parts)


def concat(*parts: object) -> StoredText:
    """The parts one after another, where parts may be translatable."""
    return StoredText([stored(part) for part in parts])


def stored(value: object) -> Json:
    """Return how to keep `value`: its neutral form if it is translatable, else the text or number it is."""
    if isinstance(value, StoredText):
        return value.data
    if isinstance(value, LazyString):
        return _lazy_data(value)
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, (int, float)):  # kept as numbers for %(count)d
        return value
    return str(value)


def _lazy_data(value: LazyString) -> Json:
    # A lazy_gettext string (a field label, an enum's title) keeps its msgid; Flask-Babel offers no
    # public way to read it.
    func, args, kwargs = value._func, value._args, value._kwargs
    params = {name: stored(param) for name, param in kwargs.items()}
    data: dict[str, Json]
    if func is gettext and len(args) == 1:
        data = {"msgid": args[0]}
    elif func is ngettext and len(args) == 3:
        data = {"msgid": args[0], "plural": args[1], "num": args[2]}
    else:
        return str(value)
    if params:
        data["params"] = params
    return data


def render(data: Json) -> str:
    """Return a stored message in the current language; plain text is shown as it is."""
    return str(_render(data))


def _render(data: Json) -> str | int | float:
    if isinstance(data, str):
        return data
    if isinstance(data, (int, float)) and not isinstance(data, bool):
        return data
    if isinstance(data, list):
        return "".join(str(_render(part)) for part in data)
    if isinstance(data, dict):
        msgid = data.get("msgid")
        if isinstance(msgid, str):
            raw = data.get("params")
            params = {name: _render(value) for name, value in raw.items()} if isinstance(raw, dict) else {}
            plural, num = data.get("plural"), data.get("num")
            if isinstance(plural, str) and isinstance(num, int):
                return str(ngettext(msgid, plural, num, **params))
            return str(gettext(msgid, **params))
        texts = data.get("localized")
        if isinstance(texts, dict):
            return localized_value({key: str(text) for key, text in texts.items()})
    logger.warning("a stored message of unknown shape: %r", data)
    return "" if data is None else str(data)

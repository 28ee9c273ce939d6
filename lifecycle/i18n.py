"""Choosing the interface language, and picking the right language of stored texts."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask import has_request_context
from flask import request
from flask import session
from flask_babel import get_locale as babel_get_locale
from flask_login import current_user

from lifecycle.enums import Language

SESSION_KEY = "language"
#: the Babel locale used for each interface language; British English formats dates day-month-year
BABEL_LOCALES = {Language.SV.value: "sv", Language.EN.value: "en_GB"}


def select_locale() -> str:
    """Return the language for this request: an explicit choice, the user's preference, the browser's.

    Outside a request (a Celery task, a CLI command) it is the app's default language: e-mails choose
    their recipient's language themselves with `force_locale`.
    """
    supported = [lang.value for lang in Language]
    if not has_request_context():
        return BABEL_LOCALES.get(current_app.config["BABEL_DEFAULT_LOCALE"], "sv")
    chosen = request.args.get("lang")
    if chosen in supported:
        session[SESSION_KEY] = chosen
    elif session.get(SESSION_KEY) in supported:
        chosen = session[SESSION_KEY]
    elif getattr(current_user, "language", None) is not None:
        chosen = current_user.language.value
    else:
        chosen = request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]
    return BABEL_LOCALES[str(chosen)]


def current_language() -> Language:
    locale = babel_get_locale()
    if locale is not None and locale.language == Language.EN.value:
        return Language.EN
    return Language.SV


def localized(obj: Any, field: str) -> str:
    """Return `obj.<field>_<language>` for the current language, falling back to Swedish."""
    text = getattr(obj, f"{field}_{current_language().value}", None)
    return str(text or getattr(obj, f"{field}_sv"))


def localized_value(texts: dict[str, str]) -> str:
    """Return the current language's text of a {"sv": ..., "en": ...} mapping."""
    return texts.get(current_language().value) or texts["sv"]

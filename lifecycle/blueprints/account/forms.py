"""The user's own settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag


class SettingsForm(FlaskForm):  # type: ignore[misc]
    language = RadioField(
        _l("Language"),
        choices=[
            SelectChoice("", _l("Follow my browser")),
            SelectChoice("sv", "Svenska"),
            SelectChoice("en", "English"),
        ],
        default="",
    )

"""The user's own settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms import StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag
from wtforms.validators import DataRequired
from wtforms.validators import Length

from lifecycle.services.tokens import NAME_MAX_LENGTH


def strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


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


class ApiTokenForm(FlaskForm):  # type: ignore[misc]
    name = StringField(
        _l("Name of the token"),
        filters=[strip],
        validators=[
            DataRequired(_l("Give the token a name, e.g. the integration that will use it.")),
            Length(max=NAME_MAX_LENGTH),
        ],
    )

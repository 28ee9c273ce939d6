"""The confirmation HR gives before anonymising a person."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length


def strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class AnonymiseForm(FlaskForm):  # type: ignore[misc]
    confirm_name = StringField(
        _l("The person's name"),
        filters=[strip],
        validators=[DataRequired(_l("Type the person's name to confirm.")), Length(max=200)],
    )


def same_name(typed: str | None, name: str) -> bool:
    """Whether the typed name is the person's name, ignoring case and spacing."""
    return " ".join((typed or "").split()).casefold() == " ".join(name.split()).casefold()

"""The board's filters, read from the query string so every filtered view has a link."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import IntegerField
from wtforms import SearchField
from wtforms import SelectField
from wtforms.validators import NumberRange
from wtforms.validators import Optional


class BoardFilterForm(FlaskForm):  # type: ignore[misc]
    class Meta:
        csrf = False  # a GET form that only reads

    unit = SelectField(_l("Administration or unit"), coerce=int, validators=[Optional()])
    line_manager = SearchField(_l("Line manager"), validators=[Optional()])
    hr_partner = SelectField(_l("HR partner"), coerce=int, validators=[Optional()])
    q = SearchField(_l("Name"), validators=[Optional()])
    stuck = BooleanField(_l("Only stuck"))
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)], default=1)

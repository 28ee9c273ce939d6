"""Forms for moving a manager on the journey and editing their details."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import DateField
from wtforms import EmailField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from lifecycle.enums import Stage


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class MoveForm(FlaskForm):  # type: ignore[misc]
    to_stage = RadioField(_l("Move to"), validators=[DataRequired(_l("Choose where to move."))])
    reason = TextAreaField(
        _l("Reason"),
        filters=[strip],
        validators=[DataRequired(_l("Give a reason; it is kept in the history.")), Length(max=2000)],
    )
    effective_date = DateField(
        _l("Date of the move"), validators=[DataRequired(_l("Enter a date (YYYY-MM-DD)."))]
    )
    end_date = DateField(_l("End date (needed for offboarding)"), validators=[Optional()])
    confirm_close = BooleanField(_l("Yes, close the journey"))

    def validate_confirm_close(self, field: BooleanField) -> None:
        # Closing cannot be undone and disables the person's account: it is never done by a slip.
        if self.to_stage.data == Stage.CLOSED.value and not field.data:
            raise ValidationError(
                _l("Closing ends the journey for good and disables the account. Tick the box to confirm.")
            )


class ManagerForm(FlaskForm):  # type: ignore[misc]
    name = StringField(
        _l("Name"), filters=[strip], validators=[DataRequired(_l("Enter a name.")), Length(max=200)]
    )
    employee_number = StringField(
        _l("Employee number"), filters=[strip], validators=[Optional(), Length(max=40)]
    )
    email = EmailField(
        _l("E-mail"),
        filters=[strip],
        validators=[Optional(), Email(_l("Enter a valid e-mail address.")), Length(max=254)],
    )
    title = StringField(_l("Title"), filters=[strip], validators=[Optional(), Length(max=200)])
    org_unit_id = SelectField(_l("Unit"), coerce=int, validators=[Optional()])
    line_manager_number = StringField(
        _l("Line manager's employee number"), filters=[strip], validators=[Optional(), Length(max=40)]
    )
    mentor_number = StringField(
        _l("Mentor's employee number"), filters=[strip], validators=[Optional(), Length(max=40)]
    )
    hr_partner_id = SelectField(_l("HR partner"), coerce=int, validators=[Optional()])
    start_date = DateField(_l("Start date"), validators=[Optional()])
    end_date = DateField(_l("End date"), validators=[Optional()])

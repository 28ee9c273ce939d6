"""Forms for introduction programmes: the overview's filters, templates, milestones and a launch."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import DateField
from wtforms import EmailField
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import ValidationError
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from lifecycle.blueprints.managers.forms import strip
from lifecycle.blueprints.plans.forms import CheckboxListField


class OverviewFilterForm(FlaskForm):  # type: ignore[misc]
    class Meta:
        csrf = False  # a GET form that only reads

    unit = SelectField(_l("Administration or unit"), coerce=int, validators=[Optional()])
    hr_partner = SelectField(_l("HR partner"), coerce=int, validators=[Optional()])
    overdue = BooleanField(_l("Only those with an overdue milestone"))
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)], default=1)


class TemplateForm(FlaskForm):  # type: ignore[misc]
    name = StringField(
        _l("Name of the programme"),
        filters=[strip],
        validators=[DataRequired(_l("Give the programme a name.")), Length(max=200)],
    )
    description = TextAreaField(_l("Description"), filters=[strip], validators=[Optional(), Length(max=4000)])
    is_active = BooleanField(_l("Offered (can be launched)"), default=True)


class MilestoneForm(FlaskForm):  # type: ignore[misc]
    title = StringField(
        _l("Milestone"),
        filters=[strip],
        validators=[DataRequired(_l("Give the milestone a title.")), Length(max=200)],
    )
    description = TextAreaField(_l("Description"), filters=[strip], validators=[Optional(), Length(max=4000)])
    offset_amount = IntegerField(
        _l("When, counted from the start date (negative before it)"),
        validators=[
            InputRequired(_l("Enter a whole number, such as -5 or 3.")),
            NumberRange(min=-999, max=999, message=_l("Enter a number between -999 and 999.")),
        ],
    )
    offset_unit = SelectField(_l("Unit of time"), validators=[DataRequired()])
    responsible_role = SelectField(_l("Responsible"), validators=[DataRequired()])
    responsible_email = EmailField(
        _l("The named person's e-mail (when a named person is responsible)"),
        filters=[strip],
        validators=[Optional(), Email(_l("Enter a valid e-mail address.")), Length(max=254)],
    )
    pillars = CheckboxListField(_l("Pillars it builds"), validators=[Optional()])
    expectations = CheckboxListField(_l("Expectations it builds (optional)"), validators=[Optional()])

    def validate_pillars(self, field: CheckboxListField) -> None:
        # An expectation brings its pillar along, so either is enough.
        if not field.data and not self.expectations.data:
            raise ValidationError(_l("Choose at least one pillar the milestone builds."))


class LaunchForm(FlaskForm):  # type: ignore[misc]
    template_id = SelectField(
        _l("Introduction programme"), coerce=int, validators=[DataRequired(_l("Choose a programme."))]
    )
    start_date = DateField(_l("Start date"), validators=[Optional()])

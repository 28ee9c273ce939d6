"""Forms for the talent pool: the list's filters, a member, a renewed consent, a move and a removal."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import DateField
from wtforms import EmailField
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from lifecycle.blueprints.managers.forms import strip
from lifecycle.blueprints.plans.forms import CheckboxListField
from lifecycle.models.talent_pool import PoolSource
from lifecycle.services.talent_pool.members import NAME_MAX_LENGTH
from lifecycle.services.talent_pool.members import NOTES_MAX_LENGTH


def _sources() -> list[SelectChoice]:
    return [SelectChoice(source.value, source.title) for source in PoolSource]


class PoolFilterForm(FlaskForm):  # type: ignore[misc]
    class Meta:
        csrf = False  # a GET form that only reads

    q = StringField(_l("Name or e-mail address"), filters=[strip], validators=[Optional(), Length(max=200)])
    source = SelectMultipleField(_l("Source"), validators=[Optional()])
    pillar = SelectField(_l("Strength in the pillar"), validators=[Optional()])
    expectation = SelectField(_l("Strength in the expectation"), validators=[Optional()])
    soon = BooleanField(_l("Consent runs out within 60 days"), validators=[Optional()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)], default=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.source.choices = _sources()


class ProfileForm(FlaskForm):  # type: ignore[misc]
    """What HR records about a member: source, consent, strengths and a short note."""

    source = SelectField(_l("Source"), validators=[DataRequired(_l("Choose where the person comes from."))])
    consent_given_on = DateField(
        _l("Consent to be kept given on"),
        validators=[DataRequired(_l("Give the day the person consented to be kept in the pool."))],
    )
    pillars = CheckboxListField(_l("Pillars they show strength in"), validators=[Optional()])
    expectations = CheckboxListField(
        _l("Expectations they show strength in (optional)"), validators=[Optional()]
    )
    notes = TextAreaField(
        _l("Note"),
        filters=[strip],
        validators=[Optional(), Length(max=NOTES_MAX_LENGTH)],
        description=_l("Only what you need to follow the contact up. No assessments of the person."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.source.choices = [SelectChoice("", _l("Choose …")), *_sources()]


class MemberForm(ProfileForm):
    """A new member: a person already on the journey by employee number, or someone new."""

    person_number = StringField(
        _l("Employee number of a person on the journey"),
        filters=[strip],
        validators=[Optional(), Length(max=40)],
        description=_l(
            "An aspirant or a manager in post: they keep their own journey. Leave empty for someone new."
        ),
    )
    name = StringField(_l("Name"), filters=[strip], validators=[Optional(), Length(max=NAME_MAX_LENGTH)])
    email = EmailField(
        _l("E-mail address"),
        filters=[strip],
        validators=[Optional(), Email(_l("Enter a valid e-mail address.")), Length(max=254)],
    )
    employee_number = StringField(
        _l("Employee number"),
        filters=[strip],
        validators=[Optional(), Length(max=40)],
        description=_l("For an employee of the municipality; leave empty for an external contact."),
    )


class ConsentForm(FlaskForm):  # type: ignore[misc]
    consent_given_on = DateField(
        _l("New consent given on"),
        validators=[DataRequired(_l("Give the day the person consented again."))],
        description=_l("Default: today."),
    )


class RecruitForm(FlaskForm):  # type: ignore[misc]
    vacancy_id = SelectField(_l("Vacancy"), coerce=int, validators=[DataRequired(_l("Choose the vacancy."))])


class RemoveForm(FlaskForm):  # type: ignore[misc]
    confirm = BooleanField(
        _l("I understand: their place in the pool is erased, and someone only in the pool is anonymised."),
        validators=[DataRequired(_l("Confirm the removal."))],
    )
